/**
 * A real center for HTTP tests, started through the same module table as `npm start` (class
 * Center in center.ts, via startTestCenter): the store on a throwaway SQLite file (or a
 * PostgreSQL database), the embedded broker and time-series store, every module, an injected clock,
 * and the test-only limits passed as CenterTuning. No second wiring: what the routes are given is
 * what the center gives them (`deps` is that object). Helpers put rows, readings and clips where the
 * product keeps them, and `agent()` connects a real MQTT client as an edge agent to answer commands.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Alarm, AlarmState } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { createTestDatabase, type TestDatabase, waitFor } from '../../../testkit/index.js';
import type { ThrottleOptions } from '../../src/auth/throttle.js';
import type { HttpDeps } from '../../src/http/deps.js';
import { readPlan } from '../../src/plans/image.js';
import type { RawReading, StoredReading } from '../../src/store/types.js';
import { makePng } from '../plans/images.js';
import { startTestCenter } from '../support/center.js';

export const T0 = 1_763_900_000_000;
/** Shared key of the harness's Kannel provider (its MO/DLR callbacks need it). */
export const KANNEL_KEY = 'kannel-callback-key-for-tests';

export interface HarnessOptions {
  backend?: 'sqlite' | 'postgres';
  loginRateLimit?: { windowMs: number; limit: number };
  throttle?: Partial<ThrottleOptions>;
  tokenTtlMs?: number;
  bodyLimitBytes?: number;
  consoleDir?: string;
  /** GWANJE_TRUST_PROXY as the center parses it. */
  trustProxy?: string;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (bytes or text) instead of JSON.stringify(body). */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

export class Clock {
  t = T0;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export async function createHarness(o: HarnessOptions = {}) {
  const clock = new Clock();
  let tdb: TestDatabase | undefined;
  const env: Record<string, string> = {
    // Video fire detection loads a model: not what HTTP tests are about (and CPU is shared).
    GWANJE_FIRE_DETECTOR: 'off',
    GWANJE_CAP_SENDER: 'gwanje@test-center',
    // No face masker (its model is not what HTTP tests are about): masked exports are refused.
    GWANJE_FACE_MASK: 'off',
    // No key is pinned in the harness: unverified envelopes are allowed explicitly (F20).
    GWANJE_CONFIG_ALLOW_UNSIGNED: '1',
    // Escalation with a Kannel provider no SMS ever reaches (nothing listens on port 9).
    GWANJE_SMS_PROVIDERS: 'kannel',
    GWANJE_KANNEL_SENDSMS_URL: 'http://127.0.0.1:9/cgi-bin/sendsms',
    GWANJE_KANNEL_USERNAME: 'gwanje',
    GWANJE_KANNEL_PASSWORD: 'unused-in-http-tests',
    GWANJE_KANNEL_FROM: '1588',
    GWANJE_SMS_CALLBACK_KEY: KANNEL_KEY,
  };
  if (o.backend === 'postgres') {
    tdb = await createTestDatabase('gwanje_http');
    env.GWANJE_DATABASE_URL = tdb.url;
  }
  if (o.consoleDir) env.GWANJE_CONSOLE_DIR = o.consoleDir;
  if (o.trustProxy) env.GWANJE_TRUST_PROXY = o.trustProxy;
  const tc = await startTestCenter({
    // None given: the center generates the first admin's password, as on a first `npm start`.
    env,
    now: clock.now,
    tuning: {
      loginRateLimit: o.loginRateLimit ?? { windowMs: 60_000, limit: 100_000 },
      throttle: o.throttle,
      tokenTtlMs: o.tokenTtlMs,
      bodyLimitBytes: o.bodyLimitBytes,
    },
  });
  const { center } = tc;
  const url = tc.base.replace('localhost', '127.0.0.1');
  const repos = center.store.repos;
  const deps = center.api.routeDeps as HttpDeps;
  const auth = center.auth.auth;
  const agentCreds = center.accounts.agentCreds;
  const engine = center.alarms.engine;
  const timeseries = center.store.timeseries;
  const planStore = center.alarms.plans;
  const clipDir = join(tc.dataDir, 'clips');
  /** The agents seedDevices provisioned, with the password they were issued (shown once). */
  const agentPasswords = new Map<string, string>();
  const clients: mqtt.MqttClient[] = [];

  /** Readings as an agent's telemetry leaves them in the time-series store. */
  async function addReadings(sensorId: string, rs: RawReading[]): Promise<void> {
    const row = await repos.sensors.get(sensorId);
    if (!row) throw new Error(`harness: no sensor ${sensorId}`);
    timeseries.write(
      rs.map((r) => ({
        siteId: row.siteId,
        agentId: row.agentId,
        sensorId,
        metric: row.metric as StoredReading['metric'],
        ...(row.gas ? { gas: row.gas } : {}),
        unit: row.unit as StoredReading['unit'],
        value: r.value,
        ts: r.ts,
        quality: r.quality,
      })),
    );
    await timeseries.flush();
  }

  /** An alarm clip where the gateway keeps them: <dataDir>/clips/<alarmId>/<clipId>.mp4 and its sidecar. */
  function addClip(alarmId: string, cameraId: string, bytes: Buffer): string {
    const clipId = `${cameraId}-${clock.now()}`;
    const dir = join(clipDir, alarmId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${clipId}.mp4`), bytes);
    const at = new Date(clock.now()).toISOString();
    const info = {
      ...{ clipId, alarmId, cameraId, fileName: `${clipId}.mp4`, contentType: 'video/mp4', bytes: bytes.length },
      ...{ durationMs: 20_000, requestedAt: at, beforeMs: 10_000, afterMs: 10_000, createdAt: at },
    };
    writeFileSync(join(dir, `${clipId}.json`), JSON.stringify(info));
    return clipId;
  }

  async function call(method: string, path: string, c: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...c.headers };
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    let body: string | Uint8Array | undefined = c.raw;
    if (body === undefined && c.body !== undefined) body = JSON.stringify(c.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined; // not JSON (console HTML, metrics text); tests read `text`
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async function login(username: string, password: string): Promise<string> {
    const r = await call('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`harness: login ${username} answered ${r.status} ${r.text}`);
    return (r.json as { token: string }).token;
  }

  /**
   * A fresh CH4 %LEL sensor of `${siteId}-agent-1` (seedDevices provisions that agent), named by
   * `id` or numbered (out of service already when `outOfService`), for per-call routes.
   */
  async function newSensor(siteId: string, id: number | string, outOfService = false): Promise<string> {
    const sensorId = typeof id === 'number' ? `${siteId}-oos-${id}` : id;
    await repos.sensors.upsert({
      sensorId,
      siteId,
      agentId: `${siteId}-agent-1`,
      metric: 'gas',
      gas: 'CH4',
      unit: '%LEL',
      name: null,
      rules: null,
      cameras: null,
      intervalMs: 1000,
      outOfService: outOfService ? { since: clock.now(), actor: 'test', reason: 'bump test' } : null,
    });
    return sensorId;
  }

  let alarmSeq = 0;
  /** A standing alarm in `state` at `siteId`, in the store and in the center's detection engine. */
  async function newAlarm(
    siteId: string,
    state: AlarmState = 'unack',
    patch: Partial<Pick<Alarm, 'sourceId' | 'message'>> = {},
  ): Promise<string> {
    alarmSeq += 1;
    const a: Alarm = {
      id: `t-${siteId}-${alarmSeq}`,
      siteId,
      sourceId: `${siteId}-ch4-${alarmSeq}`,
      sourceKind: 'sensor',
      type: 'gas-high',
      priority: 1,
      state,
      raisedAt: clock.now() - 60_000,
      message: `CH4 60 %LEL at ${siteId}`,
      cameras: [`${siteId}-cam-1`],
      value: 60,
      threshold: 25,
      latched: true,
      active: state === 'unack' || state === 'acked',
      ...patch,
    };
    if (state === 'shelved') a.shelvedUntil = clock.now() + 3_600_000;
    await repos.alarms.upsert(a);
    engine.load([a]);
    return a.id;
  }

  /** Sensors, cameras and agents in the sites, so scope has something to cut. */
  async function seedDevices(sites: string[]): Promise<void> {
    for (const siteId of sites) {
      const agentId = `${siteId}-agent-1`;
      const { password } = await agentCreds.provision(agentId, siteId, `${siteId} agent`);
      agentPasswords.set(agentId, password);
      await newSensor(siteId, `${siteId}-ch4-1`);
      await repos.cameras.upsert({
        cameraId: `${siteId}-cam-1`,
        siteId,
        agentId,
        name: `${siteId} gate`,
        ptz: true,
        profiles: [],
      });
      // A minute ago the sensor read 1, 2 and 3 %LEL (one point of min 1, mean 2, max 3).
      const at = clock.now() - 60_000;
      await addReadings(`${siteId}-ch4-1`, [
        { ts: at, value: 1, quality: 'good' },
        { ts: at + 1, value: 2, quality: 'good' },
        { ts: at + 2, value: 3, quality: 'good' },
      ]);
      // A field sensor the agent adopted from its own description (issue 17).
      await center.store.discoveries.record({
        sensorId: `${siteId}-found-1`,
        siteId,
        agentId,
        metric: 'gas',
        gas: 'H2S',
        unit: 'ppm',
        discoveredAt: clock.now(),
      });
    }
  }

  /**
   * `${siteId}-agent-1` on the center's broker as a real MQTT client (seedDevices first): it
   * answers every `cmd` with `ok` and keeps what it was sent, as a field agent would see it.
   */
  async function agent(siteId: string): Promise<{ cmds: { action: string; args: unknown }[] }> {
    const agentId = `${siteId}-agent-1`;
    const password = agentPasswords.get(agentId);
    if (!password) throw new Error(`harness: ${agentId} was not provisioned by seedDevices`);
    const client = await mqtt.connectAsync(center.broker.url, {
      username: agentId,
      password,
      clientId: agentId,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(client);
    const prefix = `gwanje/v1/${siteId}/${agentId}`;
    const cmds: { action: string; args: unknown }[] = [];
    client.on('message', (topic, payload) => {
      if (topic !== `${prefix}/cmd`) return;
      const cmd = JSON.parse(payload.toString()) as { id: string; action: string; args: unknown };
      cmds.push({ action: cmd.action, args: cmd.args });
      void client.publishAsync(`${prefix}/cmd/result`, JSON.stringify({ id: cmd.id, ok: true }), { qos: 1 });
    });
    await client.subscribeAsync(`${prefix}/cmd`, { qos: 1 });
    return { cmds };
  }

  /** Stores a 64x48 PNG as the site's plan (issue 21). */
  async function putPlan(siteId: string): Promise<void> {
    const plan = await readPlan(makePng(64, 48));
    await planStore.putPlan(siteId, plan, 'test', 'test', clock.now());
  }

  async function close(): Promise<void> {
    await Promise.allSettled(clients.map((c) => c.endAsync(true)));
    await tc.stop();
    await tdb?.drop();
  }

  return {
    url,
    center,
    dataDir: tc.dataDir,
    app: center.api.app as NonNullable<typeof center.api.app>,
    deps,
    repos,
    db: center.store.db,
    auth,
    /** The first admin's generated password (printed by `npm start`), until someone logs in with it. */
    adminPassword: tc.started.adminPassword,
    agentCreds,
    audit: center.accounts.audit,
    bus: center.bus,
    engine,
    clock,
    escalation: center.escalation.escalation,
    call,
    login,
    newAlarm,
    seedDevices,
    newSensor,
    agent,
    addClip,
    putPlan,
    planStore,
    linker: center.alarms.linker,
    addReadings,
    evidenceKey: center.incident.evidence.key,
    waitFor,
    close,
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
