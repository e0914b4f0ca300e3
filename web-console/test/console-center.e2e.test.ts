/**
 * The console against the real center (issue 7 "end to end against the running center"): starts
 * `control-api/src/main.ts` on free ports with 2 simulated sites and no simulated incidents (or
 * uses GWANJE_CONSOLE_URL / _USER / _PASSWORD / _MQTT_URL when given), registers an edge agent
 * through the console's own API, publishes 60 %LEL over MQTT with the issued credentials, and
 * checks two browser contexts. Figure: publish -> alarm row visible (p50 of 20). Issue 22: a leak
 * ramp below gas-low raises an advisory anomaly whose detail says why, in English and Korean.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, LoginResponse } from '@gwanje/protocol';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mulberry32 } from '../../edge-agent/src/sim/physics.js';
import { launchChromium, openConsole, percentile } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console');
const given = process.env.GWANJE_CONSOLE_URL;
let url = given ?? '';
let mqttUrl = process.env.GWANJE_CONSOLE_MQTT_URL ?? '';
const username = process.env.GWANJE_CONSOLE_USER ?? 'admin';
const password = process.env.GWANJE_CONSOLE_PASSWORD ?? `adm-${process.pid}-${Date.now()}`;
let center: RealCenter | null = null;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  if (!given) {
    center = await startRealCenter({ password, simulate: 2 });
    url = center.url;
    mqttUrl = center.mqttUrl;
  }
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await center?.stop();
});

async function registerAgent(agentId: string): Promise<AgentCredentials> {
  const login = (await (
    await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  ).json()) as LoginResponse;
  const res = await fetch(`${url}/api/v1/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ agentId, siteId: 'suwon' }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as AgentCredentials;
}

/** Registers an edge agent and connects to the broker with the credentials it was issued. */
async function connectAgent(agentId: string): Promise<mqtt.MqttClient> {
  const creds = await registerAgent(agentId);
  return mqtt.connectAsync(mqttUrl || creds.mqtt.url, {
    username: creds.mqtt.username,
    password: creds.mqtt.password,
    clientId: creds.mqtt.clientId ?? agentId,
    protocolVersion: 4,
  });
}

