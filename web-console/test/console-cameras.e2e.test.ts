/**
 * Issue 20 in the console, on the real center (its own entry) with a real GStreamer RTSP camera and
 * an edge agent's MQTT session:
 * - the camera list (Korean) shows each camera's state, source (pushed by an agent / pulled by the
 *   center), frame rate, bit rate, last keyframe and its camera-loss family alarms; Up/Down/Home/End
 *   move between rows and the column buttons sort;
 * - a tile (English) toggles the stream figures from the center on and off by keyboard;
 * - a flame alarm on a sensor linked to a PTZ camera's preset puts "which preset, for which alarm"
 *   on that camera's tile, in both languages, from the live `camera:preset` event.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials } from '@gwanje/protocol';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import WebSocket from 'ws';
import { waitFor } from '../../testkit/index.js';
import { type RtspServer, startRtspServer } from '../../testkit/rtsp.js';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const password = `cams-${process.pid}-${Date.now()}`;
const DIRECT = 'suwon-direct-1';
const PTZ = 'suwon-ptz-1';
const FLAME = 'suwon-flame-1';
let center: RealCenter;
let rtsp: RtspServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let token = '';

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${center.url}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  rtsp = await startRtspServer();
  center = await startRealCenter({ password, simulate: 0 });
  token = (await api<{ token: string }>('POST', '/auth/login', { username: 'admin', password })).body.token;
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await center?.stop();
  await rtsp?.stop();
});

const rowText = (page: Page, cameraId: string, cell: string) =>
  page.locator(`tr[data-camera=${cameraId}] ${cell}`).innerText();

test('issue 20: camera list, tile figures and the recalled PTZ preset (ko, en)', { timeout: 240_000 }, async () => {
  // A VMS channel the center pulls itself, and an agent's PTZ camera linked to a flame detector.
  const created = await api('POST', '/cameras', { cameraId: DIRECT, siteId: 'suwon', name: 'Gate', rtspUrl: rtsp.url });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const agentRes = await api<AgentCredentials>('POST', '/agents', { agentId: 'suwon-ptz-agent', siteId: 'suwon' });
  assert.equal(agentRes.status, 201, JSON.stringify(agentRes.body));
  const creds = agentRes.body.mqtt;
  const agent = await mqtt.connectAsync(center.mqttUrl, {
    ...{ username: creds.username, password: creds.password, clientId: creds.clientId ?? 'suwon-ptz-agent' },
    protocolVersion: 4,
  });
  const prefix = 'gwanje/v1/suwon/suwon-ptz-agent';
  let seq = 0;
  const flame = (value: number) =>
    agent.publishAsync(
      `${prefix}/telemetry`,
      JSON.stringify({
        agentId: 'suwon-ptz-agent',
        seq: ++seq,
        readings: [{ sensorId: FLAME, metric: 'flame', value, unit: 'bool', ts: Date.now(), quality: 'good' }],
      }),
      { qos: 1 },
    );
  const viewer = new WebSocket(`${center.url.replace(/^http/, 'ws')}/video/${DIRECT}?token=${token}`);
  viewer.on('error', () => undefined);
  try {
    await agent.publishAsync(
      `${prefix}/cameras`,
      JSON.stringify({ cameras: [{ cameraId: PTZ, name: 'Tank farm', ptz: true, profiles: [] }] }),
      { qos: 1, retain: true },
    );
    await flame(0);
    await waitFor(
      async () => (await api<{ sensorId: string }[]>('GET', '/sensors?siteId=suwon')).body.length > 0,
      15_000,
    );
    const linked = await api('PATCH', `/sensors/${FLAME}`, { cameras: [{ cameraId: PTZ, preset: 'tank-3' }] });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));

    // Korean camera list: both cameras, where their video comes from, the live one's figures.
    const ko = await openConsole(browser, contexts, { url: center.url, username: 'admin', password, locale: 'ko-KR' });
    await ko.click('[data-nav=cameras]');
    await ko.waitForSelector(`tr[data-camera=${PTZ}]`, { timeout: 15_000 });
    assert.equal(await rowText(ko, DIRECT, '[data-source]'), '관제센터 직접 수신');
    assert.equal(await rowText(ko, PTZ, '[data-source]'), '에지 에이전트 전송');
    await ko.waitForSelector(`tr[data-camera=${DIRECT}] [data-state=live]`, { timeout: 30_000 });
    assert.equal(await rowText(ko, DIRECT, '[data-state]'), '실시간');
    await waitFor(async () => Number.parseFloat((await rowText(ko, DIRECT, 'td:nth-child(5)')) || '0') > 5, 20_000);
    assert.match(await rowText(ko, DIRECT, 'td:nth-child(6)'), /^\d+ kbit\/s$/);
    assert.match(await rowText(ko, DIRECT, 'td:nth-child(7)'), /^\d+초 전$/);

    // Keyboard: the rows are one tab stop; Down, End and Home move the focus between cameras.
    // Sorted by name at first: Gate, Tank farm.
    await ko.focus('tbody tr[tabindex="0"]');
    const focusedCamera = () => ko.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.camera);
    assert.equal(await focusedCamera(), DIRECT);
    await ko.keyboard.press('ArrowDown');
    assert.equal(await focusedCamera(), PTZ);
    await ko.keyboard.press('Home');
    assert.equal(await focusedCamera(), DIRECT);
    await ko.keyboard.press('End');
    assert.equal(await focusedCamera(), PTZ);
    await ko.click('[data-sort=name]'); // descending
    assert.equal(await ko.locator('tbody tr').first().getAttribute('data-camera'), PTZ);

    // English wall: the live tile's figures, toggled from the keyboard.
    const en = await openConsole(browser, contexts, { url: center.url, username: 'admin', password, locale: 'en-US' });
    await en.click('[data-nav=wall]');
    const toggle = `.wall-grid [data-camera=${DIRECT}] .tile-stats-toggle`;
    await en.waitForSelector(toggle, { timeout: 15_000 });
    assert.equal(await en.locator(`[data-stats=${DIRECT}]`).count(), 0, 'figures hidden until asked for');
    await en.focus(toggle);
    await en.keyboard.press('Enter');
    assert.equal(await en.getAttribute(toggle, 'aria-pressed'), 'true');
    await en.waitForSelector(`[data-stats=${DIRECT}] [data-fps]`, { timeout: 10_000 });
    await waitFor(
      async () => /^[1-9]\d*(\.\d)? fps$/.test(await en.innerText(`[data-stats=${DIRECT}] [data-fps]`)),
      15_000,
    );
    assert.match(await en.innerText(`[data-stats=${DIRECT}] [data-keyframe]`), /^keyframe \d+ s ago$/);
    await en.keyboard.press('Space');
    assert.equal(await en.locator(`[data-stats=${DIRECT}]`).count(), 0, 'toggled off');

    // The flame: its PTZ camera turns to tank-3 and both consoles' tiles say so.
    await flame(1);
    const line = `.wall-grid [data-camera=${PTZ}] .tile-preset`;
    await en.waitForSelector(line, { timeout: 15_000 });
    assert.equal(await en.innerText(line), `PTZ preset tank-3: Flame at ${FLAME}`);
    await ko.click('[data-nav=wall]');
    await ko.waitForSelector(line, { timeout: 15_000 });
    assert.equal(await ko.innerText(line), `PTZ 프리셋 tank-3: ${FLAME} 화염`);

    // The PTZ camera is asked to stream for the flame's clip and never does: camera-loss, listed.
    await ko.click('[data-nav=cameras]');
    await ko.waitForSelector(`tr[data-camera=${PTZ}] [data-alarms~="camera-loss"]`, { timeout: 60_000 });
    assert.equal(await rowText(ko, PTZ, '[data-alarms]'), '카메라 신호 없음');
    assert.equal(await rowText(ko, DIRECT, '[data-alarms]'), '없음');
  } finally {
    viewer.close();
    await agent.endAsync();
  }
});
