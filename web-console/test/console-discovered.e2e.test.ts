/**
 * Issue 17 in the browser, against the real center (control-api/src/main.ts on free ports): an
 * agent reports a field sensor it adopted (`events` `sensor-discovered`, CONTRACT "Edge agent")
 * and its reading; the admin screen lists it (Korean), Confirm records who confirmed it, and
 * "set range and rules" opens that sensor in the rules form. A wrong password at login names the
 * reset command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, LoginResponse } from '@gwanje/protocol';
import mqtt from 'mqtt';
import type { Browser, BrowserContext } from 'playwright-core';
import { jsonApi, waitFor } from '../../testkit/index.js';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console');
const password = `adm-${process.pid}-Discovery-7`;
let url = '';
let center: RealCenter | undefined;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  center = await startRealCenter({ password, simulate: 0 });
  url = center.url;
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await center?.stop();
});

test('#17 a discovered field sensor is listed, confirmed, and opens in the rules form', async () => {
  const api = jsonApi(() => url);
  const login = await api<LoginResponse>('POST', '/api/v1/auth/login', undefined, { username: 'admin', password });
  const agent = await api<AgentCredentials>('POST', '/api/v1/agents', login.body.token, {
    agentId: 'suwon-field-1',
    siteId: 'suwon',
  });
  assert.equal(agent.status, 201);
  const c = await mqtt.connectAsync(agent.body.mqtt.url, {
    protocolVersion: 4,
    username: agent.body.mqtt.username,
    password: agent.body.mqtt.password,
    clientId: 'suwon-field-1',
  });
  const ts = Date.now();
  const prefix = 'gwanje/v1/suwon/suwon-field-1';
  const event = { type: 'sensor-discovered', sourceId: 'suwon-found-1', ts, metric: 'gas', gas: 'H2S', unit: 'ppm' };
  await c.publishAsync(`${prefix}/events`, JSON.stringify({ ...event, driver: 'field' }), { qos: 1 });
  const reading = {
    sensorId: 'suwon-found-1',
    metric: 'gas',
    gas: 'H2S',
    unit: 'ppm',
    value: 2.5,
    ts,
    quality: 'good',
  };
  await c.publishAsync(
    `${prefix}/telemetry`,
    JSON.stringify({ agentId: 'suwon-field-1', seq: 1, readings: [reading] }),
    {
      qos: 1,
    },
  );
  await c.endAsync();

  const page = await openConsole(browser, contexts, { url, username: 'admin', password, locale: 'ko-KR' });
  await page.click('[data-nav=admin]');
  const row = page.locator('[data-discovered-row=suwon-found-1]');
  await page.locator('[data-discovered] h2', { hasText: '발견된 현장 센서' }).waitFor();
  // The list loads once; the reading may land a moment after the event: refresh until it shows.
  await waitFor(
    async () => {
      await page.locator('[data-discovered] button', { hasText: '새로고침' }).click();
      return (await row.count()) === 1 && /2\.5 ppm/.test((await row.textContent()) ?? '');
    },
    15_000,
    500,
  );
  assert.match((await row.textContent()) ?? '', /suwon-found-1.*suwon-field-1/);
  await row.getByRole('button', { name: '확인' }).click();
  await row.locator('[data-confirmed]', { hasText: 'admin 확인함' }).waitFor({ timeout: 5000 });
  await page.screenshot({ path: join(artifacts, 'admin-discovered-sensors.png') });

  await row.locator('[data-rules-link]').click();
  const editor = page.locator('.sensor-rules');
  await waitFor(async () => (await editor.locator('select').nth(1).inputValue()) === 'suwon-found-1', 10_000);
  assert.equal(await editor.locator('select').nth(0).inputValue(), 'suwon');
  const audit = await api<Array<{ action: string; target: string }>>(
    'GET',
    '/api/v1/audit?action=sensor.confirm',
    login.body.token,
  );
  assert.deepEqual(
    audit.body.map((r) => r.target),
    ['suwon-found-1'],
  );
});

test('a wrong password at login names the reset command', async () => {
  const ctx = await browser.newContext({ locale: 'en-US' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto(url);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.getByText('npm run admin -- reset-password').waitFor({ timeout: 10_000 });
});
