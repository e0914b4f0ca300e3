/**
 * What an integrator sees from the HTTP API beyond authorization: CONTRACT response shapes,
 * 400s that name the field, 413/415, prototype-pollution bodies refused, login delays (429, F11)
 * and rate limit (429) over HTTP, the audit trail, /healthz, /metrics and the console fallback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness, T0 } from './harness.js';

const PW = 'harbour-crane-5520';
const errOf = (j: unknown) =>
  (j as { error: { code: string; message: string; field?: string; reason?: string; params?: unknown } }).error;

describe('HTTP API', () => {
  let h: Harness;
  let admin: string;
  let op: string;
  let consoleDir: string;
  before(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'gwanje-console-'));
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>Gwanje</title>');
    writeFileSync(join(consoleDir, 'app.js'), 'console.log(1)');
    h = await createHarness({ consoleDir, loginRateLimit: { windowMs: 60_000, limit: 40 } });
    await h.seedDevices(['suwon', 'osan']);
    await h.auth.users.create({ username: 'root', password: PW, role: 'admin', sites: ['*'] }, 'test', null);
    await h.auth.users.create({ username: 'op', password: PW, role: 'operator', sites: ['suwon'] }, 'test', null);
    admin = await h.login('root', PW);
    op = await h.login('op', PW);
  });
  after(async () => {
    await h.close();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  test('login answers the CONTRACT shape; /me tells who I am', async () => {
    const r = await h.call('POST', '/api/v1/auth/login', { body: { username: 'op', password: PW } });
    assert.equal(r.status, 200);
    const j = r.json as { token: string; user: unknown };
    assert.match(j.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(j.user, { username: 'op', role: 'operator', sites: ['suwon'] });
    const me = await h.call('GET', '/api/v1/me', { token: j.token });
    assert.equal((me.json as { username: string }).username, 'op');
    assert.equal((await h.call('GET', '/api/v1/me', { token: `${j.token}x` })).status, 401);
    assert.equal((await h.call('GET', '/api/v1/me', { headers: { authorization: `Basic ${j.token}` } })).status, 401);
  });

  test('a bad body is a 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['/api/v1/auth/login', '', { username: 'op' }, 'password'],
      ['/api/v1/auth/login', '', { username: 5, password: 'x' }, 'username'],
      ['/api/v1/auth/login', '', { username: 'op', password: PW, admin: true }, 'admin'],
      ['/api/v1/agents', admin, { agentId: 'Bad_Id', siteId: 'suwon' }, 'agentId'],
      ['/api/v1/agents', admin, { agentId: 'suwon-agent-9', siteId: 'atlantis' }, 'siteId'],
      ['/api/v1/users', admin, { username: 'neo', password: 'short', role: 'viewer', sites: ['suwon'] }, 'password'],
      ['/api/v1/users', admin, { username: 'neo', password: PW, role: 'root', sites: ['suwon'] }, 'role'],
      ['/api/v1/cameras/suwon-cam-1/ptz', op, { action: 'move', pan: 7 }, 'pan'],
      ['/api/v1/cameras/suwon-cam-1/ptz', op, { action: 'preset' }, 'preset'],
      // F19: a preset is a token, never markup for the agent's ONVIF SOAP body.
      ['/api/v1/cameras/suwon-cam-1/ptz', op, { action: 'preset', preset: '1</PresetToken><Speed/>' }, 'preset'],
    ];
    for (const [path, token, body, field] of cases) {
      const r = await h.call('POST', path, { token, body });
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${r.text}`);
      const e = errOf(r.json);
      assert.equal(e.code, 'bad-request');
      assert.equal(e.field, field, r.text);
      assert.ok(e.message.startsWith(`${field}: `), e.message);
    }
    const id = await h.newAlarm('suwon', 'acked');
    const r = await h.call('POST', `/api/v1/alarms/${id}/shelve`, {
      token: admin,
      body: { minutes: 'ten', reason: 'x' },
    });
    assert.equal(errOf(r.json).field, 'minutes');
  });

  test('oversize bodies are 413, non-JSON 415, and prototype-pollution keys are refused', async () => {
    const big = JSON.stringify({ username: 'op', password: 'x'.repeat(70 * 1024) });
    const r413 = await h.call('POST', '/api/v1/auth/login', { raw: big });
    assert.equal(r413.status, 413);
    assert.equal(errOf(r413.json).code, 'payload-too-large');
    const r415 = await h.call('POST', '/api/v1/auth/login', {
      raw: 'username=op',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(r415.status, 415);
    for (const raw of [
      '{"username":"op","password":"x","__proto__":{"role":"admin"}}',
      '{"username":"op","password":"x","constructor":{"prototype":{"isAdmin":true}}}',
      '{"comment":"ok","__proto__":null}',
    ]) {
      const r = await h.call('POST', '/api/v1/auth/login', { raw });
      assert.equal(r.status, 400, raw);
      assert.match(errOf(r.json).message, /forbidden-key/);
    }
    assert.equal(({} as Record<string, unknown>).role, undefined, 'Object.prototype untouched');
    const bad = await h.call('POST', '/api/v1/auth/login', {
      raw: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    assert.equal(bad.status, 400);
    assert.match(errOf(bad.json).message, /utf8/);
    const extra = await h.call('POST', '/api/v1/auth/logout', { token: op, body: { x: 1 } });
    assert.equal(extra.status, 400);
    assert.equal(errOf(extra.json).field, 'x');
  });

  test('F11: failed logins over HTTP delay that user from that address (429 + Retry-After), never 423; the route is rate limited', async () => {
    await h.auth.users.create({ username: 'choi', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await h.call('POST', '/api/v1/auth/login', { body: { username: 'choi', password: `nope-${i}-nope-nope` } }))
          .status,
      );
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    const slowed = await h.call('POST', '/api/v1/auth/login', { body: { username: 'choi', password: PW } });
    assert.equal(slowed.status, 429);
    assert.equal(errOf(slowed.json).code, 'too-many-attempts');
    assert.equal(slowed.headers.get('retry-after'), '1');
    h.clock.advance(1000);
    assert.equal(
      (await h.call('POST', '/api/v1/auth/login', { body: { username: 'choi', password: PW } })).status,
      200,
    );
    let last = 0;
    for (let i = 0; i < 45 && last !== 429; i++) {
      last = (await h.call('POST', '/api/v1/auth/login', { body: { username: 'x', password: 'y' } })).status;
    }
    assert.equal(last, 429);
  });

  test('POST /agents shows the broker credentials once; GET never shows a hash; DELETE revokes', async () => {
    const r = await h.call('POST', '/api/v1/agents', {
      token: admin,
      body: { agentId: 'osan-agent-7', siteId: 'osan', name: 'Osan 7' },
    });
    assert.equal(r.status, 201);
    const j = r.json as { agentId: string; siteId: string; mqtt: { url: string; username: string; password: string } };
    // The URL of the broker the center runs (GWANJE_MQTT_PUBLIC_URL with an external one).
    assert.equal(j.mqtt.url, h.center.broker.agentUrl);
    assert.equal(j.mqtt.username, 'osan-agent-7');
    assert.ok(await h.agentCreds.verifyBroker('osan-agent-7', j.mqtt.password));
    const list = await h.call('GET', '/api/v1/agents', { token: admin });
    assert.ok(!list.text.includes('scrypt') && !list.text.includes(j.mqtt.password));
    assert.equal(
      (await h.call('POST', '/api/v1/agents', { token: admin, body: { agentId: 'osan-agent-7', siteId: 'osan' } }))
        .status,
      409,
    );
    assert.equal((await h.call('DELETE', '/api/v1/agents/osan-agent-7', { token: admin })).status, 204);
    assert.equal(await h.agentCreds.verifyBroker('osan-agent-7', j.mqtt.password), null);
    assert.equal((await h.call('DELETE', '/api/v1/agents/osan-agent-404', { token: admin })).status, 404);
  });

  test('lists are narrowed to my sites; readings validate their range', async () => {
    const sites = (await h.call('GET', '/api/v1/sites', { token: op })).json as { siteId: string }[];
    assert.deepEqual(
      sites.map((s) => s.siteId),
      ['suwon'],
    );
    const all = (await h.call('GET', '/api/v1/sites', { token: admin })).json as { siteId: string; agents: number }[];
    assert.equal(all.length, 31);
    const sensors = (await h.call('GET', '/api/v1/sensors', { token: op })).json as { sensorId: string }[];
    assert.deepEqual(
      sensors.map((s) => s.sensorId),
      ['suwon-ch4-1'],
    );
    const pts = await h.call('GET', '/api/v1/sensors/suwon-ch4-1/readings', { token: op });
    // The three readings a minute ago (1, 2, 3 %LEL) are one step: min 1, mean 2, max 3.
    const [point, ...more] = (pts.json as { points: number[][] }).points;
    assert.deepEqual([point.slice(1), more], [[1, 2, 3], []]);
    assert.ok(point[0] <= T0 - 60_000 && point[0] > T0 - 120_000, `step start ${point[0]}`);
    const tiny = await h.call(
      'GET',
      `/api/v1/sensors/suwon-ch4-1/readings?from=${h.clock.now() - 86_400_000 * 30}&step=1000`,
      { token: op },
    );
    assert.equal(errOf(tiny.json).field, 'step');
    assert.equal(errOf((await h.call('GET', '/api/v1/alarms?state=burning', { token: op })).json).field, 'state');
    assert.equal(errOf((await h.call('GET', '/api/v1/alarms?from=yesterday', { token: op })).json).field, 'from');
    assert.equal(errOf((await h.call('GET', '/api/v1/alarms?siteId=a&siteId=b', { token: op })).json).field, 'siteId');
    // A typo must not silently return every site: unknown parameters are refused.
    const typo = await h.call('GET', '/api/v1/sensors?siteid=suwon', { token: op });
    assert.equal(typo.status, 400);
    assert.equal(errOf(typo.json).field, 'siteid');
  });

  test('alarm actions: journaled and audited; a forbidden transition is 409 with the engine code', async () => {
    const id = await h.newAlarm('suwon', 'unack');
    const ack = await h.call('POST', `/api/v1/alarms/${id}/ack`, { token: op, body: { comment: 'seen on camera' } });
    assert.equal(ack.status, 200);
    assert.equal((ack.json as { state: string; ackedBy: string }).ackedBy, 'op');
    const again = await h.call('POST', `/api/v1/alarms/${id}/ack`, { token: op });
    assert.equal(again.status, 409);
    assert.equal(errOf(again.json).code, 'invalid-state');
    const got = (await h.call('GET', `/api/v1/alarms/${id}`, { token: op })).json as {
      journal: { action: string; actor: string }[];
    };
    assert.deepEqual(
      got.journal.map((e) => [e.action, e.actor]),
      [['ack', 'op']],
    );
    const audit = (await h.call('GET', `/api/v1/audit?action=alarm.ack&actor=op`, { token: admin })).json as {
      target: string;
      ip: string;
    }[];
    assert.equal(audit[0].target, id);
    assert.ok(audit[0].ip);
    // The owning agent on the center's broker gets the command and answers it.
    const agent = await h.agent('suwon');
    const ptz = await h.call('POST', '/api/v1/cameras/suwon-cam-1/ptz', {
      token: op,
      body: { action: 'move', pan: -0.5, tilt: 0.2 },
    });
    assert.equal(ptz.status, 200, ptz.text);
    assert.equal(agent.cmds.at(-1)?.action, 'ptz.move');
    assert.deepEqual(agent.cmds.at(-1)?.args, { cameraId: 'suwon-cam-1', pan: -0.5, tilt: 0.2, actor: 'op' });
    assert.equal(
      ((await h.call('GET', '/api/v1/audit?action=camera.ptz', { token: admin })).json as unknown[]).length,
      1,
    );
    // Issue 19: an agent the center knows to be disconnected gets no command: 503 with a reason, at once.
    await h.repos.agents.updateStatus('suwon-agent-1', { state: 'offline' });
    const t0 = Date.now();
    const offline = await h.call('POST', '/api/v1/cameras/suwon-cam-1/ptz', { token: op, body: { action: 'stop' } });
    assert.equal(offline.status, 503, offline.text);
    assert.deepEqual(
      { reason: errOf(offline.json).reason, params: errOf(offline.json).params },
      { reason: 'agent-offline', params: { agentId: 'suwon-agent-1' } },
    );
    assert.ok(Number(offline.headers.get('retry-after')) > 0, 'Retry-After');
    assert.ok(Date.now() - t0 < 2_000, 'answered without waiting for the command timeout');
    assert.equal(agent.cmds.length, 1, 'nothing sent to an offline agent');
    await h.repos.agents.updateStatus('suwon-agent-1', { state: 'online' });
  });

  test('alarm clips: listed with a /video URL, served with ?token= and Range, nothing without a token', async () => {
    const id = await h.newAlarm('suwon', 'unack');
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const clipId = h.addClip(id, 'suwon-cam-1', bytes);
    const list = (await h.call('GET', `/api/v1/alarms/${id}/clips`, { token: op })).json as {
      clipId: string;
      url: string;
    }[];
    assert.deepEqual(
      list.map((c) => [c.clipId, c.url]),
      [[clipId, `/video/clips/${id}/${clipId}.mp4`]],
    );
    const file = await fetch(`${h.url}${list[0].url}?token=${op}`, { headers: { range: 'bytes=10-19' } });
    assert.equal(file.status, 206);
    assert.equal(file.headers.get('content-type'), 'video/mp4');
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), bytes.subarray(10, 20));
    assert.equal((await h.call('GET', list[0].url)).status, 401);
    assert.equal((await h.call('GET', `${list[0].url}?token=forged`)).status, 401);
    assert.equal((await h.call('GET', `/video/clips/${id}/nope.mp4`, { token: op })).status, 404);
    assert.equal((await h.call('GET', `/video/clips/${id}/..%2F..%2Fetc%2Fpasswd`, { token: op })).status, 400);
  });

  test('users: create, change, delete over HTTP; passwords never echoed', async () => {
    const c = await h.call('POST', '/api/v1/users', {
      token: admin,
      body: { username: 'yoon', password: PW, role: 'viewer', sites: ['osan'] },
    });
    assert.equal(c.status, 201);
    assert.ok(!c.text.includes(PW) && !c.text.includes('scrypt'));
    assert.equal(
      (
        await h.call('POST', '/api/v1/users', {
          token: admin,
          body: { username: 'yoon', password: PW, role: 'viewer', sites: ['osan'] },
        })
      ).status,
      409,
    );
    const p = await h.call('PATCH', '/api/v1/users/yoon', { token: admin, body: { role: 'supervisor' } });
    assert.equal((p.json as { role: string }).role, 'supervisor');
    assert.equal((await h.call('PATCH', '/api/v1/users/yoon', { token: admin, body: {} })).status, 400);
    assert.equal((await h.call('DELETE', '/api/v1/users/yoon', { token: admin })).status, 204);
    assert.equal((await h.call('DELETE', '/api/v1/users/yoon', { token: admin })).status, 404);
  });

  test('changing my own password needs the current one and ends my sessions', async () => {
    const { token: t } = await h.auth.login('op', PW, '127.0.0.1');
    const wrong = await h.call('POST', '/api/v1/me/password', {
      token: t,
      body: { current: 'not-my-password', password: 'new-pass-phrase-1' },
    });
    assert.equal(wrong.status, 403);
    const weak = await h.call('POST', '/api/v1/me/password', {
      token: t,
      body: { current: PW, password: 'op-op-op-op-op' },
    });
    assert.equal(errOf(weak.json).field, 'password');
    assert.equal(
      (await h.call('POST', '/api/v1/me/password', { token: t, body: { current: PW, password: PW } })).status,
      204,
    );
    assert.equal((await h.call('GET', '/api/v1/me', { token: t })).status, 401);
    op = (await h.auth.login('op', PW, '127.0.0.1')).token;
  });

  test('F15: wrong current passwords on /me/password count into the login throttle (429 + Retry-After)', async () => {
    await h.auth.users.create({ username: 'han', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
    const { token: t } = await h.auth.login('han', PW, '127.0.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await h.call('POST', '/api/v1/me/password', {
        token: t,
        body: { current: `guess-${i}-guess-guess`, password: 'Another-Long-Pass-1' },
      });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [403, 403, 403, 403, 429]);
    const held = await h.call('POST', '/api/v1/me/password', {
      token: t,
      body: { current: PW, password: 'Another-Long-Pass-1' },
    });
    assert.equal(held.status, 429, 'not even the right one while the delay runs');
    assert.equal(held.headers.get('retry-after'), '1');
    h.clock.advance(1000);
    const ok = await h.call('POST', '/api/v1/me/password', {
      token: t,
      body: { current: PW, password: 'Another-Long-Pass-1' },
    });
    assert.equal(ok.status, 204);
  });

  test('a body-less action also accepts an empty JSON object', async () => {
    // (the login route's rate limit is spent by the test above; the service issues the token)
    const { token: t } = await h.auth.login('op', PW, '127.0.0.1');
    assert.equal((await h.call('POST', '/api/v1/auth/logout', { token: t, body: {} })).status, 204);
    assert.equal((await h.call('GET', '/api/v1/me', { token: t })).status, 401);
  });

  test('healthz, metrics, security headers, JSON 404s, console with SPA fallback', async () => {
    const hz = await h.call('GET', '/healthz');
    const health = hz.json as {
      status: string;
      database: string;
      mqtt: string;
      checks: Record<string, { ok: boolean }>;
    };
    assert.equal(hz.status, 200);
    assert.deepEqual([health.status, health.database, health.mqtt], ['ok', 'sqlite', 'up']);
    assert.deepEqual(Object.keys(health.checks).sort(), ['broker', 'database', 'timeseries']);
    assert.equal(hz.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(hz.headers.get('x-powered-by'), null);
    const m = await h.call('GET', '/metrics');
    assert.match(m.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(m.text, /gwanje_readings_total 0/);
    const miss = await h.call('GET', '/api/v1/nothing', { token: op });
    assert.equal(miss.status, 404);
    assert.equal(errOf(miss.json).code, 'not-found');
    const root = await h.call('GET', '/');
    assert.match(root.text, /<title>Gwanje/);
    assert.match(root.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    // I1: WebSockets to this center only, not to any host.
    const host = new URL(h.url).host;
    const connect = /connect-src ([^;]*)/.exec(root.headers.get('content-security-policy') ?? '')?.[1];
    assert.equal(connect, `'self' ws://${host} wss://${host}`);
    assert.match((await h.call('GET', '/alarms/123')).text, /<title>Gwanje/);
    assert.equal((await h.call('GET', '/app.js')).text, 'console.log(1)');
    // /video is the gateway's, never the console fallback: without a token it is refused.
    const video = await h.call('GET', '/video/cam/snapshot.jpg');
    assert.equal(video.status, 401);
    assert.doesNotMatch(video.text, /<title>Gwanje/);
  });
});
