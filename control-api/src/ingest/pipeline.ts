/**
 * Ingest: the single caller of protocol `decode()` for MQTT uplink (HOUSE_STYLE "One decode
 * point per way in"). A message that fails is counted in gwanje_rejected_messages_total{reason},
 * logged with its topic and reason, and dropped; it never reaches storage or detection.
 * Accepted telemetry is de-duplicated by (agentId, seq) (seq.ts: replays and impossible seqs,
 * security review F7), checked against the agent's registered site and its own sensors, written
 * to the time-series store, fed to detection and pushed live. Status, cameras and events go to
 * AgentReports.
 */

import type { Condition, DetectionReading, RecentSample, SensorContext, ServiceChange } from '@gwanje/detection';
import type {
  AgentMessage,
  CommandResult,
  LiveAgent,
  LiveCamera,
  LiveReading,
  SensorReport,
  Telemetry,
} from '@gwanje/protocol';
import { DecodeError, decode } from '@gwanje/protocol';
import type { Logger } from '../logger.js';
import type { CenterMetrics } from '../metrics.js';
import type { StoredReading, TimeSeriesStore } from '../store/types.js';
import { type AgentLimits, DEFAULT_AGENT_LIMITS } from './agent-limits.js';
import { AgentReports } from './agent-reports.js';
import type { IngestStore, SensorRow } from './ports.js';
import { RedeliveryWindow, readingKey } from './redelivered.js';
import { restoreDetection } from './restore.js';
import { reportedRow } from './sensor-report.js';
import { type KnownSensor, SensorRegistry } from './sensors.js';
import { DuplicateWatch, MAX_SEQ_AHEAD, SeqTracker } from './seq.js';

/** What ingest hands to the alarm service. Returns the sensor's display state after the reading. */
export interface ReadingSink {
  onReading(reading: DetectionReading, ctx: SensorContext, receivedAt: number): string;
  agentStatus(agentId: string, siteId: string, state: 'online' | 'offline', ts: number): void;
  // Issue 15 (AlarmService has them): a sensor's configuration known or changed; restart state.
  sensorConfigured?(ctx: SensorContext, lastTs?: number): void;
  restoreAgentOffline?(agentId: string): void;
  restoreExposure?(ctx: SensorContext, points: readonly [number, number][], stepMs: number): void;
  restoreRecent?(ctx: SensorContext, samples: readonly RecentSample[], heardAt?: number): void;
  sourceService?(sourceId: string, change: ServiceChange): Promise<void>;
  /** Issue 20: camera-loss family conditions (ONVIF tamper / video loss reported by an agent). */
  cameraCondition?(c: Omit<Condition, 'sourceKind'>, now: number): void;
}

export interface LivePush {
  reading(r: LiveReading): void;
  agent(a: LiveAgent): void;
  camera(c: LiveCamera): void;
}

export interface CommandResults {
  onResult(agentId: string, result: CommandResult): void;
}

export interface IngestDeps {
  log: Logger;
  metrics: CenterMetrics;
  store: IngestStore;
  timeseries: TimeSeriesStore;
  alarms: ReadingSink;
  live: LivePush;
  commands?: CommandResults;
  now?: () => number;
  /** Interval of the batched store flush (seqs, sensor last values). */
  flushMs?: number;
  /** What one agent may register and report (security review F8, F21). */
  limits?: Partial<AgentLimits>;
  /**
   * Issue 19, a cluster member: detection is restored site by site as sites are taken
   * (`takeSite`), not for every sensor at start.
   */
  partitioned?: boolean;
  /**
   * Issue 19: resolves once the readings accepted so far are written (durable.ts). Given, the
   * batched seqs and newest timestamps are stored only after it: the next owner of a site must not
   * skip a redelivered reading that a killed owner had accepted but not yet written.
   */
  durable?: () => Promise<void>;
}

interface AgentInfo {
  siteId: string;
  revoked: boolean;
}

/** Unknown agents are looked up again at most this often (a provisioned agent appears quickly). */
const NEGATIVE_CACHE_MS = 2_000;

export class IngestPipeline {
  readonly seqs = new SeqTracker();
  readonly sensors = new SensorRegistry();
  private readonly duplicates = new DuplicateWatch();
  /** Issue 19: what a site's new owner found stored, for redelivered messages (redelivered.ts). */
  private readonly redelivery = new RedeliveryWindow();
  private readonly agents = new Map<string, AgentInfo | { missingUntil: number }>();
  private readonly lookups = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  readonly limits: AgentLimits;
  private readonly reports: AgentReports;

  constructor(private readonly deps: IngestDeps) {
    this.now = deps.now ?? Date.now;
    this.limits = { ...DEFAULT_AGENT_LIMITS, ...deps.limits };
    this.reports = new AgentReports({
      ...deps,
      limits: this.limits,
      now: this.now,
      reject: (reason, topic, detail) => this.reject(reason, topic, detail),
    });
  }

