/**
 * Escalation HTTP (issue 8) in the center's route table: site scope on rosters, policies and
 * "who is on duty now"; bodies validated by the escalation schemas (400 naming the field);
 * PUTs audited; the Kannel callbacks answer only with the shared key.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHarness, type Harness, KANNEL_KEY } from './harness.js';

const PASSWORD = 'correct horse battery staple';
let h: Harness;
let root: string;
let sup: string;
let viewer: string;

const roster = (id: string, siteIds: string[] | '*') => ({
  id,
  siteIds,
  utcOffsetMin: 540,
  contacts: [{ id: 'kim', name: 'Kim', phone: '+821012345678', lang: 'ko' }],
  // Always on duty (a 24 h shift every day) so "who is on duty now" has an answer at any clock.
  shifts: [
    { role: 'supervisor', start: '2020-01-01T00:00', rrule: 'FREQ=DAILY', durationMin: 1440, rotation: ['kim'] },
  ],
  holidays: [],
  overrides: [],
});

before(async () => {
  h = await createHarness();
  for (const [u, role, sites] of [
    ['root', 'admin', ['*']],
    ['sup', 'supervisor', ['suwon']],
    ['viewer', 'viewer', ['suwon']],
  ] as const)
    await h.auth.users.create({ username: u, password: PASSWORD, role, sites: [...sites] }, 'test', null);
  [root, sup, viewer] = await Promise.all(['root', 'sup', 'viewer'].map((u) => h.login(u, PASSWORD)));
});
after(() => h.close());

test('a site-limited supervisor sees and replaces only rosters of their sites; others are kept', async () => {
  let r = await h.call('PUT', '/api/v1/escalation/rosters', {
    token: root,
    body: [roster('suwon-duty', ['suwon']), roster('seongnam-duty', ['seongnam'])],
  });
  assert.equal(r.status, 200, r.text);
  r = await h.call('GET', '/api/v1/escalation/rosters', { token: sup });
  assert.deepEqual(
    (r.json as { id: string }[]).map((x) => x.id),
    ['suwon-duty'],
  );
  r = await h.call('PUT', '/api/v1/escalation/rosters', { token: sup, body: [roster('suwon-night', ['suwon'])] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(
    h.escalation.service
      .getRosters()
      .map((x) => x.id)
      .sort(),
    ['seongnam-duty', 'suwon-night'],
  );
  r = await h.call('PUT', '/api/v1/escalation/rosters', { token: sup, body: [roster('x', ['seongnam'])] });
  assert.equal(r.status, 403);
  r = await h.call('PUT', '/api/v1/escalation/rosters', {
    token: sup,
    body: [{ ...roster('y', ['suwon']), utcOffsetMin: 'KST' }],
  });
  assert.equal(r.status, 400);
  assert.match((r.json as { error: { message: string } }).error.message, /utcOffsetMin/);
  const audit = await h.call('GET', '/api/v1/audit?action=rules.change', { token: root });
  assert.ok(
    (audit.json as { target: string; actor: string }[]).some(
      (a) => a.actor === 'sup' && a.target === 'escalation/rosters',
    ),
  );

  // Who is on duty now: a viewer of suwon gets suwon's roster; asking for seongnam is 403.
  r = await h.call('GET', '/api/v1/oncall', { token: viewer });
  assert.deepEqual(
    (r.json as { roster: string }[]).map((x) => x.roster),
    ['suwon-night'],
  );
  r = await h.call('GET', '/api/v1/oncall?siteId=seongnam', { token: viewer });
  assert.equal(r.status, 403);
});

test("I5: contacts are shown only within the caller's sites; phones in full only to roster managers of them", async () => {
  let r = await h.call('PUT', '/api/v1/escalation/rosters', {
    token: root,
    body: [roster('province', '*'), roster('suwon-duty', ['suwon'])],
  });
  assert.equal(r.status, 200, r.text);
  r = await h.call('GET', '/api/v1/escalation/rosters', { token: sup });
  assert.deepEqual(
    (r.json as { id: string }[]).map((x) => x.id),
    ['suwon-duty'],
    "the province roster (every contact of every site) is not a suwon supervisor's to read",
  );
  r = await h.call('GET', '/api/v1/oncall', { token: viewer });
  assert.deepEqual((r.json as { roster: string }[]).map((x) => x.roster).sort(), ['province', 'suwon-duty']);
  assert.ok(!r.text.includes('+821012345678'), r.text);
  assert.match(r.text, /\+821\*{5}5678/);
  r = await h.call('GET', '/api/v1/oncall?siteId=suwon', { token: sup });
  const phones = (r.json as { roster: string; duty: { contacts: { phone: string }[] }[] }[]).map((x) => [
    x.roster,
    x.duty[0]?.contacts[0]?.phone,
  ]);
  assert.deepEqual(phones.sort(), [
    ['province', '+821*****5678'],
    ['suwon-duty', '+821012345678'],
  ]);
});

test('F16: a contact that names a user must be one who may acknowledge there, with the phone on record', async () => {
  await h.auth.users.create(
    { username: 'op-kim', password: PASSWORD, role: 'operator', sites: ['suwon'], phone: '010-1234-5678' },
    'test',
    null,
  );
  const withUser = (username: string, phone = '+821012345678', siteIds: string[] | '*' = ['suwon']) => ({
    ...roster('named', siteIds),
    contacts: [{ id: 'kim', name: 'Kim', phone, lang: 'ko', username }],
  });
  const cases: [unknown, number, string?][] = [
    [withUser('nobody'), 400, '0.contacts.0.username'],
    [withUser('viewer'), 400, '0.contacts.0.username'],
    [withUser('op-kim', '+821012345678', '*'), 400, '0.contacts.0.username'],
    [withUser('op-kim', '010-9999-8888'), 400, '0.contacts.0.phone'],
    [withUser('op-kim'), 200],
  ];
  for (const [body, status, field] of cases) {
    const r = await h.call('PUT', '/api/v1/escalation/rosters', { token: root, body: [body] });
    assert.equal(r.status, status, r.text);
    if (field) assert.equal((r.json as { error: { field: string } }).error.field, field);
  }
});

test('Kannel callbacks need the shared key', async () => {
  const mo = '/api/v1/sms/kannel/dlr?ref=abc&status=1';
  assert.equal((await h.call('GET', mo)).status, 403);
  assert.equal((await h.call('GET', `${mo}&key=wrong`)).status, 403);
  assert.equal((await h.call('GET', `${mo}&key=${encodeURIComponent(KANNEL_KEY)}`)).status, 200);
});
