/**
 * The agents' uplink besides telemetry (CONTRACT topic table): `status` (online/offline, the
 * config version applied), the retained `cameras` inventory and `events`. Decoded and checked by
 * the pipeline (the one decode point); here they reach the store, the live push and the alarms,
 * within what one agent may hold (security review F1, F21).
 */
import { type AgentEvent, type AgentStatus, type CameraInventory, classifyOnvifEvent } from '@gwanje/protocol';
import type { Logger } from '../logger.js';
import type { CenterMetrics } from '../metrics.js';
import { RefusalLog } from '../refusal-log.js';
import { raiseCameraCondition } from '../video/camera-conditions.js';
import { AgentEventBudget, type AgentLimits } from './agent-limits.js';
import type { LivePush, ReadingSink } from './pipeline.js';
import type { IngestStore } from './ports.js';

/** How often old agent events are deleted. */
const EVENT_PRUNE_MS = 3_600_000;

export interface AgentReportsDeps {
  log: Logger;
  metrics: CenterMetrics;
  store: IngestStore;
  alarms: ReadingSink;
  live: LivePush;
  limits: AgentLimits;
  now: () => number;
  /** The pipeline's rejection: counted by reason and logged with the topic. */
  reject(reason: string, topic: string, detail: string): void;
}

export class AgentReports {
  private readonly online = new Set<string>();
  private readonly eventBudget: AgentEventBudget;
  private readonly refusals: RefusalLog;
  private pruneTimer?: NodeJS.Timeout;

  constructor(private readonly deps: AgentReportsDeps) {
    this.eventBudget = new AgentEventBudget(deps.limits, deps.now);
    this.refusals = new RefusalLog(deps.log, 10_000, deps.now);
  }

  /** `onlineAgents`: agents whose stored state is online. Starts the event retention. */
  start(onlineAgents: string[]): void {
    for (const a of onlineAgents) this.online.add(a);
    this.deps.metrics.agentsOnline.set(this.online.size);
    void this.pruneEvents();
    this.pruneTimer = setInterval(() => void this.pruneEvents(), EVENT_PRUNE_MS);
    this.pruneTimer.unref();
  }

  stop(): void {
    clearInterval(this.pruneTimer);
  }

  status(siteId: string, agentId: string, s: AgentStatus): void {
    const { store, live, alarms, metrics, log } = this.deps;
    if (s.state === 'online') this.online.add(agentId);
    else this.online.delete(agentId);
    metrics.agentsOnline.set(this.online.size);
    void store.agents
      .setStatus(agentId, { state: s.state, lastSeen: this.deps.now(), buffered: s.buffered, version: s.version })
      .catch((err: Error) => log.error({ agentId, err: err.message }, 'ingest: agent status not stored'));
    if (s.config && store.agents.setConfigApplied) {
      // Issue 10: the applied version (and outcome) against the desired one is the drift the console shows.
      const applied = JSON.stringify(s.config);
      void store.agents
        .setConfigApplied(agentId, applied)
        .catch((err: Error) => log.error({ agentId, err: err.message }, 'ingest: applied config not stored'));
    }
    live.agent({ agentId, siteId, state: s.state, ts: s.ts, buffered: s.buffered });
    alarms.agentStatus(agentId, siteId, s.state, this.deps.now());
    log.info({ agentId, siteId, state: s.state, buffered: s.buffered }, 'ingest: agent status');
  }

  cameras(siteId: string, agentId: string, inv: CameraInventory): void {
    const topic = `gwanje/v1/${siteId}/${agentId}/cameras`;
    const max = this.deps.limits.maxCamerasPerAgent;
    void this.deps.store.cameras
      .replaceInventory(siteId, agentId, inv.cameras, max)
      .then((out) => {
        // CONTRACT: a camera belongs to the site and agent that first registered it (F1).
        if (out?.foreign.length)
          this.deps.reject(
            'unauthorized',
            topic,
            `cameras of another agent or site left alone: ${out.foreign.join(', ')}`,
          );
        if (out?.overLimit.length) this.deps.reject('device-limit', topic, `cameras beyond the agent's ${max}`);
        const refused = new Set([...(out?.foreign ?? []), ...(out?.overLimit ?? [])]);
        for (const c of inv.cameras)
          if (!refused.has(c.cameraId)) this.deps.live.camera({ cameraId: c.cameraId, siteId, state: 'idle' });
      })
      .catch((err: Error) => this.deps.log.error({ agentId, err: err.message }, 'ingest: camera inventory not stored'));
  }

  /** F21: agent events go to the agent-events table, at most the agent's rate; the excess is counted and dropped. */
  event(siteId: string, agentId: string, ev: AgentEvent, topic: string): void {
    if (!this.eventBudget.take(agentId)) {
      this.deps.metrics.rejected.inc({ reason: 'rate-limit' });
      this.refusals.warn(
        `rate-limit ${agentId}`,
        { topic, reason: 'rate-limit', perHour: this.deps.limits.eventsPerHour },
        'ingest: agent events over its rate dropped',
      );
      return;
    }
    void this.deps.store.events
      .record(siteId, agentId, ev)
      .catch((err: Error) => this.deps.log.error({ err: err.message }, 'ingest: event not recorded'));
    this.deps.log.info({ agentId, type: ev.type, sourceId: ev.sourceId }, 'ingest: agent event');
    if (ev.type === 'camera-event') void this.cameraEvent(siteId, agentId, ev);
  }

  /**
   * Issue 20: an ONVIF tamper or video-loss notification the agent pulled from its camera raises
   * (or clears) the camera's alarm of that kind; motion stays an event. Only for a camera this
   * agent owns at this site (F1: an agent cannot raise alarms on another's cameras).
   */
  private async cameraEvent(siteId: string, agentId: string, ev: AgentEvent): Promise<void> {
    const e = ev as AgentEvent & { event?: unknown; topic?: unknown; data?: unknown };
    if (e.event !== 'onvif' || typeof e.topic !== 'string') return;
    const meaning = classifyOnvifEvent(e.topic, e.data);
    const kind = meaning?.kind;
    if (!meaning || kind === undefined || kind === 'motion' || !this.deps.alarms.cameraCondition) return;
    try {
      const cam = await this.deps.store.cameras.get?.(ev.sourceId);
      if (!cam || cam.siteId !== siteId || cam.agentId !== agentId) {
        this.deps.reject(
          'unauthorized',
          `gwanje/v1/${siteId}/${agentId}/events`,
          `camera ${ev.sourceId} is not this agent's`,
        );
        return;
      }
      const sink = { cameraCondition: this.deps.alarms.cameraCondition.bind(this.deps.alarms) };
      raiseCameraCondition(
        sink,
        { cameraId: ev.sourceId, siteId, kind, active: meaning.active, source: 'onvif' },
        this.deps.now(),
      );
    } catch (err) {
      this.deps.log.error(
        { agentId, cameraId: ev.sourceId, err: (err as Error).message },
        'ingest: camera event not applied',
      );
    }
  }

  private async pruneEvents(): Promise<void> {
    try {
      const n = (await this.deps.store.events.prune?.(this.deps.now() - this.deps.limits.eventRetentionMs)) ?? 0;
      if (n > 0) this.deps.log.info({ deleted: n }, 'ingest: old agent events deleted');
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, 'ingest: agent event retention failed');
    }
  }
}
