/**
 * Alarm clips and PTZ presets (issue 6): alarmClipListener on the real AlarmService, DetectionEngine
 * and SQLite repositories, with the gateway and the command channel replaced by recorders. A raised
 * gas or flame alarm asks for one clip (10 s before, 30 s after) from exactly its linked cameras and
 * recalls the preset a camera link names on that camera's agent; other alarm types and the later
 * transitions of the same alarm (ack, return to normal, reset) do nothing; a failing clip is logged
 * and changes nothing else. The last test runs the whole center: a flame reading over MQTT ends as
 * `ptz.preset` (and the clip's `stream.start`) on the agent's `cmd` topic, and consoles of that site
 * (only those) get `camera:preset` naming the preset and the alarm, for the tile (issue 20).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DetectionEngine } from '@gwanje/detection';
import { type Alarm, LIVE_NAMESPACE, type LivePresetRecall } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { io, type Socket } from 'socket.io-client';
import { jsonApi, waitFor } from '../../../testkit/index.js';
import { AlarmService } from '../../src/alarms/service.js';
import { alarmStoreOf } from '../../src/center-ports.js';
import { contextOf } from '../../src/ingest/sensors.js';
import { createLogger } from '../../src/logger.js';
import type { SensorRow, StoredReading } from '../../src/store/types.js';
import { alarmClipListener } from '../../src/video/alarm-clips.js';
import { openTestStore, type TestCenterStore } from '../ingest/fixture.js';
import { testBus } from '../support/bus.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

type ClipCall = [alarmId: string, cameraIds: string[], opts: { beforeMs: number; afterMs: number }];
type PostCall = [siteId: string, agentId: string, action: string, args: Record<string, unknown>];

describe('alarmClipListener on the AlarmService', () => {
  let store: TestCenterStore;
  let clock = 1_800_000_000_000;
  let ids = 0;
  const emitted: Alarm[] = [];

  const sensor = (
    sensorId: string,
    metric: SensorRow['metric'],
    unit: SensorRow['unit'],
    cameras: (string | { cameraId: string; preset?: string })[],
  ) => {
    const row: SensorRow = {
      sensorId,
      siteId: 'osan',
      agentId: 'osan-a1',
      metric,
      gas: metric === 'gas' ? 'CH4' : null,
      unit,
      name: null,
      rules: null,
      cameras: cameras.map((c) => (typeof c === 'string' ? { cameraId: c } : c)),
      intervalMs: 2000,
      lastValue: null,
      lastTs: null,
      state: 'normal',
    };
    return row;
  };
  const reading = (s: SensorRow, value: number): StoredReading => ({
    siteId: s.siteId,
    agentId: s.agentId,
    sensorId: s.sensorId,
    metric: s.metric,
    gas: s.gas ?? undefined,
    unit: s.unit,
    value,
    ts: clock,
    quality: 'good',
  });

  /** An AlarmService wired as center.ts wires it, with recorders for the gateway and the commands. */
  function wired(opts: { failClip?: boolean; logLines?: string[] } = {}) {
    const clips: ClipCall[] = [];
    const snapshots: Array<[string, string[]]> = [];
    const posts: PostCall[] = [];
    const lookups: Array<Promise<unknown>> = [];
    const engine = new DetectionEngine({ newId: () => `clip-al-${++ids}` });
    const bus = testBus();
    bus.on('test', 'alarm.changed', ({ alarm, announced }) => {
      if (announced) emitted.push(alarm);
    });
    const alarms = new AlarmService({
      log: store.log,
      metrics: store.metrics,
      store: alarmStoreOf(store.repos),
      engine,
      bus,
      now: () => clock,
      tickMs: 3_600_000,
    });
    const log = createLogger('info', { write: (line: string) => void opts.logLines?.push(line) });
    bus.on(
      'video',
      'alarm.changed',
      alarmClipListener({
        log,
        gateway: {
          requestClip: async (alarmId, cameraIds, o) => {
            clips.push([alarmId, cameraIds, o]);
            if (opts.failClip) throw new Error('gateway: disk full');
            return [];
          },
          recordSnapshot: async (alarmId, cameraIds) => {
            snapshots.push([alarmId, cameraIds]);
            return [];
          },
        },
        repos: {
          sensors: {
            get: (id: string) => {
              const row = store.repos.sensors.get(id);
              lookups.push(row);
              return row;
            },
          } as TestCenterStore['repos']['sensors'],
          cameras: store.repos.cameras,
        },
        commands: {
          post: (...call: PostCall) => void posts.push(call),
          // No camera of these tests has presets of its own: only configured ones are sent.
          ptz: async () => ({ presets: [] }),
        },
        zoneOf: async () => undefined,
      }),
    );
    /** Preset lookups started so far, and a promise that settles after the last one was handled. */
    const presetWork = () => ({
      count: lookups.length,
      done: Promise.allSettled(lookups).then(() => new Promise((r) => setImmediate(r))),
    });
    return { alarms, clips, posts, presetWork, snapshots };
  }

  before(async () => {
    store = await openTestStore();
    const camera = (cameraId: string, agentId: string, ptz: boolean) =>
      store.repos.cameras.upsert({ cameraId, siteId: 'osan', agentId, name: cameraId, ptz, profiles: [] });
    await camera('osan-ptz-1', 'osan-a1', true);
    await camera('osan-cam-2', 'osan-a2', false);
    // On the site but linked to no sensor: never part of a clip of a linked sensor.
    await camera('osan-cam-3', 'osan-a1', false);
  });

  after(async () => {
    await store?.close();
  });

  test('a flame raise: one clip from exactly the linked cameras, the preset to the PTZ camera agent', async () => {
    const { alarms, clips, posts, presetWork } = wired();
    await alarms.start();
    const s = sensor('osan-flame-7', 'flame', 'bool', [{ cameraId: 'osan-ptz-1', preset: 'tank-3' }, 'osan-cam-2']);
    await store.repos.sensors.upsert(s);

    clock += 1000;
    alarms.onReading(reading(s, 1), contextOf(s), clock);
    await alarms.idle();
    const raised = emitted.find((a) => a.sourceId === s.sensorId && a.type === 'flame') as Alarm;
    assert.ok(raised, 'flame raised');
    assert.deepEqual(clips, [[raised.id, ['osan-ptz-1', 'osan-cam-2'], { beforeMs: 10_000, afterMs: 30_000 }]]);
    // The bare-id link names no preset; the PTZ link goes to the camera's own agent.
    await presetWork().done;
    assert.deepEqual(posts, [['osan', 'osan-a1', 'ptz.preset', { cameraId: 'osan-ptz-1', preset: 'tank-3' }]]);

    // Later transitions of the same alarm: ack, back to normal (latched), reset. Nothing more.
    const before = presetWork().count;
    clock += 2000;
    await alarms.act(raised.id, 'ack', 'kim');
    clock += 2000;
    alarms.onReading(reading(s, 0), contextOf(s), clock);
    clock += 2000;
    await alarms.act(raised.id, 'reset', 'kim');
    await alarms.idle();
    const states = emitted.filter((a) => a.id === raised.id).map((a) => a.state);
    assert.ok(states.includes('acked') && states.at(-1) === 'normal', `transitions seen: ${states.join(' ')}`);
    assert.equal(clips.length, 1);
    assert.equal(posts.length, 1);
    assert.equal(presetWork().count, before, 'no preset lookup for a non-raise transition');
    await alarms.stop();
  });

  test('gas-high raises a clip; temperature-high and camera-loss with linked cameras do nothing', async () => {
    const { alarms, clips, posts, presetWork } = wired();
    await alarms.start();
    const gas = sensor('osan-ch4-7', 'gas', '%LEL', ['osan-cam-2']);
    const heat = sensor('osan-temp-7', 'temperature', 'C', [{ cameraId: 'osan-ptz-1', preset: 'oven' }]);
    await store.repos.sensors.upsert(gas);
    await store.repos.sensors.upsert(heat);

    // temperature-high (3 s on-delay) at 80 C, held 4 s; camera-loss on a linked camera.
    for (const step of [0, 2000, 2000]) {
      clock += step;
      alarms.onReading(reading(heat, 80), contextOf(heat), clock);
    }
    alarms.tick();
    alarms.cameraState('osan-cam-2', 'osan', 'lost', clock);
    await alarms.idle();
    const quiet = emitted.filter((a) => a.sourceId === heat.sensorId || a.sourceId === 'osan-cam-2');
    assert.deepEqual(quiet.map((a) => a.type).sort(), ['camera-loss', 'temperature-high']);
    assert.ok(
      quiet.every((a) => a.cameras.length > 0),
      'both have linked cameras',
    );
    assert.deepEqual(clips, []);
    assert.deepEqual(posts, []);
    assert.equal(presetWork().count, 0);

    // gas-high (1 s on-delay) at 60 %LEL held 1.5 s; gas-low's 3 s on-delay has not run out yet.
    for (const step of [0, 1500]) {
      clock += step;
      alarms.onReading(reading(gas, 60), contextOf(gas), clock);
    }
    alarms.tick();
    await alarms.idle();
    const high = emitted.find((a) => a.sourceId === gas.sensorId && a.type === 'gas-high') as Alarm;
    assert.ok(high, 'gas-high raised');
    assert.deepEqual(clips, [[high.id, ['osan-cam-2'], { beforeMs: 10_000, afterMs: 30_000 }]]);
    // Its only link names no preset: the sensor is looked up, no command goes out.
    const work = presetWork();
    assert.equal(work.count, 1);
    await work.done;
    assert.deepEqual(posts, []);
    await alarms.stop();
  });

  test('a failing clip request is logged; the alarm and the preset still go out', async () => {
    const logLines: string[] = [];
    const { alarms, clips, posts, presetWork } = wired({ failClip: true, logLines });
    await alarms.start();
    const s = sensor('osan-smoke-7', 'smoke', 'bool', [{ cameraId: 'osan-ptz-1', preset: 'dock' }]);
    await store.repos.sensors.upsert(s);
    clock += 1000;
    alarms.onReading(reading(s, 1), contextOf(s), clock);
    await alarms.idle();
    const raised = emitted.find((a) => a.sourceId === s.sensorId) as Alarm;
    assert.equal(raised?.type, 'smoke');
    assert.deepEqual(clips, [[raised.id, ['osan-ptz-1'], { beforeMs: 10_000, afterMs: 30_000 }]]);
    await waitFor(() => logLines.some((l) => l.includes('video: alarm clip failed')));
    const line = JSON.parse(logLines.find((l) => l.includes('video: alarm clip failed')) as string);
    assert.equal(line.alarmId, raised.id);
    assert.equal(line.err, 'gateway: disk full');
    assert.ok(!logLines.some((l) => l.includes('listener failed')), 'the listener itself did not throw');
    await presetWork().done;
    assert.equal(posts.length, 1);
    assert.deepEqual(posts[0], ['osan', 'osan-a1', 'ptz.preset', { cameraId: 'osan-ptz-1', preset: 'dock' }]);
    assert.equal((await store.repos.alarms.get(raised.id))?.state, 'unack', 'the alarm was stored');
    await alarms.stop();
  });
});

