/**
 * A real center HTTP stack for tests: the store on a throwaway SQLite file (or PostgreSQL),
 * the real AuthService / AgentCredentials / AuditLog on it, the real DetectionEngine applying
 * alarm actions, createHttpApp on a free port, and an injected clock. Only the PTZ command path
 * (an agent over MQTT) and the time-series store (not landed yet) are in-memory here.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeKpisBySite, DetectionEngine } from '@gwanje/detection';
import { EscalationService, KannelProvider } from '@gwanje/escalation';
import type { Alarm, AlarmState } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../testkit/index.js';
import { authPortsFromRepositories } from '../../src/auth/adapter.js';
import { AgentCredentials } from '../../src/auth/agent-credentials.js';
import { AuditLog } from '../../src/auth/audit.js';
import { AuthService } from '../../src/auth/service.js';
import type { ThrottleOptions } from '../../src/auth/throttle.js';
import { EventBus } from '../../src/bus.js';
import { SoleOwnership } from '../../src/cluster/ownership.js';
import { fireHttp } from '../../src/fire/http.js';
import { FireWatchStore, type FireWatchTables } from '../../src/fire/store.js';
import { createHttpApp } from '../../src/http/app.js';
import { parseTrustProxy } from '../../src/http/client-address.js';
import type { HttpDeps, PtzArgs } from '../../src/http/deps.js';
import { createCenterServer } from '../../src/http/server.js';
import { loadEvidenceKey } from '../../src/incident/evidence-key.js';
import { DeviceOwnership } from '../../src/ingest/ownership.js';
import { readPlan } from '../../src/plans/image.js';
import { CameraLinker } from '../../src/plans/linker.js';
import { PlanStore, type PlanTables } from '../../src/plans/store.js';
import { type Db, openDatabase } from '../../src/store/db.js';
import { DiscoveriesRepo } from '../../src/store/repos/discoveries.js';
import { Repositories, seedSites } from '../../src/store/repositories.js';
import type { RawReading, ReadingPoint } from '../../src/store/types.js';
import { WallLayoutStore, type WallLayoutTables } from '../../src/store/wall-layouts.js';
import { CameraSecrets } from '../../src/video/camera-secrets.js';
import { DirectCameras } from '../../src/video/direct-cameras.js';
import { makePng } from '../plans/images.js';

const SEED = new URL('../../../seed/gyeonggi-sites.json', import.meta.url).pathname;
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
  const log = pino({ level: 'silent' });
  const clock = new Clock();
  let tdb: TestDatabase | undefined;
  let dir: string | undefined;
  let db: Db;
  if (o.backend === 'postgres') {
    tdb = await createTestDatabase('gwanje_http');
    db = await openDatabase({ url: tdb.url, dataDir: '/nonexistent', log });
  } else {
    dir = mkdtempSync(join(tmpdir(), 'gwanje-http-'));
    db = await openDatabase({ dataDir: dir, log });
  }
  const repos = new Repositories(db, undefined, clock.now);
  await seedSites(repos, SEED);
  const siteIds = (await repos.sites.list()).map((s) => s.siteId);
  const ports = authPortsFromRepositories(repos);
  const audit = new AuditLog(ports.audit, clock.now, log);
  const bus = new EventBus(log);
  const auth = new AuthService({
    ports,
    audit,
    log,
    bus,
    now: clock.now,
    tokenTtlMs: o.tokenTtlMs,
    throttle: o.throttle,
  });
  await auth.start();
  const agentCreds = new AgentCredentials({ agents: ports.agents, audit, log, now: clock.now, bus });
  let nextId = 0;
  const engine = new DetectionEngine({ newId: () => `al-${++nextId}` });
  const ptzCalls: { cameraId: string; agentId: string; args: PtzArgs; actor: string }[] = [];
  const points = new Map<string, ReadingPoint[]>();
  // Raw readings with quality (issue 21 exports and evidence traces), oldest first per sensor.
  const rawOf = new Map<string, RawReading[]>();
  const addReadings = (sensorId: string, rs: RawReading[]) =>
    rawOf.set(
      sensorId,
      [...(rawOf.get(sensorId) ?? []), ...rs].sort((a, b) => a.ts - b.ts),
    );
  const evidenceDir = mkdtempSync(join(tmpdir(), 'gwanje-evidence-'));
  const evidenceKey = await loadEvidenceKey({
    keyFile: join(evidenceDir, 'keys', 'evidence.pem'),
    settings: ports.settings,
  });
  // Alarm clips as the gateway keeps them: <dir>/<alarmId>/<clipId>.mp4 (bytes are not decoded here).
  const clipDir = mkdtempSync(join(tmpdir(), 'gwanje-clips-'));
  const clipsOf = new Map<string, { clipId: string; alarmId: string; cameraId: string; bytes: number }[]>();
  function addClip(alarmId: string, cameraId: string, bytes: Buffer): string {
    const clipId = `${cameraId}-${clock.now()}`;
    mkdirSync(join(clipDir, alarmId), { recursive: true });
    writeFileSync(join(clipDir, alarmId, `${clipId}.mp4`), bytes);
    clipsOf.set(alarmId, [...(clipsOf.get(alarmId) ?? []), { clipId, alarmId, cameraId, bytes: bytes.length }]);
    return clipId;
  }

  const discoveries = new DiscoveriesRepo(db.kysely);
  const configPublished: { siteId: string; agentId: string; envelope: unknown }[] = [];
  // Escalation over the same database; no timer (steps are driven by tests that need them).
  const kannel = new KannelProvider({
    sendsmsUrl: 'http://127.0.0.1:9/cgi-bin/sendsms',
    username: 'gwanje',
    password: 'unused-in-http-tests',
    from: '1588',
    callbackBase: 'http://127.0.0.1',
    callbackKey: KANNEL_KEY,
  });
  const escalation = new EscalationService({
    db: db.kysely as unknown as Kysely<unknown>,
    providers: [kannel],
    log,
    now: clock.now,
    ackAlarm: async () => undefined,
    site: () => ({ name: 'test site' }),
    isFlood: () => false,
  });
  await escalation.start({ timer: false });

  // Issue 21: plans, positions and SOPs on the same database; an SOP tick journals like AlarmService.note.
  const planStore = new PlanStore(db.kysely.withoutPlugins() as unknown as Kysely<PlanTables>);
  const linker = new CameraLinker({
    store: planStore,
    siteCameras: async (siteId) => (await repos.cameras.list([siteId])).map((c) => c.cameraId),
    now: clock.now,
  });
  const deps: HttpDeps = {
    plans: {
      store: planStore,
      linker,
      note: async (alarmId, action, actor, comment, facts) => {
        const a = await repos.alarms.get(alarmId);
        await repos.journal.append({
          alarmId,
          ts: clock.now(),
          action,
          actor,
          fromState: a?.state,
          toState: a?.state,
          comment,
          facts,
        });
      },
    },
    auth,
    agentCreds,
    audit,
    sites: repos.sites,
    sensors: repos.sensors,
    cameras: repos.cameras,
    agents: repos.agents,
    // Persisted for real; a test with an ingest pipeline replaces `reload` with the pipeline's.
    sensorAdmin: {
      save: (row) => repos.sensors.upsert(row),
      setOutOfService: async (row, oos, actor, comment) => {
        await repos.sensors.setOutOfService(row.sensorId, oos && JSON.stringify(oos));
        const change = { outOfService: oos !== null, actor, reason: oos?.reason ?? comment };
        for (const t of engine.sourceService(row.sensorId, change, clock.now())) await repos.alarms.upsert(t.alarm);
      },
    },
    timeseries: {
      query: async (sensorId, from, to) => (points.get(sensorId) ?? []).filter((p) => p[0] >= from && p[0] < to),
      async *raw(sensorId, from, to) {
        const all = (rawOf.get(sensorId) ?? []).filter((r) => r.ts >= from && r.ts < to);
        // Batches like the stores' (an hour file / an InfluxDB page each).
        for (let i = 0; i < all.length; i += 1000) yield all.slice(i, i + 1000);
      },
    },
    evidence: { key: evidenceKey, workDir: evidenceDir },
    capSender: 'gwanje@test-center',
    alarms: {
      list: (q) => repos.alarms.list(q),
      get: async (id) => {
        const alarm = await repos.alarms.get(id);
        return alarm ? { alarm, journal: await repos.journal.forAlarm(id) } : undefined;
      },
      act: async (id, action, actor, args) => {
        const ts = engine.act(id, action, actor, clock.now(), args);
        for (const t of ts) {
          await repos.alarms.upsert(t.alarm);
          await repos.journal.append({
            alarmId: t.alarm.id,
            ts: clock.now(),
            action: t.action,
            actor: t.actor,
            fromState: t.fromState,
            toState: t.toState,
            comment: t.comment,
          });
        }
        const last = ts[ts.length - 1]?.alarm ?? (await repos.alarms.get(id));
        if (!last) throw new Error(`harness: alarm ${id} vanished`);
        return last;
      },
      kpis: async (siteIds, from, to) =>
        computeKpisBySite(await repos.alarms.list({ siteIds, from, to }), [], { from, to }),
    },
    commands: {
      ptz: async (camera, args, actor) => {
        ptzCalls.push({ cameraId: camera.cameraId, agentId: camera.agentId, args, actor });
        return { moved: args.action };
      },
      publishConfig: async (siteId, agentId, envelope) => {
        configPublished.push({ siteId, agentId, envelope });
      },
    },
    agentConfig: repos.agents,
    discoveries,
    // No key is pinned in the harness: unverified envelopes are allowed explicitly (F20).
    allowUnsignedConfig: true,
    devices: new DeviceOwnership({ repos, registry: () => undefined }),
    // Issue 20: direct cameras, credentials sealed with a throwaway key.
    directCameras: new DirectCameras({ repos, secrets: CameraSecrets.fromKey(randomBytes(32)), log }),
    cameraSources: repos.cameraSources,
    agentEvents: repos.agentEvents,
    escalation: { service: escalation, kannel },
    // Fire-watch flags on the same database, detector off (GWANJE_FIRE_DETECTOR=off).
    fire: fireHttp(new FireWatchStore(db.kysely.withoutPlugins() as unknown as Kysely<FireWatchTables>), undefined),
    wallLayouts: new WallLayoutStore(db.kysely.withoutPlugins() as unknown as Kysely<WallLayoutTables>),
    clips: {
      list: async (alarmId) => clipsOf.get(alarmId) ?? [],
      file: async (alarmId, clipId) =>
        clipsOf.get(alarmId)?.some((c) => c.clipId === clipId) ? join(clipDir, alarmId, `${clipId}.mp4`) : undefined,
    },
    // Issue 19: one instance owning every site (SQLite).
    cluster: new SoleOwnership('harness', 'http://127.0.0.1', clock.now(), () => siteIds, clock.now),
    metricsText: () =>
      '# HELP gwanje_readings_total readings stored\n# TYPE gwanje_readings_total counter\ngwanje_readings_total 0\n',
    health: () => ({ status: 'ok', db: db.dialect }),
    mqttPublicUrl: 'mqtt://center.example:1883',
    consoleDir: o.consoleDir,
    log,
    loginRateLimit: o.loginRateLimit ?? { windowMs: 60_000, limit: 100_000 },
    trustProxy: parseTrustProxy(o.trustProxy),
    bodyLimitBytes: o.bodyLimitBytes,
  };
  const app = createHttpApp(deps);
  const server = createCenterServer(app).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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
      outOfService: outOfService ? JSON.stringify({ since: clock.now(), actor: 'test', reason: 'bump test' }) : null,
    });
    return sensorId;
  }

  let alarmSeq = 0;
  /** A standing alarm in `state` at `siteId`, in the store and in the engine. */
  async function newAlarm(siteId: string, state: AlarmState = 'unack'): Promise<string> {
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
    };
    if (state === 'shelved') a.shelvedUntil = clock.now() + 3_600_000;
    await repos.alarms.upsert(a);
    engine.load([a]);
    return a.id;
  }

  /** Sensors, cameras and agents in two sites, so scope has something to cut. */
  async function seedDevices(sites: string[]): Promise<void> {
    for (const siteId of sites) {
      const agentId = `${siteId}-agent-1`;
      await agentCreds.provision(agentId, siteId, `${siteId} agent`);
      await newSensor(siteId, `${siteId}-ch4-1`);
      await repos.cameras.upsert({
        cameraId: `${siteId}-cam-1`,
        siteId,
        agentId,
        name: `${siteId} gate`,
        ptz: true,
        profiles: '[]',
      });
      points.set(`${siteId}-ch4-1`, [[clock.now() - 60_000, 1, 2, 3]]);
      // A field sensor the agent adopted from its own description (issue 17).
      await discoveries.record({
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

  /** Stores a 64x48 PNG as the site's plan (issue 21). */
  async function putPlan(siteId: string): Promise<void> {
    const plan = await readPlan(makePng(64, 48));
    await planStore.putPlan(siteId, plan, 'test', 'test', clock.now());
  }

  async function close(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    await auth.stop();
    await escalation.stop();
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    rmSync(clipDir, { recursive: true, force: true });
    rmSync(evidenceDir, { recursive: true, force: true });
    await tdb?.drop();
  }

  return {
    url,
    app,
    server,
    deps,
    repos,
    db,
    auth,
    agentCreds,
    audit,
    bus,
    engine,
    clock,
    ptzCalls,
    configPublished,
    escalation,
    call,
    login,
    newAlarm,
    seedDevices,
    newSensor,
    addClip,
    putPlan,
    planStore,
    linker,
    addReadings,
    evidenceKey,
    close,
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
