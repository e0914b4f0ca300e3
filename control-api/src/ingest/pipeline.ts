/**
 * Ingest: the single caller of protocol `decode()` for MQTT uplink (HOUSE_STYLE "One decode
 * point per way in"). A message that fails is counted in gwanje_rejected_messages_total{reason},
 * logged with its topic and reason, and dropped; it never reaches storage or detection.
 * Accepted telemetry is de-duplicated by (agentId, seq), checked against the agent's registered
 * site, written to the time-series store, fed to detection and pushed live.
 */
import type {
  AgentMessage,
  CameraInventory,
  CommandResult,
  LiveAgent,
  LiveCamera,
  LiveReading,
  Telemetry,
} from '@gwanje/protocol';
import { DecodeError, decode } from '@gwanje/protocol';
import type { DetectionReading, SensorContext } from '../detection/types.js';
import type { Logger } from '../logger.js';
import type { CenterMetrics } from '../metrics.js';
import { RefusalLog } from '../refusal-log.js';
import type { StoredReading, TimeSeriesStore } from '../store/types.js';
import { AgentEventBudget, type AgentLimits, DEFAULT_AGENT_LIMITS } from './agent-limits.js';
import type { IngestStore } from './ports.js';
import { SensorRegistry } from './sensors.js';
import { SeqTracker } from './seq.js';

/** What ingest hands to the alarm service. Returns the sensor's display state after the reading. */
export interface ReadingSink {
  onReading(reading: DetectionReading, ctx: SensorContext, receivedAt: number): string;
  agentStatus(agentId: string, siteId: string, state: 'online' | 'offline', ts: number): void;
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
}

interface AgentInfo {
  siteId: string;
  revoked: boolean;
}

/** Unknown agents are looked up again at most this often (a provisioned agent appears quickly). */
const NEGATIVE_CACHE_MS = 2_000;
/** How often old agent events are deleted. */
const EVENT_PRUNE_MS = 3_600_000;

export class IngestPipeline {
  readonly seqs = new SeqTracker();
  readonly sensors = new SensorRegistry();
  private readonly agents = new Map<string, AgentInfo | { missingUntil: number }>();
  private readonly lookups = new Map<string, Promise<void>>();
  private readonly online = new Set<string>();
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  readonly limits: AgentLimits;
  private readonly eventBudget: AgentEventBudget;
  private readonly refusals: RefusalLog;

  constructor(private readonly deps: IngestDeps) {
    this.now = deps.now ?? Date.now;
    this.limits = { ...DEFAULT_AGENT_LIMITS, ...deps.limits };
    this.eventBudget = new AgentEventBudget(this.limits, this.now);
    this.refusals = new RefusalLog(deps.log, 10_000, this.now);
  }