describe('the center registers the listener', () => {
  const PASSWORD = 'clip-Control-r00m-7!';
  let center: TestCenter;
  let base: string;

  before(async () => {
    center = await startTestCenter({ password: PASSWORD });
    base = center.base;
  });

  after(async () => {
    await center?.stop();
  });

  const api = jsonApi(() => base);

  test('a flame reading on a sensor linked to a PTZ preset sends ptz.preset (and the clip stream.start), shown live', async () => {
    const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
      username: 'admin',
      password: PASSWORD,
    });
    assert.equal(login.status, 200);
    const token = login.body.token;
    const created = await api<{ mqtt: { url: string; username: string; password: string } }>(
      'POST',
      '/api/v1/agents',
      token,
      { agentId: 'osan-clip-agent', siteId: 'osan', name: 'clips' },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const prefix = 'gwanje/v1/osan/osan-clip-agent';
    const agent = await mqtt.connectAsync(created.body.mqtt.url, {
      protocolVersion: 4,
      username: created.body.mqtt.username,
      password: created.body.mqtt.password,
      clientId: 'osan-clip-agent',
    });
    const cmds: Array<{ action: string; args: Record<string, unknown> }> = [];
    agent.on('message', (topic, payload) => {
      if (topic === `${prefix}/cmd`) cmds.push(JSON.parse(payload.toString()));
    });
    await agent.subscribeAsync(`${prefix}/cmd`, { qos: 1 });
    // Consoles: an admin of every site and an operator of suwon only (must not see osan's recall).
    const user = await api('POST', '/api/v1/users', token, {
      username: 'suwon-op',
      password: 'Correct-Horse-Battery-9',
      role: 'operator',
      sites: ['suwon'],
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const other = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
      username: 'suwon-op',
      password: 'Correct-Horse-Battery-9',
    });
    const recalls: LivePresetRecall[] = [];
    const strayed: LivePresetRecall[] = [];
    const sockets = await Promise.all([
      liveSocket(base, token, (r) => recalls.push(r)),
      liveSocket(base, other.body.token, (r) => strayed.push(r)),
    ]);
    try {
      await agent.publishAsync(
        `${prefix}/cameras`,
        JSON.stringify({ cameras: [{ cameraId: 'osan-clip-ptz', name: 'tank farm', ptz: true, profiles: [] }] }),
        { qos: 1, retain: true },
      );
      let seq = 0;
      const flame = (value: number) =>
        agent.publishAsync(
          `${prefix}/telemetry`,
          JSON.stringify({
            agentId: 'osan-clip-agent',
            seq: ++seq,
            readings: [
              { sensorId: 'osan-clip-flame', metric: 'flame', value, unit: 'bool', ts: Date.now(), quality: 'good' },
            ],
          }),
          { qos: 1 },
        );
      // First reading registers the sensor; then an admin links it to the PTZ camera's preset.
      await flame(0);
      await waitFor(async () => {
        const [sensors, cameras] = await Promise.all([
          api<Array<{ sensorId: string }>>('GET', '/api/v1/sensors?siteId=osan', token),
          api<Array<{ cameraId: string }>>('GET', '/api/v1/cameras?siteId=osan', token),
        ]);
        return (
          sensors.body.some((x) => x.sensorId === 'osan-clip-flame') &&
          cameras.body.some((x) => x.cameraId === 'osan-clip-ptz')
        );
      }, 10_000);
      const patched = await api('PATCH', '/api/v1/sensors/osan-clip-flame', token, {
        cameras: [{ cameraId: 'osan-clip-ptz', preset: 'tank-3' }],
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(cmds.length, 0, 'nothing commanded before the alarm');

      await flame(1);
      await waitFor(() => cmds.some((c) => c.action === 'ptz.preset'), 10_000);
      assert.deepEqual(cmds.find((c) => c.action === 'ptz.preset')?.args, {
        cameraId: 'osan-clip-ptz',
        preset: 'tank-3',
      });
      // The clip starts the idle camera: the gateway asks the agent to push it.
      await waitFor(() => cmds.some((c) => c.action === 'stream.start'), 10_000);
      const start = cmds.find((c) => c.action === 'stream.start');
      assert.equal(start?.args.cameraId, 'osan-clip-ptz');
      assert.match(String(start?.args.url), /\/video\/ingest\/osan-clip-ptz$/);
      const alarms = await api<Alarm[]>('GET', '/api/v1/alarms?siteId=osan', token);
      const raised = alarms.body.find((a) => a.sourceId === 'osan-clip-flame' && a.type === 'flame');
      assert.deepEqual(raised?.cameras, ['osan-clip-ptz']);
      // The tile's line: which preset, for which alarm.
      await waitFor(() => recalls.length > 0, 10_000);
      const { ts, ...recall } = recalls[0];
      assert.deepEqual(recall, {
        cameraId: 'osan-clip-ptz',
        siteId: 'osan',
        preset: 'tank-3',
        alarmId: raised?.id,
        alarmType: 'flame',
        sourceId: 'osan-clip-flame',
        via: 'agent',
      });
      assert.ok(Math.abs(ts - Date.now()) < 30_000);
      assert.deepEqual(strayed, [], 'a console of another site is not told');
    } finally {
      for (const s of sockets) s.close();
      await agent.endAsync();
    }
  });

  test('issue 21: a sensor linked by its plan position turns the PTZ camera to its own preset named for the zone', async () => {
    const token = (
      await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD })
    ).body.token;
    const created = await api<{ mqtt: { url: string; username: string; password: string } }>(
      'POST',
      '/api/v1/agents',
      token,
      { agentId: 'osan-zone-agent', siteId: 'osan' },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const prefix = 'gwanje/v1/osan/osan-zone-agent';
    const agent = await mqtt.connectAsync(created.body.mqtt.url, {
      protocolVersion: 4,
      username: created.body.mqtt.username,
      password: created.body.mqtt.password,
      clientId: 'osan-zone-agent',
    });
    const cmds: Array<{ id: string; action: string; args: Record<string, unknown> }> = [];
    // The agent answers a preset listing as a real ONVIF camera's agent does (GetPresets).
    agent.on('message', (topic, payload) => {
      if (topic !== `${prefix}/cmd`) return;
      const cmd = JSON.parse(payload.toString());
      cmds.push(cmd);
      if (cmd.action === 'ptz.preset' && cmd.args.list === true) {
        const presets = [
          { name: 'Gate', token: '1' },
          { name: 'TANK_FARM', token: '4' },
        ];
        void agent.publishAsync(`${prefix}/cmd/result`, JSON.stringify({ id: cmd.id, ok: true, data: { presets } }), {
          qos: 1,
        });
      }
    });
    await agent.subscribeAsync(`${prefix}/cmd`, { qos: 1 });
    try {
      await agent.publishAsync(
        `${prefix}/cameras`,
        JSON.stringify({ cameras: [{ cameraId: 'osan-zone-ptz', name: 'dome', ptz: true, profiles: [] }] }),
        { qos: 1, retain: true },
      );
      let seq = 0;
      const gas = (value: number, ts = Date.now()) =>
        agent.publishAsync(
          `${prefix}/telemetry`,
          JSON.stringify({
            agentId: 'osan-zone-agent',
            seq: ++seq,
            readings: [
              { sensorId: 'osan-zone-ch4', metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts, quality: 'good' },
            ],
          }),
          { qos: 1 },
        );
      await gas(2);
      await waitFor(async () => {
        const s = await api('PUT', '/api/v1/sensors/osan-zone-ch4/position', token, {
          x: 0.5,
          y: 0.5,
          zone: 'Tank farm',
        });
        const c = await api('PUT', '/api/v1/cameras/osan-zone-ptz/position', token, { x: 0.55, y: 0.5 });
        return s.status === 200 && c.status === 200;
      }, 10_000);
      const layout = await api<{ sensors: Array<{ sensorId: string; position: { zone?: string } }> }>(
        'GET',
        '/api/v1/sites/osan/layout',
        token,
      );
      assert.equal(layout.body.sensors.find((x) => x.sensorId === 'osan-zone-ch4')?.position.zone, 'Tank farm');

      const t0 = Date.now();
      await gas(60, t0);
      await gas(61, t0 + 1100);
      await waitFor(() => cmds.some((c) => c.action === 'ptz.preset' && c.args.list !== true), 15_000);
      assert.deepEqual(cmds.find((c) => c.action === 'ptz.preset' && c.args.list !== true)?.args, {
        cameraId: 'osan-zone-ptz',
        preset: '4',
      });
      const alarms = await api<Alarm[]>('GET', '/api/v1/alarms?siteId=osan', token);
      const raised = alarms.body.find((a) => a.sourceId === 'osan-zone-ch4' && a.type === 'gas-high');
      assert.deepEqual(raised?.cameras, ['osan-zone-ptz'], 'linked by position (no configured link)');
    } finally {
      await agent.endAsync();
    }
  });
});

function liveSocket(base: string, token: string, onRecall: (r: LivePresetRecall) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = io(base + LIVE_NAMESPACE, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
    s.on('camera:preset', onRecall);
    s.once('connect', () => resolve(s));
    s.once('connect_error', (err) => {
      s.close();
      reject(err);
    });
  });
}
