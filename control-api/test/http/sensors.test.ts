/**
 * PATCH /api/v1/sensors/{id} (issue 4 "every rule configurable per sensor", issue 7 admin):
 * validation naming the field, site scope (404 elsewhere), camera links within the site, the
 * audit entry, and GET /sensors showing the saved rules and cameras.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from './harness.js';

const PW = 'harbour-crane-5520';
const errOf = (j: unknown) => (j as { error: { code: string; message: string; field?: string } }).error;

describe('PATCH /api/v1/sensors/{id}', () => {
  let h: Harness;
  let root: string;
  let suwonAdmin: string;
  before(async () => {
    h = await createHarness();
    await h.seedDevices(['suwon', 'osan']);
    await h.auth.users.create({ username: 'root', password: PW, role: 'admin', sites: ['*'] }, 'test', null);
    await h.auth.users.create({ username: 'sadmin', password: PW, role: 'admin', sites: ['suwon'] }, 'test', null);
    root = await h.login('root', PW);
    suwonAdmin = await h.login('sadmin', PW);
  });
  after(() => h.close());

  test('saves rules and camera links, audits, and GET /sensors shows them', async () => {
    const body = {
      rules: [{ type: 'gas-high', setpoint: 40, priority: 1, deadband: 2, onDelayMs: 0, latched: true }],
      cameras: [{ cameraId: 'suwon-cam-1', preset: 'gate' }],
    };
    const r = await h.call('PATCH', '/api/v1/sensors/suwon-ch4-1', { token: suwonAdmin, body });
    assert.equal(r.status, 200, r.text);
    const v = r.json as { sensorId: string; rules: unknown; cameras: unknown };
    assert.equal(v.sensorId, 'suwon-ch4-1');
    assert.deepEqual(v.rules, body.rules);
    assert.deepEqual(v.cameras, body.cameras);

    const list = await h.call('GET', '/api/v1/sensors?siteId=suwon', { token: suwonAdmin });
    const item = (list.json as { sensorId: string; rules: unknown; cameras: unknown }[]).find(
      (s) => s.sensorId === 'suwon-ch4-1',
    );
    assert.deepEqual(item?.rules, body.rules);
    assert.deepEqual(item?.cameras, body.cameras);

    // Only rules: the camera links stay.
    const r2 = await h.call('PATCH', '/api/v1/sensors/suwon-ch4-1', {
      token: suwonAdmin,
      body: { rules: [{ type: 'gas-high', setpoint: 35 }] },
    });
    assert.equal(r2.status, 200, r2.text);
    assert.deepEqual((r2.json as { cameras: unknown }).cameras, body.cameras);

    const audit = await h.call('GET', '/api/v1/audit?action=rules.change&limit=10', { token: root });
    assert.equal(audit.status, 200, audit.text);
    const entries = JSON.stringify(audit.json);
    assert.match(entries, /rules\.change/);
    assert.match(entries, /suwon-ch4-1/);
    assert.match(entries, /sadmin/);
  });

  test('400s name the field; another site is 404; non-admins are refused', async () => {
    const bad: [unknown, string][] = [
      [{ rules: [{ type: 'gas-high', setpoint: 'high' }] }, 'rules.0.setpoint'],
      [{ rules: [{ type: 'gas-high', priority: 7 }] }, 'rules.0.priority'],
      [{ rules: [{ type: 'gas-high', deadband: -1 }] }, 'rules.0.deadband'],
      [{ rules: [{ type: 'gas-high', setpoint: 30, colour: 'red' }] }, 'rules.0.colour'],
      // #15: a type outside the protocol's rule table is refused, never a new alarm type.
      [{ rules: [{ type: 'gas-high' }, { type: 'vibration-high', setpoint: 3 }] }, 'rules.1.type'],
      [
        {
          rules: [
            { type: 'gas-high', setpoint: 30 },
            { type: 'gas-high', setpoint: 31 },
          ],
        },
        'rules.1.type',
      ],
      [{ cameras: [{ cameraId: 'suwon-cam-1' }, { cameraId: 'osan-cam-1' }] }, 'cameras.1.cameraId'],
      [{ cameras: [{ cameraId: 'nowhere-cam-9' }] }, 'cameras.0.cameraId'],
      // F19: the preset an alarm turns the camera to is a token, never SOAP markup.
      [{ cameras: [{ cameraId: 'suwon-cam-1', preset: 'a"/><x' }] }, 'cameras.0.preset'],
    ];
    for (const [body, field] of bad) {
      const r = await h.call('PATCH', '/api/v1/sensors/suwon-ch4-1', { token: root, body });
      assert.equal(r.status, 400, `${JSON.stringify(body)} -> ${r.text}`);
      assert.equal(errOf(r.json).field, field, r.text);
    }
    const outside = await h.call('PATCH', '/api/v1/sensors/osan-ch4-1', {
      token: suwonAdmin,
      body: { rules: [{ type: 'gas-high', setpoint: 30 }] },
    });
    assert.equal(outside.status, 404);
    const stored = await h.repos.sensors.get('osan-ch4-1');
    assert.equal(stored?.rules, null);

    await h.auth.users.create({ username: 'sup', password: PW, role: 'supervisor', sites: ['*'] }, 'test', null);
    const sup = await h.login('sup', PW);
    const r = await h.call('PATCH', '/api/v1/sensors/suwon-ch4-1', { token: sup, body: { rules: [] } });
    assert.equal(r.status, 403);
  });

  test('issue 18: a corrupt stored column is a sensor without it in the list, counted in /metrics, never a 500', async () => {
    await h.db.kysely
      .updateTable('sensors')
      .set({ rules: '[{"type":', cameras: '{"not":"a list"}' })
      .where('sensorId', '=', 'suwon-ch4-1')
      .execute();
    const list = await h.call('GET', '/api/v1/sensors?siteId=suwon', { token: root });
    assert.equal(list.status, 200, list.text);
    const item = (
      list.json as { sensorId: string; rules: unknown; cameras: unknown; effectiveRules: unknown[] }[]
    ).find((x) => x.sensorId === 'suwon-ch4-1');
    assert.deepEqual([item?.rules, item?.cameras], [[], []]);
    assert.ok((item?.effectiveRules.length ?? 0) > 0, 'the default rules still apply');
    const m = (await h.call('GET', '/metrics')).text;
    assert.match(m, /gwanje_stored_json_corrupt_total\{table="sensors",column="rules"\} [1-9]/);
    assert.match(m, /gwanje_stored_json_corrupt_total\{table="sensors",column="cameras"\} [1-9]/);
    // The next admin write replaces the damage.
    const r = await h.call('PATCH', '/api/v1/sensors/suwon-ch4-1', { token: root, body: { rules: [] } });
    assert.equal(r.status, 200, r.text);
  });
});
