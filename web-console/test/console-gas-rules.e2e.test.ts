/**
 * Issue 15 in the browser against the real center (control-api/src/main.ts on free ports, no
 * simulation): an agent reports its sensors with their range; the admin's rules form shows the
 * range and where it comes from, offers exactly the rule types that fit the sensor, and when the
 * center refuses a rule (outside the range, gas-low above gas-high) marks the field and explains
 * it in Korean and in English; a valid override shows in the rules in effect; an unknown gas shows
 * its warning; a sensor goes out of service and back; a pegged transmitter's alarm reads in
 * Korean from its facts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AgentCredentials, LoginResponse } from '@gwanje/protocol';
import { ruleTypesFor } from '@gwanje/protocol/safety';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { waitFor } from '../../testkit/index.js';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console');
const password = `gas-${process.pid}-${Date.now()}`;
const AGENT = 'gas15-console';
let url = '';
let center: RealCenter;
let browser: Browser;
let agent: MqttClient;
const contexts: BrowserContext[] = [];

async function call<T>(path: string, method = 'GET', body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  center = await startRealCenter({ password, simulate: 0 });
  url = center.url;
  const { token } = await call<LoginResponse>('/auth/login', 'POST', { username: 'admin', password });
  const creds = await call<AgentCredentials>('/agents', 'POST', { agentId: AGENT, siteId: 'suwon' }, token);
  agent = await mqtt.connectAsync(center.mqttUrl, {
    username: creds.mqtt.username,
    password: creds.mqtt.password,
    clientId: creds.mqtt.clientId ?? AGENT,
    protocolVersion: 4,
  });
  const report = {
    agentId: AGENT,
    configVersion: 'v-console-15',
    ts: Date.now(),
    sensors: [
      {
        sensorId: 'gas15-ui-ch4',
        metric: 'gas',
        gas: 'CH4',
        unit: '%LEL',
        range: { min: 0, max: 100 },
        intervalMs: 2000,
      },
      { sensorId: 'gas15-ui-xyz', metric: 'gas', gas: 'XYZ', unit: 'ppm', intervalMs: 2000, source: 'discovered' },
    ],
  };
  await agent.publishAsync(`gwanje/v1/suwon/${AGENT}/sensors`, JSON.stringify(report), { qos: 1, retain: true });
  await waitFor(
    async () => (await call<unknown[]>('/sensors?siteId=suwon', 'GET', undefined, token)).length === 2,
    10_000,
  );
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await agent?.endAsync();
  await center?.stop();
});

async function openRules(locale: string, sensorId: string): Promise<{ page: Page; editor: Locator }> {
  const page = await openConsole(browser, contexts, { url, username: 'admin', password, locale });
  await page.click('[data-nav=admin]');
  const editor = page.locator('.sensor-rules');
  await editor.locator('select').nth(0).selectOption('suwon');
  await editor.locator('select').nth(1).selectOption(sensorId);
  await editor.locator(`[data-sensor-facts="${sensorId}"]`).waitFor();
  return { page, editor };
}

/** Adds an override row (the last one) and fills it. */
async function addRule(editor: Locator, add: string, type: string, setpoint: string): Promise<Locator> {
  await editor.getByRole('button', { name: add }).click();
  const row = editor.locator('.rules-table tbody tr').last();
  await row.locator('select[name=type]').selectOption(type);
  await row.locator('input[name=setpoint]').fill(setpoint);
  return row;
}

