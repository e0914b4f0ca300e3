/**
 * Issue 21 end to end on the real center (control-api/src/main.ts, one simulated site whose
 * virtual camera is encoded by real ffmpeg): a 60 %LEL leak raises gas-high, the alarm's clip is
 * recorded, and from the alarm detail in Chromium the operator downloads the evidence bundle and
 * the CAP alert; the bundle's manifest verifies with `gwanje-config verify-evidence --key` and the
 * clip taken out of the ZIP is H.264 for ffprobe; the CSV export screen downloads the raw
 * readings. Screenshots (en, ko) are kept in .artifacts/web-console.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, LoginResponse } from '@gwanje/protocol';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { xsdErrors } from '../../control-api/test/incident/xsd.js';
import { unzip } from '../../control-api/test/incident/zip.js';
import { waitFor } from '../../testkit/index.js';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console');
const CLI = join(root, 'firmware-config/bin/gwanje-config.mjs');
const password = `adm-${process.pid}-${Date.now()}`;
let center: RealCenter;
let browser: Browser;
const contexts: BrowserContext[] = [];
const work = mkdtempSync(join(tmpdir(), 'gwanje-evidence-e2e-'));

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  center = await startRealCenter({ password, simulate: 1, readyTimeoutMs: 300_000 });
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await center?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function api<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(`${center.url}/api/v1${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers },
  });
  assert.ok(r.ok, `${path}: ${r.status} ${await r.clone().text()}`);
  return (r.headers.get('content-type')?.includes('json') ? r.json() : r.text()) as Promise<T>;
}

async function saveDownload(page: Page, selector: string, name: string): Promise<Buffer> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), page.click(selector)]);
  const file = join(work, name);
  await dl.saveAs(file);
  return readFileSync(file);
}

test('evidence and CAP from the alarm detail, verified offline; CSV from the export screen', {
  timeout: 600_000,
}, async () => {
  const login = (await (
    await fetch(`${center.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    })
  ).json()) as LoginResponse;
  const token = login.token;
  const agentId = `evidence-e2e-${Date.now().toString(36)}`;
  const creds = await api<AgentCredentials>(token, '/agents', {
    method: 'POST',
    body: JSON.stringify({ agentId, siteId: 'suwon' }),
  });
  const client = await mqtt.connectAsync(creds.mqtt.url, {
    username: creds.mqtt.username,
    password: creds.mqtt.password,
    clientId: creds.mqtt.clientId ?? agentId,
    protocolVersion: 4,
  });
  const sensor = `${agentId}-ch4`;
  // The wall shows the site's camera first, so its upstream is live when the leak starts.
  const en = await openConsole(browser, contexts, { url: center.url, username: 'admin', password, locale: 'en-US' });
  await en.click('[data-nav=wall]');
  await en.waitForSelector('.wall-grid [data-video-state=live]', { timeout: 180_000 });
  try {
    let seq = 0;
    const publish = async (value: number, ts: number) => {
      seq += 1;
      const readings = [{ sensorId: sensor, metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' }];
      await client.publishAsync(`gwanje/v1/suwon/${agentId}/telemetry`, JSON.stringify({ agentId, seq, readings }), {
        qos: 1,
      });
    };
    const t0 = Date.now();
    await publish(3, t0 - 5000);
    await publish(60, t0);
    await publish(61, t0 + 1100);
    let alarmId = '';
    await waitFor(async () => {
      const list = await api<{ id: string; sourceId: string; type: string }[]>(token, '/alarms?siteId=suwon');
      alarmId = list.find((a) => a.sourceId === sensor && a.type === 'gas-high')?.id ?? '';
      return alarmId !== '';
    }, 30_000);
    // The clip: 10 s before the alarm to 30 s after, cut by real ffmpeg from the virtual camera, so
    // it is listed about 30 s after the raise (90 s allows for a loaded machine). Regression (issue
    // 21): GWANJE_SIMULATE=1 simulated ansan, the first site by id, so suwon had no camera, the
    // alarm none either, and no clip ever came.
    try {
      await waitFor(async () => {
        const clips = await api<{ contentType: string }[]>(token, `/alarms/${alarmId}/clips`);
        return clips.some((c) => c.contentType === 'video/mp4');
      }, 90_000);
    } catch (err) {
      const alarm = await api<{ cameras: string[] }>(token, `/alarms/${alarmId}`).catch(() => null);
      throw new Error(
        `no clip for ${alarmId} (cameras ${JSON.stringify(alarm?.cameras)}): ${String(err)}\n${center.output().slice(-3000)}`,
      );
    }
    // A click selects the row; Enter (or a double click) opens the alarm's detail.
    await en.locator(`[data-source="${sensor}"][data-type=gas-high]`).first().click();
    await en.keyboard.press('Enter');
    await en.waitForSelector(`[data-evidence-actions="${alarmId}"]`);
    await en.screenshot({ path: join(artifacts, 'evidence-actions-en.png') });
    const zip = await saveDownload(en, '[data-evidence=evidence]', 'bundle.zip');
    const cap = await saveDownload(en, '[data-evidence=cap]', 'alert.xml');

    // Offline check with the center's published key, as an inquiry would.
    const pem = await api<string>(token, '/evidence/public-key.pem');
    writeFileSync(join(work, 'center.pem'), pem);
    const verified = spawnSync(
      process.execPath,
      [CLI, 'verify-evidence', join(work, 'bundle.zip'), '--key', join(work, 'center.pem')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, /evidence ok/);
    const files = await unzip(zip);
    const clipName = [...files.keys()].find((f) => f.startsWith('media/') && f.endsWith('.mp4'));
    assert.ok(clipName, [...files.keys()].join(' '));
    writeFileSync(join(work, 'clip.mp4'), files.get(clipName) as Buffer);
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name:format=duration',
        '-of',
        'json',
        join(work, 'clip.mp4'),
      ]).toString(),
    );
    assert.equal(probe.streams[0].codec_name, 'h264');
    assert.ok(Number(probe.format.duration) >= 10, `clip lasts ${probe.format.duration} s`);
    assert.match(String(files.get(`trace/${sensor}.csv`)), /,60,good\r\n/);
    assert.match(String(files.get('report.html')), /<html lang="en">/);
    assert.equal(xsdErrors(cap.toString()), '');

    // CSV export screen, in Korean.
    const ko = await openConsole(browser, contexts, { url: center.url, username: 'admin', password, locale: 'ko-KR' });
    await ko.click('[data-nav=exports]');
    await ko.selectOption('[data-export-site]', 'suwon');
    await ko.waitForSelector(`[data-export-sensor] option[value="${sensor}"]`, { state: 'attached' });
    await ko.selectOption('[data-export-sensor]', sensor);
    await ko.screenshot({ path: join(artifacts, 'exports-ko.png') });
    const csv = (await saveDownload(ko, '[data-export=readings]', 'readings.csv')).toString('utf8');
    assert.ok(csv.startsWith('\uFEFFts,time_utc,sensorId'));
    assert.match(csv, new RegExp(`,${sensor},suwon,${agentId},gas,CH4,%LEL,61,good`));
    await ko.locator('[data-export-result]').waitFor();
    const alarms = (await saveDownload(ko, '[data-export=alarms]', 'alarms.csv')).toString('utf8');
    assert.match(alarms, new RegExp(`${alarmId},suwon,${sensor},sensor,gas-high,1,`));
  } finally {
    await client.endAsync();
  }
});