  async start(): Promise<void> {
    const { store } = this.deps;
    this.seqs.load(await store.agents.loadSeqs(), this.now());
    this.sensors.load(await store.sensors.list());
    const online: string[] = [];
    const offline: string[] = [];
    for (const a of await store.agents.list()) {
      this.agents.set(a.agentId, { siteId: a.siteId, revoked: a.revoked });
      if (a.state === 'online') online.push(a.agentId);
      else if (a.state === 'offline') offline.push(a.agentId);
    }
    this.reports.start(online);
    if (!this.deps.partitioned)
      await restoreDetection({
        alarms: this.deps.alarms,
        sensors: [...this.sensors.all()],
        offlineAgents: offline,
        timeseries: this.deps.timeseries,
        now: this.now,
        log: this.deps.log,
      });
    this.timer = setInterval(() => void this.flush(), this.deps.flushMs ?? 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.reports.stop();
    await Promise.allSettled(this.lookups.values());
    await this.flush();
  }

  /**
   * Issue 19: this instance took the site over. What the previous owner last stored comes back
   * before the site's first message is consumed: its agents (site, revocation), their last seqs
   * and the sensors' newest timestamps (so redelivered messages are recognised as already
   * stored), then detection (stale watches, offline agents, out-of-service, TWA/STEL history).
   */
  async takeSite(siteId: string): Promise<void> {
    const { store } = this.deps;
    const agents = (await store.agents.list()).filter((a) => a.siteId === siteId);
    const ids = new Set(agents.map((a) => a.agentId));
    for (const a of agents) this.agents.set(a.agentId, { siteId: a.siteId, revoked: a.revoked });
    const seqs = await store.agents.loadSeqs();
    this.seqs.load(new Map([...seqs].filter(([agentId]) => ids.has(agentId))), this.now());
    const rows = (await store.sensors.list()).filter((r) => r.siteId === siteId);
    this.sensors.load(rows);
    await this.redelivery.load(siteId, this.deps.timeseries, this.now());
    await restoreDetection({
      alarms: this.deps.alarms,
      sensors: rows.map((r) => this.sensors.get(r.sensorId)).filter((k): k is KnownSensor => k !== undefined),
      offlineAgents: agents.filter((a) => a.state === 'offline').map((a) => a.agentId),
      timeseries: this.deps.timeseries,
      now: this.now,
      log: this.deps.log,
      takeover: true,
    });
  }

  /** Resolves when every message handed in so far has gone past its agent lookup (issue 19 acks). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.lookups.values()]);
  }

  /** Forgets what is cached about an agent (credentials issued or revoked over REST). */
  invalidateAgent(agentId: string): void {
    this.agents.delete(agentId);
  }

  /**
   * Credentials were issued or re-issued (security review F7): the agent starts a new sequence,
   * so its old seq (perhaps poisoned) is forgotten and stored so at once.
   */
  async resetAgent(agentId: string): Promise<void> {
    this.invalidateAgent(agentId);
    this.seqs.forget(agentId);
    if (this.duplicates.accepted(agentId)) this.deps.metrics.agentsDuplicatesOnly.set(this.duplicates.count);
    await this.flush();
  }

  /**
   * Entry point for every MQTT message the center receives. Never throws. `redelivered`: the
   * broker's DUP flag (a site's session resumed by a new owner, issue 19).
   */
  handle(topic: string, payload: Buffer, redelivered = false): void {
    const receivedAt = this.now();
    let msg: ReturnType<typeof decode>;
    try {
      msg = decode(topic, payload);
    } catch (err) {
      const reason = err instanceof DecodeError ? err.reason : 'internal';
      this.reject(reason, topic, (err as Error).message);
      return;
    }
    if (msg.scope !== 'agent') {
      this.reject('topic', topic, 'field topics are not accepted at the center');
      return;
    }
    this.deps.metrics.messages.inc({ kind: msg.kind });
    const cached = this.agents.get(msg.agentId);
    if (cached && 'siteId' in cached) {
      this.route(msg, cached, receivedAt, redelivered);
      return;
    }
    if (cached && cached.missingUntil > receivedAt) {
      this.reject('unauthorized', topic, 'unknown or revoked agent');
      return;
    }
    // Unknown to the cache: look it up once; messages arriving meanwhile queue behind the lookup in order.
    const agentId = msg.agentId;
    const pending = this.lookups.get(agentId) ?? this.lookup(agentId);
    const next = pending.then(() => {
      const info = this.agents.get(agentId);
      if (info && 'siteId' in info) this.route(msg, info, receivedAt, redelivered);
      else this.reject('unauthorized', topic, 'unknown or revoked agent');
    });
    this.lookups.set(agentId, next);
    void next.finally(() => {
      if (this.lookups.get(agentId) === next) this.lookups.delete(agentId);
    });
  }

  private async lookup(agentId: string): Promise<void> {
    try {
      const row = await this.deps.store.agents.get(agentId);
      this.agents.set(
        agentId,
        row ? { siteId: row.siteId, revoked: row.revoked } : { missingUntil: this.now() + NEGATIVE_CACHE_MS },
      );
    } catch (err) {
      this.deps.log.error({ agentId, err: (err as Error).message }, 'ingest: agent lookup failed');
      this.agents.set(agentId, { missingUntil: this.now() + NEGATIVE_CACHE_MS });
    }
  }

  private reject(reason: string, topic: string, detail: string): void {
    this.deps.metrics.rejected.inc({ reason });
    this.deps.log.warn(
      { topic: topic.slice(0, 200), reason, detail: detail.slice(0, 300) },
      'ingest: message rejected',
    );
  }

  private route(msg: AgentMessage, agent: AgentInfo, receivedAt: number, redelivered: boolean): void {
    const topic = `gwanje/v1/${msg.siteId}/${msg.agentId}/${msg.kind}`;
    // The topic's site must be the site the agent was registered for: a forged reading for another site is refused.
    const refusal = agent.revoked
      ? 'agent credentials revoked'
      : agent.siteId !== msg.siteId
        ? `agent is registered for site ${agent.siteId}`
        : undefined;
    if (refusal) {
      this.reject('unauthorized', topic, refusal);
      return;
    }
    try {
      switch (msg.kind) {
        case 'telemetry':
          this.telemetry(msg.siteId, msg.payload, receivedAt, topic, redelivered);
          return;
        case 'status':
          this.reports.status(msg.siteId, msg.agentId, msg.payload);
          return;
        case 'cameras':
          this.reports.cameras(msg.siteId, msg.agentId, msg.payload);
          return;
        case 'sensors':
          void this.sensorReport(msg.siteId, msg.agentId, msg.payload, topic);
          return;
        case 'events':
          this.reports.event(msg.siteId, msg.agentId, msg.payload, topic);
          return;
        case 'cmdResult':
          this.deps.commands?.onResult(msg.agentId, msg.payload);
          return;
        default:
          this.reject('topic', topic, `${msg.kind} is a downlink topic`);
      }
    } catch (err) {
      // A bug in a downstream module must not take the subscriber down with it.
      this.deps.log.error({ topic, err: (err as Error).stack }, 'ingest: handling failed');
    }
  }

  private telemetry(siteId: string, t: Telemetry, receivedAt: number, topic: string, redelivered = false): void {
    const { metrics, alarms, live, timeseries } = this.deps;
    const verdict = this.seqs.accept(t.agentId, t.seq, receivedAt);
    if (verdict === 'ahead') {
      this.reject('seq-ahead', topic, `seq ${t.seq} is more than ${MAX_SEQ_AHEAD} beyond the clock`);
      return;
    }
    // A replayed seq: only readings newer than what is stored for their sensor are new (F7).
    const replay = verdict === 'replay';
    // Issue 19: stored by the site's previous owner, which died before acknowledging it.
    const storedBefore = this.redelivery.message(siteId, redelivered);
    const stored: StoredReading[] = [];
    let foreign = 0;
    let overLimit = 0;
    let seen = 0;
    for (const r of t.readings) {
      let known = this.sensors.get(r.sensorId);
      if (
        (replay && known?.lastTs !== undefined && r.ts <= known.lastTs) ||
        storedBefore?.has(readingKey(r.sensorId, r.ts))
      ) {
        seen++;
        continue;
      }
      if (!known) {
        // F8: an agent registers a bounded number of sensors; the rest of its new ids are refused.
        if (this.sensors.countOf(t.agentId) >= this.limits.maxSensorsPerAgent) {
          overLimit++;
          continue;
        }
        known = this.register(r, siteId, t.agentId);
      } else if (known.row.siteId !== siteId || known.row.agentId !== t.agentId) {
        foreign++;
        continue;
      }
      const sr: StoredReading = {
        siteId,
        agentId: t.agentId,
        sensorId: r.sensorId,
        metric: r.metric,
        gas: r.gas,
        unit: r.unit,
        value: r.value,
        ts: r.ts,
        quality: r.quality,
      };
      stored.push(sr);
      const state = alarms.onReading(r.fault ? { ...sr, fault: r.fault } : sr, known.ctx, receivedAt);
      known.row.state = state;
      this.sensors.observe(known, sr, state);
      live.reading({ sensorId: r.sensorId, siteId, value: r.value, ts: r.ts, state });
    }
    if (foreign > 0) this.reject('unauthorized', topic, `${foreign} reading(s) for sensors of another agent`);
    if (overLimit > 0)
      this.reject(
        'device-limit',
        topic,
        `${overLimit} reading(s) for new sensors beyond the agent's ${this.limits.maxSensorsPerAgent}`,
      );
    if ((replay || storedBefore) && seen === t.readings.length) {
      this.duplicate(t.agentId, t.seq);
      return;
    }
    if (replay) {
      // After new credentials there is no last seq: the first new readings set it, quietly.
      const prev = this.seqs.lastSeq(t.agentId);
      this.seqs.rebase(t.agentId, t.seq);
      if (prev !== undefined)
        this.deps.log.warn(
          { agentId: t.agentId, seq: t.seq, prev, newReadings: stored.length },
          'ingest: agent seq went back with new readings; continuing from it',
        );
    }
    if (this.duplicates.accepted(t.agentId)) metrics.agentsDuplicatesOnly.set(this.duplicates.count);
    if (stored.length === 0) return;
    timeseries.write(stored);
    metrics.readings.inc(stored.length);
  }

  private register(r: Telemetry['readings'][number], siteId: string, agentId: string): KnownSensor {
    const known = this.sensors.register({ ...r, siteId, agentId });
    const row = known.row;
    void this.deps.store.sensors
      .register(row)
      .catch((err: Error) =>
        this.deps.log.error({ sensorId: row.sensorId, err: err.message }, 'ingest: sensor not registered'),
      );
    this.deps.log.info({ sensorId: r.sensorId, siteId, agentId }, 'ingest: new sensor registered');
    this.deps.alarms.sensorConfigured?.(known.ctx);
    return known;
  }

  /**
   * The agent's sensors with range, calibration and rules (issue 15): stored as the center's one
   * record of each sensor, and detection judges the next reading by them.
   */
  private async sensorReport(siteId: string, agentId: string, report: SensorReport, topic: string): Promise<void> {
    const rows: SensorRow[] = [];
    let foreign = 0;
    let overLimit = 0;
    let owned = this.sensors.countOf(agentId);
    for (const s of report.sensors) {
      const known = this.sensors.get(s.sensorId)?.row;
      // F8: a report registers new sensors within the agent's limit, as readings do.
      if (!known && owned >= this.limits.maxSensorsPerAgent) {
        overLimit++;
        continue;
      }
      const out = reportedRow(known, s, {
        siteId,
        agentId,
        configVersion: report.configVersion,
        now: this.now(),
      });
      if ('foreign' in out) foreign++;
      else {
        rows.push(out.row);
        if (!known) owned++;
      }
    }
    if (foreign > 0) this.reject('unauthorized', topic, `${foreign} sensor(s) of another agent in the report`);
    if (overLimit > 0)
      this.reject(
        'device-limit',
        topic,
        `${overLimit} new sensor(s) beyond the agent's ${this.limits.maxSensorsPerAgent}`,
      );
    try {
      await this.deps.store.sensors.save?.(rows);
    } catch (err) {
      this.deps.log.error({ agentId, err: (err as Error).message }, 'ingest: sensor report not stored');
    }
    for (const row of rows) this.configured(this.sensors.reload(row));
    this.deps.log.info({ agentId, sensors: rows.length, version: report.configVersion }, 'ingest: sensor report');
  }

  /** A sensor's rules changed (agent report, admin edit): reload it into detection. */
  reloadSensor(row: SensorRow): void {
    this.configured(this.sensors.reload(row));
  }

  private configured(k: KnownSensor): void {
    this.deps.alarms.sensorConfigured?.(k.ctx, k.lastTs);
  }

  /** A whole message was a duplicate; an agent that sends only duplicates for long is flagged (F7). */
  private duplicate(agentId: string, seq: number): void {
    this.deps.metrics.duplicates.inc();
    if (!this.duplicates.duplicate(agentId)) return;
    this.deps.metrics.agentsDuplicatesOnly.set(this.duplicates.count);
    this.deps.log.warn(
      { agentId, seq, lastSeq: this.seqs.lastSeq(agentId) },
      'ingest: every recent telemetry message of this agent was a duplicate (seq and readings not newer than stored); re-issue its credentials if it was re-imaged',
    );
  }

  /** Writes seqs and newest sensor values in one batch each (serialized: never two flushes at once). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const { store, log } = this.deps;
      const seqs = this.seqs.takeDirty();
      const last = this.sensors.takeLastValues();
      try {
        await this.deps.durable?.();
        if (seqs.size > 0) await store.agents.saveSeqs(seqs);
        if (last.length > 0) await store.sensors.updateLastMany(last);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'ingest: batched store update failed');
      }
    });
    return this.flushing;
  }
}