test('#15 the rules form shows the learned range, offers only fitting types, and explains a refused rule (ko, en)', async () => {
  const { page, editor } = await openRules('ko-KR', 'gas15-ui-ch4');
  assert.match(
    (await editor.locator('[data-range]').textContent()) ?? '',
    /0\.\.100 %LEL · 에이전트 설정에서 \(버전 v-console-15\)/,
  );
  assert.equal(await editor.locator('[data-effective=gas-high] [data-setpoint]').textContent(), '25');

  // Exactly the rule types that apply to a combustible gas in %LEL, in the table's order.
  const row = await addRule(editor, '규칙 추가', 'gas-high', '120');
  const offered = await row
    .locator('select[name=type] option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
  assert.deepEqual(offered, ruleTypesFor({ metric: 'gas', gas: 'CH4', unit: '%LEL' }));
  assert.ok(!(offered as string[]).includes('gas-twa') && !(offered as string[]).includes('twa'));

  // 120 %LEL is outside the sensor's 0..100 range: the center's 400 names the field; explained in Korean.
  await editor.getByRole('button', { name: '저장' }).click();
  const alert = editor.locator('form [role=alert]');
  await alert.waitFor({ timeout: 5000 });
  assert.match(
    (await alert.textContent()) ?? '',
    /항목 rules\.0\.setpoint — 설정값 120 %LEL이\(가\) 측정 범위 0\.\.100 %LEL을\(를\) 벗어났습니다/,
  );
  assert.equal(await row.locator('input[name=setpoint]').getAttribute('aria-invalid'), 'true');

  // gas-low 30 above the gas-high 25 in effect: refused with both named.
  await row.locator('select[name=type]').selectOption('gas-low');
  await row.locator('input[name=setpoint]').fill('30');
  await editor.getByRole('button', { name: '저장' }).click();
  await alert
    .filter({ hasText: '가스 1차 경보(30 %LEL)은(는) 가스 2차 경보(25 %LEL)보다 낮아야 합니다' })
    .waitFor({ timeout: 5000 });
  await page.screenshot({ path: join(artifacts, 'gas-rules-refused-ko.png') });

  // A valid override: saved, and the rules in effect show it as the admin's.
  await row.locator('select[name=type]').selectOption('gas-high');
  await row.locator('input[name=setpoint]').fill('20');
  await editor.getByRole('button', { name: '저장' }).click();
  await editor.getByRole('status').filter({ hasText: '저장됨' }).waitFor({ timeout: 5000 });
  await editor.locator('[data-effective=gas-high] [data-setpoint]', { hasText: '20' }).waitFor({ timeout: 5000 });
  assert.equal(await editor.locator('[data-effective=gas-high] [data-origin]').getAttribute('data-origin'), 'admin');

  // The same refusal, explained in English.
  const en = await openRules('en-US', 'gas15-ui-ch4');
  const r2 = await addRule(en.editor, 'Add rule', 'rate-of-rise', '500');
  await en.editor.getByRole('button', { name: 'Save' }).click();
  await en.editor
    .locator('form [role=alert]')
    .filter({ hasText: 'The rate 500 %LEL/min must be above 0 and at most 100.' })
    .waitFor({ timeout: 5000 });
  assert.equal(await r2.locator('input[name=setpoint]').getAttribute('aria-invalid'), 'true');
});

test('#15 an unknown gas shows its warning; a sensor goes out of service for a bump test and returns', async () => {
  const { page, editor } = await openRules('en-US', 'gas15-ui-xyz');
  const warn = editor.locator('[data-warnings]');
  await warn.waitFor();
  assert.match((await warn.textContent()) ?? '', /XYZ in ppm is not in the gas table/);
  // Its alarm list carries the config warning too, as data rendered in the operator's language.
  await page.locator('[data-source="gas15-ui-xyz"][data-type=config]').waitFor({ timeout: 10_000 });

  await editor.getByPlaceholder('Reason (maintenance, bump test ...)').fill('bump test');
  await editor.getByRole('button', { name: 'Take out of service' }).click();
  await editor.locator('[data-out-of-service]').filter({ hasText: 'bump test' }).waitFor({ timeout: 5000 });
  await editor.getByRole('button', { name: 'Return to service' }).click();
  await editor.getByRole('button', { name: 'Take out of service' }).waitFor({ timeout: 5000 });
});

test('#15 a pegged transmitter alarms with a Korean text built from its facts', async () => {
  const page = await openConsole(browser, contexts, { url, username: 'admin', password, locale: 'ko-KR' });
  const t0 = Date.now();
  const readings = (ts: number) => [
    {
      sensorId: 'gas15-ui-ch4',
      metric: 'gas',
      gas: 'CH4',
      value: 150,
      unit: '%LEL',
      ts,
      quality: 'fault',
      fault: 'over-range',
    },
  ];
  for (const [seq, ts] of [
    [1, t0],
    [2, t0 + 1100],
  ]) {
    await agent.publishAsync(
      `gwanje/v1/suwon/${AGENT}/telemetry`,
      JSON.stringify({ agentId: AGENT, seq, readings: readings(ts) }),
      {
        qos: 1,
      },
    );
  }
  const row = page.locator('[data-source="gas15-ui-ch4"][data-type=gas-high]');
  await row.waitFor({ timeout: 10_000 });
  assert.match(
    (await row.locator('.text').textContent()) ?? '',
    /CH4 측정 범위 초과 \(150 %LEL\): 설정값 20 %LEL 초과로 간주/,
  );
  await page.locator('.alarm-panel').screenshot({ path: join(artifacts, 'gas-pegged-ko.png') });
});