  async start(): Promise<void> {
    const { store } = this.deps;
    this.seqs.load(await store.agents.loadSeqs());
    this.sensors.load(await store.sensors.list());
    for (const a of await store.agents.list()) {
      this.agents.set(a.agentId, { siteId: a.siteId, revoked: a.revoked });
      if (a.state === 'online') this.online.add(a.agentId);
    }
    this.deps.metrics.agentsOnline.set(this.online.size);
    this.timer = setInterval(() => void this.flush(), this.deps.flushMs ?? 1_000);
    void this.pruneEvents();
    this.pruneTimer = setInterval(() => void this.pruneEvents(), EVENT_PRUNE_MS);
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.pruneTimer);
    await Promise.allSettled(this.lookups.values());
    await this.flush();
  }

  /** Forgets what is cached about an agent (credentials issued or revoked over REST). */
  invalidateAgent(agentId: string): void {
    this.agents.delete(agentId);
  }

  /** Entry point for every MQTT message the center receives. Never throws. */
  handle(topic: string, payload: Buffer): void {
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
      this.route(msg, cached, receivedAt);
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
      if (info && 'siteId' in info) this.route(msg, info, receivedAt);
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

  private route(msg: AgentMessage, agent: AgentInfo, receivedAt: number): void {
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
          this.telemetry(msg.siteId, msg.payload, receivedAt, topic);
          return;
        case 'status':
          this.status(msg.siteId, msg.agentId, msg.payload);
          return;
        case 'cameras':
          this.cameras(msg.siteId, msg.agentId, msg.payload);
          return;
        case 'events':
          this.event(msg.siteId, msg.agentId, msg.payload, topic);
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

  private telemetry(siteId: string, t: Telemetry, receivedAt: number, topic: string): void {
    const { metrics, alarms, live, timeseries } = this.deps;
    if (!this.seqs.accept(t.agentId, t.seq)) {
      metrics.duplicates.inc();
      return;
    }
    const stored: StoredReading[] = [];
    let foreign = 0;
    let overLimit = 0;
    for (const r of t.readings) {
      let known = this.sensors.get(r.sensorId);
      if (!known) {
        // F8: an agent registers a bounded number of sensors; the rest of its new ids are refused.
        if (this.sensors.countOf(t.agentId) >= this.limits.maxSensorsPerAgent) {
          overLimit++;
          continue;
        }
        known = this.sensors.register({ ...r, siteId, agentId: t.agentId });
        const row = known.row;
        void this.deps.store.sensors
          .register(row)
          .catch((err: Error) =>
            this.deps.log.error({ sensorId: row.sensorId, err: err.message }, 'ingest: sensor not registered'),
          );
        this.deps.log.info({ sensorId: r.sensorId, siteId, agentId: t.agentId }, 'ingest: new sensor registered');
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
    if (stored.length === 0) return;
    timeseries.write(stored);
    metrics.readings.inc(stored.length);
  }

  private status(
    siteId: string,
    agentId: string,
    s: {
      state: 'online' | 'offline';
      buffered: number;
      version: string;
      ts: number;
      config?: { version: string; outcome: string; error?: string };
    },
  ): void {
    const { store, live, alarms, metrics, log } = this.deps;
    if (s.state === 'online') this.online.add(agentId);
    else this.online.delete(agentId);
    metrics.agentsOnline.set(this.online.size);
    void store.agents
      .setStatus(agentId, { state: s.state, lastSeen: this.now(), buffered: s.buffered, version: s.version })
      .catch((err: Error) => log.error({ agentId, err: err.message }, 'ingest: agent status not stored'));
    if (s.config && store.agents.setConfigApplied) {
      // Issue 10: the applied version (and outcome) against the desired one is the drift the console shows.
      const applied = JSON.stringify(s.config);
      void store.agents
        .setConfigApplied(agentId, applied)
        .catch((err: Error) => log.error({ agentId, err: err.message }, 'ingest: applied config not stored'));
    }
    live.agent({ agentId, siteId, state: s.state, ts: s.ts, buffered: s.buffered });
    alarms.agentStatus(agentId, siteId, s.state, this.now());
    log.info({ agentId, siteId, state: s.state, buffered: s.buffered }, 'ingest: agent status');
  }

  private cameras(siteId: string, agentId: string, inv: CameraInventory): void {
    const topic = `gwanje/v1/${siteId}/${agentId}/cameras`;
    void this.deps.store.cameras
      .replaceInventory(siteId, agentId, inv.cameras, this.limits.maxCamerasPerAgent)
      .then((out) => {
        // CONTRACT: a camera belongs to the site and agent that first registered it (F1).
        if (out?.foreign.length)
          this.reject('unauthorized', topic, `cameras of another agent or site left alone: ${out.foreign.join(', ')}`);
        if (out?.overLimit.length)
          this.reject('device-limit', topic, `cameras beyond the agent's ${this.limits.maxCamerasPerAgent}`);
        const refused = new Set([...(out?.foreign ?? []), ...(out?.overLimit ?? [])]);
        for (const c of inv.cameras)
          if (!refused.has(c.cameraId)) this.deps.live.camera({ cameraId: c.cameraId, siteId, state: 'idle' });
      })
      .catch((err: Error) => this.deps.log.error({ agentId, err: err.message }, 'ingest: camera inventory not stored'));
  }

  /** F21: agent events go to the agent-events table, at most the agent's rate; the excess is counted and dropped. */
  private event(siteId: string, agentId: string, ev: { type: string; sourceId?: string }, topic: string): void {
    if (!this.eventBudget.take(agentId)) {
      this.deps.metrics.rejected.inc({ reason: 'rate-limit' });
      this.refusals.warn(
        `rate-limit ${agentId}`,
        { topic, reason: 'rate-limit', perHour: this.limits.eventsPerHour },
        'ingest: agent events over its rate dropped',
      );
      return;
    }
    void this.deps.store.events
      .record(siteId, agentId, ev)
      .catch((err: Error) => this.deps.log.error({ err: err.message }, 'ingest: event not recorded'));
    this.deps.log.info({ agentId, type: ev.type, sourceId: ev.sourceId, topic }, 'ingest: agent event');
  }

  private async pruneEvents(): Promise<void> {
    try {
      const n = (await this.deps.store.events.prune?.(this.now() - this.limits.eventRetentionMs)) ?? 0;
      if (n > 0) this.deps.log.info({ deleted: n }, 'ingest: old agent events deleted');
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, 'ingest: agent event retention failed');
    }
  }

  /** Writes seqs and newest sensor values in one batch each (serialized: never two flushes at once). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const { store, log } = this.deps;
      const seqs = this.seqs.takeDirty();
      const last = this.sensors.takeLastValues();
      try {
        if (seqs.size > 0) await store.agents.saveSeqs(seqs);
        if (last.length > 0) await store.sensors.updateLastMany(last);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'ingest: batched store update failed');
      }
    });
    return this.flushing;
  }
}
