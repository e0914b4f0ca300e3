/**
 * Issue 21 part B in Chromium against the real center (control-api/src/main.ts on free ports, no
 * simulation): an admin uploads a site plan and places a gas sensor and two cameras on it (by
 * drag, by keyboard and by the form); a supervisor writes the gas-high procedure; the sensor's
 * alarm pops the camera that sees it (not the nearer one looking away); the drawer draws the
 * value around the alarm, shows the receive time, the linked camera and the raised text; an
 * operator ticks a procedure step into the journal and takes it back (untick, journaled); another
 * view closes the drawer; in Korean a refused plan upload reads in Korean and the site link radius
 * is set on the plan screen. Screenshots
 * of each new screen in English and Korean go to .artifacts/web-console/incident/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, LoginResponse, SiteLayout } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makePng } from '../../control-api/test/plans/images.js';
import { waitFor } from '../../testkit/index.js';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console', 'incident');
const password = `inc-${process.pid}-${Date.now()}`;
const AGENT = 'plan-e2e';
const SENSOR = 'plan-e2e-ch4';
const NEAR = 'plan-e2e-cam-near';
const FACING = 'plan-e2e-cam-facing';
let url = '';
let center: RealCenter;
let browser: Browser;
let agent: MqttClient;
let token = '';
let seq = 0;
const contexts: BrowserContext[] = [];
type Box = { x: number; y: number; width: number; height: number };

async function call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const publish = (value: number, ts = Date.now()) => {
  seq += 1;
  const readings = [{ sensorId: SENSOR, metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' }];
  return agent.publishAsync(`gwanje/v1/suwon/${AGENT}/telemetry`, JSON.stringify({ agentId: AGENT, seq, readings }), {
    qos: 1,
  });
};

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  center = await startRealCenter({ password, simulate: 0 });
  url = center.url;
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
  const login = (await (
    await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    })
  ).json()) as LoginResponse;
  token = login.token;
  const creds = await call<AgentCredentials>('/agents', 'POST', { agentId: AGENT, siteId: 'suwon' });
  agent = await mqtt.connectAsync(center.mqttUrl, {
    username: creds.mqtt.username,
    password: creds.mqtt.password,
    clientId: creds.mqtt.clientId ?? AGENT,
    protocolVersion: 4,
  });
  const prefix = `gwanje/v1/suwon/${AGENT}`;
  await agent.publishAsync(
    `${prefix}/status`,
    JSON.stringify({ state: 'online', version: 'e2e', uptimeS: 1, buffered: 0, ts: Date.now() }),
    { qos: 1, retain: true },
  );
  const cam = (cameraId: string, name: string) => ({ cameraId, name, ptz: false, profiles: [] });
  await agent.publishAsync(
    `${prefix}/cameras`,
    JSON.stringify({ cameras: [cam(NEAR, 'Boiler room door'), cam(FACING, 'Gas manifold')] }),
    { qos: 1, retain: true },
  );
  await publish(0.5);
  await waitFor(async () => {
    const cams = await call<{ cameraId: string }[]>('/cameras?siteId=suwon');
    const sensors = await call<{ sensorId: string }[]>('/sensors?siteId=suwon');
    return cams.some((c) => c.cameraId === FACING) && sensors.some((s) => s.sensorId === SENSOR);
  }, 20_000);
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await agent?.endAsync();
  await center?.stop();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

test('plan, placement, SOP, the right camera pops, the SOP is ticked (Chromium, en and ko)', async () => {
  const en = await openConsole(browser, contexts, { url, username: 'admin', password, locale: 'en-US' });
  // 1. Upload the plan (a 1600x800 PNG) in the editor.
  await en.goto(`${url}/#/plan/suwon`);
  await en.click('[data-plan-edit]');
  const file = join(tmpdir(), `plan-e2e-${process.pid}.png`);
  writeFileSync(file, makePng(1600, 800));
  await en.setInputFiles('[data-plan-file]', file);
  await en.click('[data-plan-upload]');
  await en.waitForSelector('[data-plan-status]:has-text("1600 × 800")', { timeout: 15_000 });
  await en.waitForSelector('[data-plan-image]', { timeout: 10_000 });

  // 2. Place the sensor, then drag it to about a third across, mid-height.
  await en.click(`[data-plan-place="${SENSOR}"]`);
  const marker = en.locator(`[data-plan-marker="${SENSOR}"] circle`);
  await marker.waitFor({ timeout: 10_000 });
  const svg = (await en.locator('.plan-canvas').boundingBox()) as Box;
  const drawn = Math.min(svg.width / 1600, svg.height / 800);
  const ox = svg.x + (svg.width - 1600 * drawn) / 2;
  const oy = svg.y + (svg.height - 800 * drawn) / 2;
  const at = (await marker.boundingBox()) as Box;
  await en.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
  await en.mouse.down();
  await en.mouse.move(ox + 0.3 * 1600 * drawn, oy + 0.5 * 800 * drawn, { steps: 8 });
  await en.mouse.up();
  // The far camera by the form: to the right, looking left at the sensor.
  const placeByForm = async (id: string, values: Record<string, string>) => {
    await en.click(`[data-plan-place="${id}"]`);
    const form = en.locator(`[data-plan-form="${id}"]`);
    await form.waitFor({ timeout: 10_000 });
    for (const [k, v] of Object.entries(values)) await form.locator(`input[name=${k}]`).fill(v);
    await form.locator('button[type=submit]').click();
  };
  await placeByForm(FACING, { x: '0.75', y: '0.5', direction: '270', fov: '50', range: '0.6' });
  // The near camera: placed by the form just right of the sensor, then by keyboard turned to look
  // right (away from it) and moved a little further right.
  await placeByForm(NEAR, { x: '0.4', y: '0.5', direction: '0', fov: '60', range: '0.3' });
  const near = en.locator(`[data-plan-marker="${NEAR}"]`);
  await en.waitForSelector(`[data-plan-marker="${NEAR}"][transform^="translate(640,"]`, { timeout: 10_000 });
  await near.focus();
  await en.keyboard.press('Shift+]'); // direction 0 -> 45
  await en.waitForSelector(`[data-fov="${NEAR}"]`);
  await en.keyboard.press('Shift+]'); // -> 90: looking right
  await en.keyboard.press('ArrowRight'); // x 0.40 -> 0.41
  await en.keyboard.press('ArrowRight'); // -> 0.42
  let layout: SiteLayout | undefined;
  await waitFor(async () => {
    layout = await call<SiteLayout>('/sites/suwon/layout');
    const s = layout.sensors.find((x) => x.sensorId === SENSOR)?.position;
    const n = layout.cameras.find((x) => x.cameraId === NEAR)?.position;
    const f = layout.cameras.find((x) => x.cameraId === FACING)?.position;
    return (
      !!s && Math.abs(s.x - 0.3) < 0.03 && n?.direction === 90 && Math.abs(n.x - 0.42) < 0.001 && f?.direction === 270
    );
  }, 15_000).catch(() => assert.fail(`positions not as placed: ${JSON.stringify(layout)}`));
  await shot(en, 'plan-editor-en');

  // 3. The gas-high procedure for Suwon, written in the supervisors' screen.
  await en.click('[data-nav=sops]');
  await en.selectOption('[data-sop-site]', 'suwon');
  await en.selectOption('[data-sop-type]', 'gas-high');
  for (const [i, text] of ['Call the site manager', 'Confirm on camera', 'Request 119 dispatch'].entries()) {
    await en.click('[data-sop-add]');
    await en.fill(`[data-sop-text="${i}"]`, text);
  }
  await en.click('[data-sop-save]');
  await en.waitForSelector('.sop-admin [role=status]:has-text("saved")', { timeout: 10_000 });
  await shot(en, 'sop-admin-en');

  // 4. The leak: 60 %LEL past gas-high's on-delay. The wall pops the camera that sees the sensor.
  await en.click('[data-nav=wall]');
  const t0 = Date.now();
  await publish(60, t0);
  await publish(60, t0 + 1100);
  // (Other alarm items may pop too, e.g. camera-loss of a camera whose agent sends no video here.)
  const pop = en.locator('[data-alarm-video]', { hasText: SENSOR }).locator('[data-camera]');
  await pop.first().waitFor({ timeout: 15_000 });
  const popped = await pop.evaluateAll((els) => els.map((e) => e.getAttribute('data-camera')));
  // Gas-high (P1) and rate-of-rise (P2) both pop; each with the one camera that sees the sensor.
  assert.ok(popped.length >= 1);
  assert.deepEqual([...new Set(popped)], [FACING], 'the camera that sees the sensor, not the nearer one looking away');
  await shot(en, 'wall-pop-en');

  // 5. The plan shows the alarm on the sensor.
  await en.click('[data-nav=plan]');
  await en.waitForSelector(`[data-plan-marker="${SENSOR}"][data-worst="1"]`, { timeout: 10_000 });
  await shot(en, 'plan-alarm-en');

  // 6. The drawer: trend drawn, received time, linked camera, raised text, procedure ticked.
  const row = en.locator(`[data-source="${SENSOR}"][data-type=gas-high]`);
  await row.click();
  await en.keyboard.press('Enter');
  const drawer = en.locator('[data-alarm-detail]');
  await drawer.waitFor();
  await waitFor(
    async () => Number((await drawer.locator('.trend-chart').getAttribute('data-points')) ?? 0) > 0,
    15_000,
  );
  assert.notEqual((await drawer.locator('[data-latency-row=receivedAt] td').first().textContent())?.trim(), '—');
  assert.equal(await drawer.locator('[data-detail-cameras]').getAttribute('data-detail-cameras'), FACING);
  assert.match((await drawer.locator('[data-alarm-raised-text]').textContent()) ?? '', /60/);
  const step = drawer.locator('[data-sop-step=step-2]');
  await step.locator('input[type=checkbox]').click();
  await step.locator('[data-sop-done]').waitFor({ timeout: 10_000 });
  assert.match((await step.locator('[data-sop-done]').textContent()) ?? '', /admin/);
  await drawer.locator('[data-journal=sop-step]').waitFor({ timeout: 10_000 });
  await shot(en, 'alarm-drawer-en');
  // Ticked by mistake: unchecking takes the tick back, with who and when in the step and the journal.
  await step.locator('input[type=checkbox]').click();
  await step.locator('[data-sop-undone]').waitFor({ timeout: 10_000 });
  assert.match((await step.locator('[data-sop-undone]').textContent()) ?? '', /taken back by admin/);
  await drawer.locator('[data-journal=sop-step-undone]').waitFor({ timeout: 10_000 });
  await shot(en, 'alarm-drawer-untick-en');
  await step.locator('input[type=checkbox]').click();
  await step.locator('[data-sop-done]').waitFor({ timeout: 10_000 });
  // Regression: another view closes the drawer.
  await en.click('[data-nav=trends]');
  assert.equal(await en.locator('[data-alarm-detail]').count(), 0);

  // 7. The same screens in Korean.
  const ko = await openConsole(browser, contexts, { url, username: 'admin', password, locale: 'ko-KR' });
  await ko.goto(`${url}/#/plan/suwon`);
  await ko.waitForSelector(`[data-plan-marker="${SENSOR}"][data-worst="1"]`, { timeout: 15_000 });
  assert.ok((await ko.locator('.plan-view').textContent())?.includes('범례'));
  await shot(ko, 'plan-alarm-ko');
  await ko.click('[data-plan-edit]');
  await ko.waitForSelector('[data-plan-editor]');
  await shot(ko, 'plan-editor-ko');
  // A refused upload reads in Korean (the API's reason, not its English message).
  const notPlan = join(tmpdir(), `plan-e2e-${process.pid}.txt`);
  writeFileSync(notPlan, 'not a plan');
  await ko.setInputFiles('[data-plan-file]', notPlan);
  await ko.click('[data-plan-upload]');
  await ko.waitForSelector('[data-plan-status]:has-text("PNG, JPEG, SVG, PDF 파일이 아닙니다")', { timeout: 15_000 });
  // The site's link radius, set here and used by the center.
  await ko.fill('[data-link-radius] input[name=linkRadius]', '30');
  await ko.click('[data-link-radius-save]');
  await ko.waitForSelector('[data-link-radius-status]:has-text("30 %")', { timeout: 10_000 });
  assert.equal((await call<SiteLayout>('/sites/suwon/layout')).linkRadius, 0.3);
  await shot(ko, 'plan-radius-ko');
  await ko.click('[data-nav=sops]');
  await ko.selectOption('[data-sop-site]', 'suwon');
  await ko.waitForSelector('[data-sop-text="2"]');
  await shot(ko, 'sop-admin-ko');
  await ko.click('[data-nav=wall]');
  const koRow = ko.locator(`[data-source="${SENSOR}"][data-type=gas-high]`);
  await koRow.click();
  await ko.keyboard.press('Enter');
  const koDrawer = ko.locator('[data-alarm-detail]');
  await koDrawer.locator('[data-sop-step=step-2][data-done=yes]').waitFor({ timeout: 10_000 });
  assert.ok((await koDrawer.textContent())?.includes('대응 절차'));
  await shot(ko, 'alarm-drawer-ko');
});