test('console on the real center: 31 sites, a 60 %LEL reading alarms two consoles, ack syncs', async () => {
  const agentId = `console-e2e-${Date.now().toString(36)}`;
  const client = await connectAgent(agentId);
  const prefix = `gwanje/v1/suwon/${agentId}`;
  let seq = 0;
  const publish = async (sensorId: string, value: number, ts = Date.now()) => {
    seq += 1;
    const readings = [{ sensorId, metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' }];
    await client.publishAsync(`${prefix}/telemetry`, JSON.stringify({ agentId, seq, readings }), { qos: 1 });
  };
  try {
    await client.publishAsync(
      `${prefix}/status`,
      JSON.stringify({ state: 'online', version: 'e2e', uptimeS: 1, buffered: 0, ts: Date.now() }),
      { qos: 1, retain: true },
    );
    const en = await openConsole(browser, contexts, { url, username, password, locale: 'en-US' });
    const ko = await openConsole(browser, contexts, { url, username, password, locale: 'ko-KR' });
    await en.click('[data-nav=map]');
    await en.waitForSelector('[data-site]');
    assert.equal(await en.locator('[data-site]').count(), 31);

    // 60 %LEL held past the 1 s on-delay of gas-high (priority 1, latched).
    const sensor = `${agentId}-ch4`;
    const row = (p: Page) => p.locator(`[data-source="${sensor}"][data-type=gas-high]`);
    const t0 = Date.now();
    await publish(sensor, 60, t0);
    await publish(sensor, 60, t0 + 1100);
    for (const p of [en, ko]) {
      await row(p).waitFor({ timeout: 10_000 });
      assert.equal(await p.locator('.alarm-panel').getAttribute('data-tone'), 'on');
    }
    await en.waitForSelector('[data-site=suwon][data-worst="1"]');
    await en.screenshot({ path: join(artifacts, 'center-map.png') });

    await row(en).click();
    await en.keyboard.press('a');
    await ko.locator(`[data-source="${sensor}"][data-type=gas-high][data-state=acked]`).waitFor({ timeout: 5000 });

    await en.click('[data-nav=wall]');
    await en.waitForSelector('.wall-grid [data-video-state=live]', { timeout: 30_000 });
    await en.screenshot({ path: join(artifacts, 'center-wall.png') });

    // Figures, one sensor at a time (20): first 60 %LEL reading -> row visible (includes the 1 s
    // on-delay of gas-high), and the reading that completes the on-delay -> row visible.
    const total: number[] = [];
    const lat: number[] = [];
    for (let i = 0; i < 20; i++) {
      const s = `${agentId}-lat${i}`;
      const t0 = Date.now();
      await publish(s, 60, t0);
      await new Promise((r) => setTimeout(r, 1000));
      const t1 = Date.now();
      await publish(s, 60, t0 + 1000);
      await en.locator(`[data-source="${s}"][data-type=gas-high]`).waitFor({ timeout: 10_000 });
      lat.push(Date.now() - t1);
      total.push(Date.now() - t0);
    }
    const figures = {
      n: lat.length,
      completingReadingToRowP50Ms: percentile(lat, 50),
      completingReadingToRowP95Ms: percentile(lat, 95),
      firstReadingToRowP50Ms: percentile(total, 50),
    };
    console.log(`center console figures: ${JSON.stringify(figures)}`);
    writeFileSync(join(artifacts, 'center-figures.json'), JSON.stringify(figures, null, 2));
    await en.locator('.alarm-panel').screenshot({ path: join(artifacts, 'center-alarms.png') });
  } finally {
    await client.endAsync();
  }
});

test('issue 22: a leak below gas-low raises an advisory anomaly on the real center, explained in the detail (en, ko)', async () => {
  const agentId = `anomaly-e2e-${Date.now().toString(36)}`;
  const client = await connectAgent(agentId);
  const sensor = `${agentId}-ch4`;
  // 1,000 clean-air readings 2 s apart (past the model's 750-reading learning period), then a
  // leak ramping 0.1 %LEL a reading: every reading must be scored for the ramp to be seen at
  // 1.3 %LEL, the first value in a grid cell (0..gas-low in 8 cells of 1.25) clean air never reached.
  const rnd = mulberry32(5);
  const values = [
    ...Array.from({ length: 1000 }, () => 0.45 + 0.7 * rnd()),
    ...Array.from({ length: 40 }, (_, i) => Math.round((0.8 + 0.1 * i) * 100) / 100),
  ];
  const t0 = Date.now() - values.length * 2000;
  try {
    for (let i = 0, seq = 1; i < values.length; i += 250, seq++) {
      const readings = values.slice(i, i + 250).map((value, k) => ({
        sensorId: sensor,
        metric: 'gas',
        gas: 'CH4',
        value,
        unit: '%LEL',
        ts: t0 + (i + k) * 2000,
        quality: 'good',
      }));
      await client.publishAsync(`gwanje/v1/suwon/${agentId}/telemetry`, JSON.stringify({ agentId, seq, readings }), {
        qos: 1,
      });
    }
    for (const [locale, expected, reason] of [
      ['en-US', '0 to 1.25 %LEL', 'a level this sensor has not shown before'],
      ['ko-KR', '0 ~ 1.25 %LEL', '이 센서에서 처음 나타난 수준'],
    ] as const) {
      const page = await openConsole(browser, contexts, { url, username, password, locale });
      const row = page.locator(`[data-source="${sensor}"][data-type=anomaly]`);
      await row.waitFor({ timeout: 15_000 });
      await row.click();
      await page.keyboard.press('Enter');
      const why = page.locator('[data-alarm-detail] [data-anomaly-why=new-level]');
      await why.waitFor({ timeout: 5000 });
      assert.equal((await why.locator('[data-anomaly-reading]').textContent())?.trim(), '1.3 %LEL');
      assert.equal((await why.locator('[data-anomaly-expected]').textContent())?.trim(), expected);
      assert.equal((await why.locator('[data-anomaly-reason]').textContent())?.trim(), reason);
      await page.screenshot({ path: join(artifacts, `center-anomaly-${locale}.png`) });
    }
  } finally {
    await client.endAsync();
  }
});

test('F6 on the real center: live tiles (WebRTC or MSE, and the JSMpeg fallback) use camera tickets, never the API token', async () => {
  const page = await openConsole(browser, contexts, { url, username, password, locale: 'en-US' });
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (w) => urls.push(w.url()));
  // From the first request on (the session survives a reload: it is in sessionStorage).
  await page.reload();
  await page.waitForSelector('[data-conn=connected]', { timeout: 30_000 });
  await page.click('[data-nav=wall]');
  // A first live tile waits for the simulated camera's push and the center's relay: on a CI machine
  // running other centers and browsers beside this one that took over 30 s once in a full run.
  await page.waitForSelector('.wall-grid [data-video-state=live]', { timeout: 90_000 });
  await page.evaluate(() => localStorage.setItem('gwanje.video.mode', 'mpeg1'));
  await page.reload();
  await page.waitForSelector('[data-conn=connected]', { timeout: 30_000 });
  await page.click('[data-nav=wall]');
  await page.waitForSelector('.wall-grid [data-video-state=live] canvas', { timeout: 90_000 });
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('gwanje.session') ?? '{}').token as string);
  assert.ok(token);
  const video = urls.filter((u) => /\/video\//.test(u));
  assert.ok(
    video.some((u) => /^ws:.*\/video\/[^?]+\?ticket=[^&]+(&format=webrtc)?$/.test(u)),
    video.join('\n'),
  );
  assert.ok(
    video.some((u) => /\?ticket=[^&]+&format=mpeg1$/.test(u)),
    video.join('\n'),
  );
  assert.deepEqual(
    urls.filter((u) => u.includes(token) || /[?&]token=/.test(u)),
    [],
  );
  await page.evaluate(() => localStorage.removeItem('gwanje.video.mode'));
});

test("F11 in the console: repeated wrong passwords are slowed down, said in the operator's language", async () => {
  const ctx = await browser.newContext({ locale: 'ko-KR' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
  // Three failures are free, then each attempt must wait a delay that doubles (1 s, 2 s, 4 s ...).
  // On a loaded machine one password hash can take longer than the first delay, so keep trying as
  // a person would; the doubling delay must catch an attempt within a few tries.
  const throttled = page.getByRole('alert').getByText(/이 콘솔에서 로그인 실패가 너무 많습니다\. \d+초 후에/);
  let attempts = 0;
  while (attempts < 9 && !(await throttled.isVisible())) {
    await page.fill('input[name=username]', 'night-shift-probe');
    await page.fill('input[name=password]', `wrong-password-${attempts}`);
    await page.click('button[type=submit]');
    await page.getByRole('alert').waitFor();
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('button[type=submit]')?.disabled);
    attempts++;
  }
  await throttled.waitFor({ timeout: 5000 });
  assert.ok(attempts >= 4, `throttled after ${attempts} attempts: the first three failures must be free`);
});
