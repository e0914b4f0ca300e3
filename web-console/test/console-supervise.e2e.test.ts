/**
 * Issue 21 part C in Chromium against the real center (control-api/src/main.ts, free ports, a
 * pinned config-signing key): a supervisor limited to suwon (Korean) and an admin of every site
 * (English) work the supervisor screens without the REST API: KPIs of a real gas alarm with the
 * uPlot chart; a roster and a policy edited in the forms generated from their schemas, the
 * center's refusal of a bad phone number and of a too-long delay marked on that very field; the
 * week calendar; the audit trail filtered by kind and who (the supervisor sees only suwon's
 * entries); a signed config file pushed to an agent, its drift and the diff; the shift report in
 * both languages. A viewer sees no supervisor screen. Screenshots of every screen in Korean and
 * English go to .artifacts/web-console/supervise-<tab>-<lang>.png.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { signConfig } from '@gwanje/firmware-config';
import type { AgentCredentials, LoginResponse } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../../testkit/index.js';
import { launchChromium, openConsole } from './support/browser.js';
import { type RealCenter, startRealCenter } from './support/real-center.js';

const root = new URL('../../', import.meta.url).pathname;
const artifacts = join(root, '.artifacts', 'web-console');
const password = `sup-${process.pid}-${Date.now()}`;
const SUP = { username: 'sup-suwon', password: 'Correct-Horse-Battery-9' };
const VIEWER = { username: 'view-suwon', password: 'Correct-Horse-Battery-8' };
const AGENT = 'sup21-gw';
const keys = generateKeyPairSync('ed25519');
const keyDir = mkdtempSync(join(tmpdir(), 'gwanje-sup-key-'));
let url = '';
let center: RealCenter;
let browser: Browser;
let agent: MqttClient;
let admin = '';
const contexts: BrowserContext[] = [];
const WAIT = { timeout: 30_000 };

async function call<T>(path: string, method = 'GET', body?: unknown, token = admin): Promise<T> {
  const res = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

const doc = (level: string) => ({
  siteId: 'suwon',
  agentId: AGENT,
  central: { url: 'mqtt://127.0.0.1:1883', username: AGENT, password: 'secret-broker-password-0123456789' },
  field: { url: 'mqtt://127.0.0.1:1884' },
  dataDir: '/var/lib/gwanje',
  logging: { level },
});

const roster = {
  id: 'suwon-crew',
  siteIds: ['suwon'],
  utcOffsetMin: 540,
  contacts: [{ id: 'kim', name: 'Kim Jisoo', phone: '+82 10-1234-5678', lang: 'ko' }],
  shifts: [
    {
      role: 'supervisor',
      name: 'day',
      start: '2026-01-05T08:00',
      rrule: 'FREQ=DAILY',
      durationMin: 720,
      rotation: ['kim'],
    },
  ],
  holidays: [],
  overrides: [],
};

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `supervise-${name}.png`), fullPage: true });
}

async function tab(page: Page, name: string): Promise<void> {
  await page.click(`[data-tab=${name}]`);
  await page.waitForSelector(`[data-panel=${name}]`, WAIT);
}

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  const pub = join(keyDir, 'config.pub.pem');
  writeFileSync(pub, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  center = await startRealCenter({ password, simulate: 0, env: { GWANJE_CONFIG_PUBLIC_KEY: pub } });
  url = center.url;
  admin = (await call<LoginResponse>('/auth/login', 'POST', { username: 'admin', password }, '')).token;
  await call('/users', 'POST', { ...SUP, role: 'supervisor', sites: ['suwon'] });
  await call('/users', 'POST', { ...VIEWER, role: 'viewer', sites: ['suwon'] });
  const creds = await call<AgentCredentials>('/agents', 'POST', { agentId: AGENT, siteId: 'suwon' });
  agent = await mqtt.connectAsync(center.mqttUrl, {
    username: creds.mqtt.username,
    password: creds.mqtt.password,
    clientId: creds.mqtt.clientId ?? AGENT,
    protocolVersion: 4,
  });
  // The agent runs config v1 (pushed by the center) and reports it applied.
  const v1 = signConfig(doc('info'), keys.privateKey);
  await call(`/agents/${AGENT}/config`, 'POST', v1);
  const status = (version: string) =>
    JSON.stringify({
      state: 'online',
      version: 'e2e',
      uptimeS: 1,
      buffered: 0,
      ts: Date.now(),
      config: { version, outcome: 'applied' },
    });
  await agent.publishAsync(`gwanje/v1/suwon/${AGENT}/status`, status(v1.version), { qos: 1, retain: true });
  await waitFor(async () => !(await call<{ drift: boolean }>(`/agents/${AGENT}/config`)).drift, 10_000);
  // A real gas-high alarm in suwon (60 %LEL past the 1 s on-delay), acknowledged by the admin.
  for (let seq = 1; seq <= 4; seq++) {
    const readings = [
      { sensorId: 'sup21-ch4', metric: 'gas', gas: 'CH4', value: 60, unit: '%LEL', ts: Date.now(), quality: 'good' },
    ];
    await agent.publishAsync(`gwanje/v1/suwon/${AGENT}/telemetry`, JSON.stringify({ agentId: AGENT, seq, readings }), {
      qos: 1,
    });
    await new Promise((r) => setTimeout(r, 700));
  }
  let alarmId = '';
  await waitFor(async () => {
    const list = await call<{ id: string; type: string }[]>('/alarms?siteId=suwon');
    alarmId = list.find((a) => a.type === 'gas-high')?.id ?? '';
    return alarmId !== '';
  }, 15_000);
  await call(`/alarms/${alarmId}/ack`, 'POST', { comment: 'crew sent' });
  await call('/escalation/rosters', 'PUT', [roster]);
  browser = await launchChromium();
  mkdirSync(artifacts, { recursive: true });
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await agent?.endAsync();
  await center?.stop();
  rmSync(keyDir, { recursive: true, force: true });
});

test('supervisor screens in Korean and English: KPIs, forms, calendar, audit, config drift, shift report', {
  timeout: 420_000,
}, async () => {
  const ko = await openConsole(browser, contexts, { url, ...SUP, locale: 'ko-KR' });
  const en = await openConsole(browser, contexts, { url, username: 'admin', password, locale: 'en-US' });
  for (const page of [ko, en]) {
    await page.click('[data-nav=supervise]');
    await page.waitForSelector('[data-panel=kpis]', WAIT);
  }

  // KPIs: the suwon gas alarm counted, the per-10-min chart drawn, suwon in the per-site table.
  for (const page of [ko, en]) {
    await page.click('.kpi-view button[type=submit]');
    await page.waitForSelector('.kpi-chart canvas', WAIT);
    assert.ok(Number(await page.textContent('[data-kpi=activations] dd')) >= 1);
    await page.waitForSelector('[data-table=kpi-sites] tr[data-site=suwon]', WAIT);
  }
  assert.match((await ko.textContent('.kpi-view h2')) ?? '', /경보 시스템 성능/);
  assert.match((await en.textContent('.kpi-view h2')) ?? '', /Alarm system performance/);
  await shoot(ko, 'kpis-ko');
  await shoot(en, 'kpis-en');

  // Rosters (supervisor, Korean): change the shift length through the generated form and save.
  await tab(ko, 'escalation');
  const rosters = ko.locator('[data-editor="/escalation/rosters"]');
  await rosters.locator('[data-path="0.shifts.0.durationMin"]').waitFor(WAIT);
  await rosters.locator('[data-path="0.shifts.0.durationMin"]').fill('600');
  await rosters.locator('button[type=submit]').click();
  await rosters.locator('[data-save-status].ok').waitFor(WAIT);
  const saved = await call<(typeof roster)[]>('/escalation/rosters');
  assert.equal(saved[0].shifts[0].durationMin, 600);
  // A bad phone number: the center refuses and the form marks that very input.
  await rosters.locator('[data-path="0.contacts.0.phone"]').fill('call me maybe');
  await rosters.locator('button[type=submit]').click();
  const badPhone = rosters.locator('[data-path="0.contacts.0.phone"][aria-invalid=true]');
  await badPhone.waitFor(WAIT);
  assert.match((await rosters.locator('.field-error').first().textContent()) ?? '', /0\.contacts\.0\.phone/);
  assert.equal((await call<(typeof roster)[]>('/escalation/rosters'))[0].contacts[0].phone, roster.contacts[0].phone);
  // The week calendar shows the RRULE shift with whose turn it is.
  await ko.locator('.shift-block', { hasText: 'Kim Jisoo' }).first().waitFor(WAIT);
  // Policies are an admin's: read-only for the supervisor.
  assert.equal(await ko.locator('[data-editor="/escalation/policies"] button[type=submit]').count(), 0);
  await shoot(ko, 'escalation-ko');

  // Policies (admin, English): a valid change saves, a delay beyond a day is marked.
  await tab(en, 'escalation');
  const policies = en.locator('[data-editor="/escalation/policies"]');
  await policies.locator('[data-path="0.tiers.1.delaySec"]').waitFor(WAIT);
  await policies.locator('[data-path="0.tiers.1.delaySec"]').fill('90');
  await policies.locator('button[type=submit]').click();
  await policies.locator('[data-save-status].ok').waitFor(WAIT);
  const pols = await call<{ tiers: { delaySec: number }[] }[]>('/escalation/policies');
  assert.equal(pols[0].tiers[1].delaySec, 90);
  await policies.locator('[data-path="0.tiers.1.delaySec"]').fill('100000');
  await policies.locator('button[type=submit]').click();
  await policies.locator('[data-path="0.tiers.1.delaySec"][aria-invalid=true]').waitFor(WAIT);
  assert.match((await policies.locator('.field-error').first().textContent()) ?? '', /must be <= 86400/);
  await shoot(en, 'escalation-en');

  // SMS log screens (no SMS gateway configured here: the table is there, filters work).
  for (const page of [ko, en]) {
    await tab(page, 'sms');
    await page.selectOption('.sms-log [data-filter=status]', 'failed');
    await page.click('.sms-log button[type=submit]');
    await page.waitForSelector('[data-table=sms]', WAIT);
    for (const s of await page
      .locator('[data-table=sms] tbody tr')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-status'))))
      assert.equal(s, 'failed');
  }
  await shoot(ko, 'sms-ko');
  await shoot(en, 'sms-en');

  // Audit: the supervisor filters by kind and sees suwon's alarm actions, never site-less logins.
  await tab(ko, 'audit');
  await ko.waitForSelector('[data-table=audit] tbody tr', WAIT);
  const all = await ko
    .locator('[data-table=audit] tbody tr')
    .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
  assert.ok(!all.some((a) => a?.startsWith('login.')), `supervisor saw site-less entries: ${all.join(', ')}`);
  await ko.selectOption('.audit-view [data-filter=kind]', 'alarm');
  await ko.click('.audit-view button[type=submit]');
  await ko.waitForSelector('[data-table=audit] tbody tr[data-action="alarm.ack"]', WAIT);
  const alarmRows = await ko
    .locator('[data-table=audit] tbody tr')
    .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action')));
  assert.ok(
    alarmRows.every((a) => a?.startsWith('alarm.')),
    alarmRows.join(', '),
  );
  await shoot(ko, 'audit-ko');
  // The admin reads the whole trail: the supervisor's login, filtered by who and kind.
  await tab(en, 'audit');
  await en.fill('.audit-view [data-filter=actor]', SUP.username);
  await en.selectOption('.audit-view [data-filter=kind]', 'login');
  await en.click('.audit-view button[type=submit]');
  await en.waitForSelector('[data-table=audit] tbody tr[data-action="login.success"]', WAIT);
  await shoot(en, 'audit-en');

  // Config: in sync at first; a signed v2 file (debug logging) shows its diff, is pushed, drift shows.
  await tab(en, 'config');
  await en.selectOption('.config-push [data-filter=agent]', AGENT);
  await en.waitForSelector('[data-config-state=in-sync]', WAIT);
  const v2 = signConfig(doc('debug'), keys.privateKey);
  await en.setInputFiles('[data-config-file]', {
    name: 'sup21-gw.signed.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(v2)),
  });
  await en.waitForSelector('[data-file-info]', WAIT);
  await en.waitForSelector('.config-diff tr[data-path="logging.level"]', WAIT);
  assert.ok(!(await en.content()).includes('secret-broker-password'), 'the preview shows a secret');
  await en.click('[data-push]');
  await en.waitForSelector('[data-push-status].ok', WAIT);
  await en.waitForSelector('[data-config-state=drift]', WAIT);
  const drift = en.locator('.config-diff tr[data-path="logging.level"]');
  assert.equal(await drift.locator('.diff-before').textContent(), '"info"');
  assert.equal(await drift.locator('.diff-after').textContent(), '"debug"');
  await shoot(en, 'config-en');
  // The supervisor sees the drift of the suwon agent too, but may not push.
  await tab(ko, 'config');
  await ko.selectOption('.config-push [data-filter=agent]', AGENT);
  await ko.waitForSelector('[data-config-state=drift]', WAIT);
  assert.equal(await ko.locator('[data-config-file]').isDisabled(), true);
  await shoot(ko, 'config-ko');

  // Shift report: rendered by the center, in the chosen language, with the alarm and its ack.
  for (const [page, heading] of [
    [ko, '근무 보고서'],
    [en, 'Shift report'],
  ] as const) {
    await tab(page, 'report');
    await page.click('.shift-report button[type=submit]');
    const frame = page.frameLocator('.report-frame');
    await frame.locator('h1').waitFor(WAIT);
    assert.equal(await frame.locator('h1').textContent(), heading);
    const p1 = frame.locator('table.response tbody tr').first();
    assert.deepEqual((await p1.locator('td').allTextContents()).slice(1, 3), ['1', '1']);
    await frame.locator('table.duty', { hasText: 'Kim Jisoo' }).waitFor(WAIT);
    await page.waitForSelector('[data-print]', WAIT);
    await shoot(page, `report-${page === ko ? 'ko' : 'en'}`);
  }
});

test('a viewer sees no supervisor screen and the API refuses it', { timeout: 120_000 }, async () => {
  const page = await openConsole(browser, contexts, { url, ...VIEWER, locale: 'en-US' });
  assert.equal(await page.locator('[data-nav=supervise]').count(), 0);
  await page.evaluate(() => {
    location.hash = '/supervise/audit';
  });
  await page.waitForSelector('main[data-view=wall]', WAIT);
  const token = (await call<LoginResponse>('/auth/login', 'POST', VIEWER, '')).token;
  for (const path of ['/kpis?siteId=suwon', '/audit', '/notifications', '/reports/shift', '/escalation/shifts']) {
    const res = await fetch(`${url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, path.startsWith('/kpis') ? 200 : 403, path);
  }
});
