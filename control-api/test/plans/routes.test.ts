/**
 * Issue 21 over HTTP (the real app, SQLite, the harness's users): a plan upload is checked by its
 * bytes (PNG, JPEG from ffmpeg, SVG sanitised, a PDF page rendered by pdftoppm, anything else
 * 415, too large 413) and served with a CSP that runs nothing; positions are in the layout and in
 * the CONTRACT lists; an SOP checklist is configured, read on an alarm and ticked into its journal.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { AlarmSop, SiteLayout, SitePlanInfo } from '@gwanje/protocol';
import { PLAN_MAX_BYTES } from '../../src/plans/image.js';
import { createHarness, type Harness } from '../http/harness.js';
import { makePdf, makePng } from './images.js';

let h: Harness;
let admin: string;
let operator: string;
let supervisor: string;
const PASSWORD = 'correct horse battery staple';

before(async () => {
  h = await createHarness();
  await h.seedDevices(['suwon', 'seongnam']);
  for (const [username, role] of [
    ['planner', 'admin'],
    ['op', 'operator'],
    ['sup', 'supervisor'],
  ] as const) {
    await h.auth.users.create({ username, password: PASSWORD, role, sites: ['suwon'] }, 'test', null);
  }
  admin = await h.login('planner', PASSWORD);
  operator = await h.login('op', PASSWORD);
  supervisor = await h.login('sup', PASSWORD);
});
after(() => h.close());

const upload = (bytes: Uint8Array, type = 'application/octet-stream', q = '') =>
  h.call('PUT', `/api/v1/sites/suwon/plan${q}`, { token: admin, raw: bytes, headers: { 'content-type': type } });

test('plan upload: the type comes from the bytes; size read from PNG, JPEG, SVG and a PDF page', async () => {
  const png = await upload(makePng(320, 200), 'image/svg+xml'); // a lying Content-Type changes nothing
  assert.equal(png.status, 200, png.text);
  const info = png.json as SitePlanInfo;
  assert.deepEqual([info.mime, info.width, info.height, info.updatedBy], ['image/png', 320, 200, 'planner']);

  const jpeg = execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=gray:s=120x80',
    '-frames:v',
    '1',
    '-f',
    'mjpeg',
    '-',
  ]);
  const j = await upload(jpeg);
  assert.equal(j.status, 200, j.text);
  assert.deepEqual(
    [(j.json as SitePlanInfo).mime, (j.json as SitePlanInfo).width, (j.json as SitePlanInfo).height],
    ['image/jpeg', 120, 80],
  );

  const pdf = await upload(makePdf(300, 150), 'application/pdf', '?page=1');
  assert.equal(pdf.status, 200, pdf.text);
  const p = pdf.json as SitePlanInfo;
  assert.equal(p.mime, 'image/png', 'a PDF page is stored as a PNG');
  assert.equal(Math.round(p.width / p.height), 2);
  const missingPage = await upload(makePdf(300, 150), 'application/pdf', '?page=3');
  assert.equal(missingPage.status, 400);

  for (const [bytes, status, code] of [
    [Buffer.from('GIF89a\x01\x00\x01\x00'), 415, 'unsupported-media-type'],
    [Buffer.from('<html><script>alert(1)</script></html>'), 415, 'unsupported-media-type'],
    [Buffer.alloc(0), 400, 'bad-image'],
    [Buffer.alloc(PLAN_MAX_BYTES + 1), 413, undefined],
  ] as const) {
    const r = await upload(bytes);
    assert.equal(r.status, status, r.text);
    if (code) assert.equal((r.json as { error: { code: string } }).error.code, code);
  }
});

test('an SVG plan is stripped of scripts, handlers and outside references, and served with a CSP', async () => {
  const svg = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 800 400" onload="alert(1)">
  <script>fetch('/api/v1/users')</script>
  <rect width="800" height="400" fill="#eee" onclick="steal()"/>
  <foreignObject><iframe src="https://evil.example"></iframe></foreignObject>
  <image xlink:href="https://evil.example/track.png" width="10" height="10"/>
  <a href="javascript:alert(1)"><text x="10" y="20">Boiler room</text></a>
  <use href="#room"/>
</svg>`;
  const r = await upload(Buffer.from(svg), 'image/svg+xml');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([(r.json as SitePlanInfo).width, (r.json as SitePlanInfo).height], [800, 400]);
  const got = await h.call('GET', '/api/v1/sites/suwon/plan', { token: operator });
  assert.equal(got.status, 200);
  assert.match(got.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  assert.match(got.headers.get('content-security-policy') ?? '', /default-src 'none'.*sandbox/);
  assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
  for (const bad of ['<script', 'onload', 'onclick', 'foreignObject', 'evil.example', 'javascript:'])
    assert.ok(!got.text.includes(bad), `${bad} removed`);
  for (const kept of ['Boiler room', '<rect', 'href="#room"']) assert.ok(got.text.includes(kept), `${kept} kept`);
  const entity = await upload(
    Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg viewBox="0 0 1 1"/>'),
  );
  assert.equal(entity.status, 400);
});

test('positions: a bad one is a 400 naming the field; placed devices are in the layout and the CONTRACT lists', async () => {
  const bad = await h.call('PUT', '/api/v1/cameras/suwon-cam-1/position', { token: admin, body: { x: 1.5, y: 0.2 } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /x/);
  const extra = await h.call('PUT', '/api/v1/sensors/suwon-ch4-1/position', {
    token: admin,
    body: { x: 0.1, y: 0.2, fov: 90 },
  });
  assert.equal(extra.status, 400, 'a sensor has no field of view');
  const cam = { x: 0.25, y: 0.75, direction: 45, fov: 70, range: 0.4 };
  assert.equal((await h.call('PUT', '/api/v1/cameras/suwon-cam-1/position', { token: admin, body: cam })).status, 200);
  assert.equal(
    (await h.call('PUT', '/api/v1/sensors/suwon-ch4-1/position', { token: admin, body: { x: 0.5, y: 0.5 } })).status,
    200,
  );
  const layout = (await h.call('GET', '/api/v1/sites/suwon/layout', { token: operator })).json as SiteLayout;
  assert.deepEqual(layout.cameras, [{ cameraId: 'suwon-cam-1', position: cam }]);
  assert.deepEqual(layout.sensors, [{ sensorId: 'suwon-ch4-1', position: { x: 0.5, y: 0.5 } }]);
  assert.equal(layout.plan?.siteId, 'suwon');
  const cams = (await h.call('GET', '/api/v1/cameras?siteId=suwon', { token: operator })).json as {
    cameraId: string;
    position?: unknown;
  }[];
  assert.deepEqual(cams.find((c) => c.cameraId === 'suwon-cam-1')?.position, cam);
  const sensors = (await h.call('GET', '/api/v1/sensors?siteId=suwon', { token: operator })).json as {
    sensorId: string;
    position?: unknown;
  }[];
  assert.deepEqual(sensors.find((s) => s.sensorId === 'suwon-ch4-1')?.position, { x: 0.5, y: 0.5 });
  const audit = await h.repos.audit.list({});
  assert.ok(JSON.stringify(audit).includes('suwon-cam-1'));
  // Another site's device is not there for this admin.
  const other = await h.call('PUT', '/api/v1/cameras/seongnam-cam-1/position', { token: admin, body: cam });
  assert.equal(other.status, 404);
});

test('SOP: a supervisor sets the checklist, an operator ticks steps into the journal, who and when', async () => {
  const steps = [
    { id: 'call-manager', text: 'Call the site manager' },
    { id: 'confirm-camera', text: 'Confirm on camera' },
    { id: 'request-119', text: 'Request 119 dispatch' },
  ];
  const dup = await h.call('PUT', '/api/v1/sops', {
    token: supervisor,
    body: { siteId: 'suwon', alarmType: 'gas-high', steps: [steps[0], steps[0]] },
  });
  assert.equal(dup.status, 400);
  assert.match(dup.text, /steps\/1\/id/);
  const everywhere = await h.call('PUT', '/api/v1/sops', {
    token: supervisor,
    body: { siteId: null, alarmType: 'gas-high', steps },
  });
  assert.equal(everywhere.status, 403, 'a supervisor of one site cannot set the province-wide checklist');
  const put = await h.call('PUT', '/api/v1/sops', {
    token: supervisor,
    body: { siteId: 'suwon', alarmType: 'gas-high', steps },
  });
  assert.equal(put.status, 200, put.text);

  const id = await h.newAlarm('suwon');
  const before = (await h.call('GET', `/api/v1/alarms/${id}/sop`, { token: operator })).json as AlarmSop;
  assert.equal(before.source, 'site');
  assert.deepEqual(
    before.steps.map((s) => [s.id, s.done]),
    steps.map((s) => [s.id, undefined]),
  );
  const tick = await h.call('POST', `/api/v1/alarms/${id}/sop/confirm-camera`, {
    token: operator,
    body: { comment: 'smoke visible on cam 1' },
  });
  assert.equal(tick.status, 200, tick.text);
  const after = tick.json as AlarmSop;
  const done = after.steps.find((s) => s.id === 'confirm-camera')?.done;
  assert.equal(done?.by, 'op');
  assert.equal(done?.at, h.clock.now());
  assert.equal(done?.comment, 'smoke visible on cam 1');
  h.clock.advance(5000);
  const again = (await h.call('POST', `/api/v1/alarms/${id}/sop/confirm-camera`, { token: operator, body: {} }))
    .json as AlarmSop;
  assert.equal(again.steps.find((s) => s.id === 'confirm-camera')?.done?.at, done?.at, 'the first tick stands');
  const unknown = await h.call('POST', `/api/v1/alarms/${id}/sop/nope`, { token: operator, body: {} });
  assert.equal(unknown.status, 404);
  const detail = (await h.call('GET', `/api/v1/alarms/${id}`, { token: operator })).json as {
    journal: { action: string; actor: string; comment?: string; facts?: { step?: string } }[];
  };
  const entries = detail.journal.filter((j) => j.action === 'sop-step');
  assert.equal(entries.length, 1);
  assert.deepEqual([entries[0].actor, entries[0].facts?.step], ['op', 'confirm-camera']);
  assert.equal(entries[0].comment, 'Confirm on camera\nsmoke visible on cam 1');
});

test('SOP: an operator unticks a step (who, when, why into the journal, audited); ticked again, it shows the new tick', async () => {
  const steps = [{ id: 'evacuate', text: 'Evacuate the plant' }];
  const put = await h.call('PUT', '/api/v1/sops', {
    token: supervisor,
    body: { siteId: 'suwon', alarmType: 'gas-high', steps },
  });
  assert.equal(put.status, 200, put.text);
  await h.auth.users.create(
    { username: 'watcher', password: PASSWORD, role: 'viewer', sites: ['suwon'] },
    'test',
    null,
  );
  const viewer = await h.login('watcher', PASSWORD);
  const id = await h.newAlarm('suwon');
  const path = `/api/v1/alarms/${id}/sop/evacuate`;
  const untickedFirst = await h.call('DELETE', path, { token: operator });
  assert.equal(untickedFirst.status, 200, untickedFirst.text);
  assert.equal((untickedFirst.json as AlarmSop).steps[0].undone, undefined, 'nothing to take back yet');

  const tickedAt = h.clock.now();
  assert.equal((await h.call('POST', path, { token: operator, body: {} })).status, 200);
  h.clock.advance(7000);
  const undo = await h.call('DELETE', path, { token: operator, body: { comment: 'ticked by mistake' } });
  assert.equal(undo.status, 200, undo.text);
  const step = (undo.json as AlarmSop).steps[0];
  assert.equal(step.done, undefined);
  assert.deepEqual(step.undone, { by: 'op', at: tickedAt + 7000, comment: 'ticked by mistake' });
  assert.equal((await h.call('DELETE', path, { token: viewer })).status, 403, 'a viewer cannot untick');

  h.clock.advance(3000);
  const again = (await h.call('POST', path, { token: operator, body: {} })).json as AlarmSop;
  assert.deepEqual(again.steps[0].done, { by: 'op', at: tickedAt + 10_000 });
  assert.equal(again.steps[0].undone, undefined);

  const detail = (await h.call('GET', `/api/v1/alarms/${id}`, { token: operator })).json as {
    journal: { action: string; actor: string; ts: number; comment?: string; facts?: { step?: string } }[];
  };
  assert.deepEqual(
    detail.journal
      .filter((j) => j.facts?.step === 'evacuate')
      .map((j) => [j.action, j.actor, j.ts - tickedAt, j.comment]),
    [
      ['sop-step', 'op', 0, 'Evacuate the plant'],
      ['sop-step-undone', 'op', 7000, 'Evacuate the plant\nticked by mistake'],
      ['sop-step', 'op', 10_000, 'Evacuate the plant'],
    ],
  );
  const audit = await h.repos.audit.list({});
  const undone = audit.filter((a) => a.action === 'alarm.sop-step-undone' && a.target === id);
  assert.equal(undone.length, 1);
  assert.equal(undone[0].actor, 'op');
  // Another site's alarm is not there for this operator.
  const other = await h.newAlarm('seongnam');
  assert.equal((await h.call('DELETE', `/api/v1/alarms/${other}/sop/evacuate`, { token: operator })).status, 404);
});

test('link radius per site: an admin sets it from the plan screen (audited, in the layout), bad values and other sites refused', async () => {
  const layout = async () =>
    (await h.call('GET', '/api/v1/sites/suwon/layout', { token: operator })).json as SiteLayout;
  assert.deepEqual([(await layout()).linkRadius, (await layout()).defaultLinkRadius], [0.2, 0.2]);
  const put = await h.call('PUT', '/api/v1/sites/suwon/link-radius', { token: admin, body: { linkRadius: 0.35 } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(put.json, { siteId: 'suwon', linkRadius: 0.35, defaultLinkRadius: 0.2 });
  assert.equal((await layout()).linkRadius, 0.35);
  const audit = await h.repos.audit.list({});
  assert.ok(audit.some((a) => a.action === 'site.link-radius' && a.target === 'suwon' && a.actor === 'planner'));

  const tooBig = await h.call('PUT', '/api/v1/sites/suwon/link-radius', { token: admin, body: { linkRadius: 5 } });
  assert.equal(tooBig.status, 400);
  const err = (tooBig.json as { error: { field: string; reason: string; params: { field: string } } }).error;
  assert.deepEqual([err.field, err.reason, err.params.field], ['linkRadius', 'field-invalid', 'linkRadius']);
  assert.equal((await layout()).linkRadius, 0.35, 'a refused value changes nothing');
  const op = await h.call('PUT', '/api/v1/sites/suwon/link-radius', { token: operator, body: { linkRadius: 0.1 } });
  assert.equal(op.status, 403, 'an operator cannot change it');
  const other = await h.call('PUT', '/api/v1/sites/seongnam/link-radius', { token: admin, body: { linkRadius: 0.1 } });
  assert.equal(other.status, 404);
  assert.equal((other.json as { error: { reason: string } }).error.reason, 'site-unknown');

  const reset = await h.call('PUT', '/api/v1/sites/suwon/link-radius', { token: admin, body: { linkRadius: null } });
  assert.equal((reset.json as SiteLayout).linkRadius, 0.2);
});

test('refusals carry a stable reason and its values for the console (plans, SOPs)', async () => {
  const empty = await upload(new Uint8Array(0));
  assert.equal((empty.json as { error: { reason: string } }).error.reason, 'plan-empty');
  // Too large is refused while reading the body: the code alone says it (the console translates codes too).
  const big = await upload(new Uint8Array(PLAN_MAX_BYTES + 1));
  assert.equal(big.status, 413);
  assert.equal((big.json as { error: { code: string } }).error.code, 'payload-too-large');
  const text = await upload(new TextEncoder().encode('hello'));
  assert.equal((text.json as { error: { reason: string } }).error.reason, 'plan-type');
  const dup = await h.call('PUT', '/api/v1/sops', {
    token: supervisor,
    body: {
      siteId: 'suwon',
      alarmType: 'smoke',
      steps: [
        { id: 'a', text: 'A' },
        { id: 'a', text: 'B' },
      ],
    },
  });
  assert.deepEqual((dup.json as { error: object }).error, {
    code: 'bad-request',
    message: 'steps/1/id: duplicate step id a',
    field: 'steps/1/id',
    reason: 'sop-step-duplicate',
    params: { id: 'a' },
  });
  const outside = await h.call('PUT', '/api/v1/sops', {
    token: supervisor,
    body: { siteId: 'seongnam', alarmType: 'smoke', steps: [{ id: 'a', text: 'A' }] },
  });
  assert.equal(outside.status, 403);
  assert.deepEqual((outside.json as { error: { reason: string; params: object } }).error.params, {
    siteId: 'seongnam',
  });
});
