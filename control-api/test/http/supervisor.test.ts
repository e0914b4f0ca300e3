/**
 * Issue 21 part C over HTTP: the audit trail by site, kind and page for supervisors (their sites
 * only, never site-less entries), the SMS log's checks, shift occurrences, the printable shift
 * report (escaped, audited) and KPIs per site.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { NotificationRow } from '@gwanje/escalation';
import { createHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
let h: Harness;
let root: string;
let sup: string;

interface AuditRow {
  id: number;
  ts: number;
  action: string;
  siteId: string | null;
}

before(async () => {
  h = await createHarness();
  await h.seedDevices(['suwon', 'seongnam']);
  for (const [u, role, sites] of [
    ['root', 'admin', ['*']],
    ['sup', 'supervisor', ['suwon']],
  ] as const)
    await h.auth.users.create({ username: u, password: PASSWORD, role, sites: [...sites] }, 'test', null);
  [root, sup] = await Promise.all(['root', 'sup'].map((u) => h.login(u, PASSWORD)));
  // Five acks in suwon, two in seongnam: audited with their site.
  for (const site of ['suwon', 'suwon', 'suwon', 'suwon', 'suwon', 'seongnam', 'seongnam']) {
    const id = await h.newAlarm(site);
    const r = await h.call('POST', `/api/v1/alarms/${id}/ack`, { token: root, body: {} });
    assert.equal(r.status, 200, r.text);
  }
});
after(() => h.close());

test('a supervisor reads the audit entries of their sites, by kind, page by page', async () => {
  const all = (await h.call('GET', '/api/v1/audit?limit=1000', { token: sup })).json as AuditRow[];
  assert.ok(all.length >= 5);
  assert.ok(
    all.every((a) => a.siteId === 'suwon'),
    'only suwon entries, no logins',
  );
  const first = (await h.call('GET', '/api/v1/audit?kind=alarm&limit=2', { token: sup })).json as AuditRow[];
  assert.equal(first.length, 2);
  const last = first[1];
  const second = (
    await h.call('GET', `/api/v1/audit?kind=alarm&limit=10&beforeTs=${last.ts}&beforeId=${last.id}`, {
      token: sup,
    })
  ).json as AuditRow[];
  assert.equal(second.length, 3, 'the remaining three suwon acks');
  assert.ok(second.every((a) => a.action === 'alarm.ack' && (a.ts < last.ts || a.id < last.id)));
  assert.equal((await h.call('GET', '/api/v1/audit?siteId=seongnam', { token: sup })).status, 403);
  assert.equal((await h.call('GET', '/api/v1/audit?kind=ALARM%25', { token: sup })).status, 400);
  // The admin of every site reads site-less entries (logins) and any site.
  const logins = (await h.call('GET', '/api/v1/audit?kind=login&actor=sup', { token: root })).json as AuditRow[];
  assert.ok(logins.some((a) => a.action === 'login.success' && a.siteId === null));
  const seongnam = (await h.call('GET', '/api/v1/audit?siteId=seongnam&kind=alarm', { token: root }))
    .json as AuditRow[];
  assert.equal(seongnam.length, 2);
});

test('KPIs per site; SMS log and shift filters are checked; the shift report is HTML, escaped and audited', async () => {
  const k = (await h.call('GET', '/api/v1/kpis', { token: root })).json as {
    activations: number;
    sites: { siteId: string; activations: number }[];
    series: { counts: number[] };
  };
  assert.deepEqual(
    k.sites.map((s) => [s.siteId, s.activations]),
    [
      ['suwon', 5],
      ['seongnam', 2],
    ],
  );
  assert.equal(
    k.series.counts.reduce((a, b) => a + b, 0),
    k.activations,
  );
  assert.equal((await h.call('GET', '/api/v1/notifications?status=lost', { token: sup })).status, 400);
  assert.equal((await h.call('GET', '/api/v1/notifications?siteId=suwon', { token: sup })).status, 200);
  const wide = await h.call('GET', '/api/v1/escalation/shifts?from=1767225600000&to=1775001600000', { token: sup });
  assert.equal(wide.status, 400, 'a range beyond 62 days');
  const r = await h.call('GET', '/api/v1/reports/shift?siteId=suwon&lang=en', { token: sup });
  assert.equal(r.status, 200);
  assert.match(r.text, /^<!doctype html>/);
  assert.match(r.text, /<h1>Shift report<\/h1>/);
  assert.ok(!/<script/i.test(r.text));
  const trail = (await h.call('GET', '/api/v1/audit?kind=report', { token: root })).json as { actor: string }[];
  assert.equal(trail[0]?.actor, 'sup');
  assert.equal((await h.call('GET', '/api/v1/reports/shift?lang=fr', { token: sup })).status, 400);
});

test("an alarm's notifications answer camelCase, keep the snake_case names as deprecated aliases, and mask phones below an admin of every site", async () => {
  const alarmId = await h.newAlarm('suwon');
  const row = {
    id: `${alarmId}:1:kim`,
    alarm_id: alarmId,
    site_id: 'suwon',
    step_id: `${alarmId}:1`,
    tier: 1,
    contact_id: 'kim',
    contact_name: 'Kim',
    phone: '+821012345678',
    lang: 'ko',
    status: 'delivered' as const,
    provider: 'kannel',
    message_id: 'm-1',
    text: '가스 경보',
    kind: 'SMS',
    attempts: 1,
    due_at: 1_767_225_600_000,
    next_try_at: 1_767_225_600_000,
    submitted_at: 1_767_225_601_000,
    delivered_at: 1_767_225_602_000,
    failed_at: null,
    lateness_ms: 0,
    error: null,
    group_id: null,
  };
  // As the dispatcher journals a delivered SMS (snake_case columns, no camel-case plugin).
  await h.center.store
    .raw<{ sms_notification: NotificationRow }>()
    .insertInto('sms_notification')
    .values(row)
    .execute();
  type Item = Record<string, unknown>;
  const [asSup] = (await h.call('GET', `/api/v1/alarms/${alarmId}/notifications`, { token: sup })).json as Item[];
  assert.equal(asSup.contactName, 'Kim');
  assert.equal(asSup.alarmId, alarmId);
  assert.equal(asSup.dueAt, row.due_at);
  assert.equal(asSup.deliveredAt, row.delivered_at);
  assert.equal(asSup.status, 'delivered');
  // Deprecated aliases, one release (protocol NotificationSnakeAliases).
  assert.equal(asSup.contact_name, 'Kim');
  assert.equal(asSup.due_at, row.due_at);
  assert.equal(asSup.delivered_at, row.delivered_at);
  assert.equal(asSup.phone, '+821*****5678', 'masked like the SMS log');
  const [asRoot] = (await h.call('GET', `/api/v1/alarms/${alarmId}/notifications`, { token: root })).json as Item[];
  assert.equal(asRoot.phone, '+821012345678');
});
