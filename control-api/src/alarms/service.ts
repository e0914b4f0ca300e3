/**
 * AlarmService: applies the transitions DetectionEngine returns. Each transition is persisted
 * (alarm row and a journal entry with who, when and why: ISA-18.2 clause 16.4 asks that alarm
 * state changes and operator actions be recorded), then announced on Socket.IO `alarm` to the
 * site room, and the raise is timed from the reading's ts to the emit (latency journal
 * sensorTs/receivedAt/evaluatedAt/emittedAt and gwanje_alarm_latency_seconds).
 */
import {
  type ActionArgs,
  type AlarmAction,
  AlarmActionError,
  alarmKey,
  type Condition,
  computeKpisBySite,
  type DetectionReading,
  type Kpis,
  type RecentSample,
  type SensorContext,
  type ServiceChange,
  type SiteKpis,
  type Transition,
} from '@gwanje/detection';
import type { Alarm, JournalEntry } from '@gwanje/protocol';
import type { AlarmChanged, EventSink } from '../bus.js';
import type { AlarmStore } from '../ingest/ports.js';
import type { Logger } from '../logger.js';
import type { CenterMetrics } from '../metrics.js';
import type { AlarmQuery, SiteScope } from '../store/types.js';
import type { AlarmEngine } from './engine.js';
import { persistAlarm, StandingIndex } from './standing.js';
import { WriteOrder } from './write-order.js';

/** Told of an alarm change (`alarm.changed` on the center's bus). */
export type AlarmListener = (change: AlarmChanged) => void;

export interface AlarmServiceDeps {
  log: Logger;
  metrics: CenterMetrics;
  store: AlarmStore;
  engine: AlarmEngine;
  /** `alarm.changed` for every transition, `flood.changed` for flood mode (bus.ts). */
  bus: EventSink;
  now?: () => number;
  /** Detection tick period (delays, shelving expiry, stale, TWA windows): 1 s. */
  tickMs?: number;
  /**
   * Issue 21: cameras for an alarm with none configured (plans/linker.ts: those that see the
   * sensor's position on the site plan). Absent: every camera of the site. `cachedFor` answers
   * without I/O when it can (issue 18: the raise is then announced in the reading's own turn).
   */
  cameraLinks?: { camerasFor(alarm: Alarm): Promise<string[]>; cachedFor?(alarm: Alarm): string[] | undefined };
  /**
   * Issue 19, a cluster member: a raise is stored before it is announced, so the database's
   * one-standing-alarm index (migration 0014) decides between two instances before any console or
   * escalation sees a second id. A single instance announces first (latency, issue 4).
   */
  persistRaiseFirst?: boolean;
  /**
   * Issue 19: an action on an alarm this instance does not hold goes to the owner of its site
   * (cluster/action-relay.ts); undefined back means this instance is the owner.
   */
  forward?(
    siteId: string,
    r: { alarmId: string; action: AlarmAction; actor: string; args: ActionArgs },
  ): Promise<Alarm | undefined>;
}

interface Latency {
  sensorTs?: number;
  receivedAt?: number;
  evaluatedAt?: number;
}

const SITE_CAMERAS_TTL_MS = 30_000;
const STANDING_MS = 24 * 3600_000;
const KPI_MAX_ALARMS = 5_000;

export class AlarmService {
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  /** Active alarm ids per sensor: the `state` a reading is pushed with. */
  private readonly activeBySource = new StandingIndex();
  private readonly siteCameras = new Map<string, { ids: string[]; until: number }>();
  /** Persist-then-emit work in order per alarm and per condition (write-order.ts). */
  private readonly writes = new WriteOrder();
  /**
   * When the center received each sensor's newest reading: a raise completed later by an on-delay
   * at a tick still gets its `receivedAt` (issue 21: the latency journal showed "Received -").
   */
  private readonly received = new Map<string, { ts: number; receivedAt: number }>();

  constructor(private readonly deps: AlarmServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async start(): Promise<void> {
    // Standing alarms survive a restart: the engine resumes their lifecycle (ISA-18.2 clause 11).
    // A cluster member (issue 19) restores them site by site as it takes sites (takeSite).
    const standing = this.deps.engine.addSite ? [] : await this.deps.store.standing();
    this.deps.engine.load(standing);
    for (const a of standing) this.activeBySource.track(a);
    this.deps.log.info({ restored: standing.length }, 'alarms: standing alarms restored');
    this.timer = setInterval(() => this.tick(), this.deps.tickMs ?? 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }

  /** Resolves when every transition so far is persisted and emitted. */
  async idle(): Promise<void> {
    await this.writes.idle();
  }

  tick(): void {
    try {
      this.apply(this.deps.engine.tick(this.now()), {});
      // Flood mode can also end with no alarm changing (the 10-minute window slides on).
      for (const f of this.deps.engine.takeFloodChanges?.() ?? []) this.deps.bus.emit('flood.changed', f);
    } catch (err) {
      this.deps.log.error({ err: (err as Error).stack }, 'alarms: tick failed');
    }
  }

  /**
   * Issue 19: this instance took a site over. Its engine is made and its standing alarms (with
   * their latch, shelving, acks) come back from the store, so an alarm standing under the old
   * owner goes on with the same id instead of being raised again.
   */
  async takeSite(siteId: string): Promise<void> {
    const engine = this.deps.engine;
    if (!engine.addSite) return;
    engine.addSite(siteId);
    const standing = await this.deps.store.standing([siteId]);
    engine.load(standing);
    for (const a of standing) this.activeBySource.track(a);
    this.deps.log.info({ siteId, restored: standing.length }, 'alarms: site taken over, standing alarms restored');
  }

  /** Issue 19: the site went to another instance: pending writes finish, then its state is dropped. */
  async giveSite(siteId: string): Promise<void> {
    await this.idle();
    this.activeBySource.forget(new Set(this.deps.engine.dropSite?.(siteId) ?? []));
  }

  /** Called by ingest for every accepted reading; returns the sensor's display state. */
  onReading(reading: DetectionReading, ctx: SensorContext, receivedAt: number): string {
    const evaluatedAt = this.now();
    // Updated in place: this runs for every reading, and a fresh object each time was garbage (issue 18).
    const seen = this.received.get(reading.sensorId);
    if (seen) {
      seen.ts = reading.ts;
      seen.receivedAt = receivedAt;
    } else this.received.set(reading.sensorId, { ts: reading.ts, receivedAt });
    const transitions = this.deps.engine.onReading(reading, ctx, evaluatedAt);
    if (transitions.length > 0) this.apply(transitions, { sensorTs: reading.ts, receivedAt, evaluatedAt });
    if (this.deps.engine.isOutOfService?.(reading.sensorId)) return 'out-of-service';
    if (this.activeBySource.activeOf(reading.sensorId) > 0) return 'alarm';
    if (reading.quality !== 'good' || reading.fault) return reading.quality === 'stale' ? 'stale' : 'fault';
    return 'normal';
  }

  agentStatus(agentId: string, siteId: string, state: 'online' | 'offline', now: number): void {
    this.apply(this.deps.engine.agentStatus(agentId, siteId, state, now), {});
  }

  /**
   * A sensor's configuration is known (start, first sight, agent report, admin edit): its stale
   * watch and `config` warning (issue 15). `lastTs` is when it last reported, if ever.
   */
  sensorConfigured(ctx: SensorContext, lastTs?: number): void {
    this.apply(this.deps.engine.sensorConfigured?.(ctx, this.now(), lastTs) ?? [], {});
  }

  /** State a restart must not lose (issue 15): offline agents, TWA/STEL history, out-of-service sensors. */
  restoreAgentOffline(agentId: string): void {
    this.deps.engine.restoreAgentOffline?.(agentId, this.now());
  }

  restoreExposure(ctx: SensorContext, points: readonly [number, number][], stepMs: number): void {
    this.deps.engine.restoreExposure?.(ctx, points, stepMs, this.now());
  }

  /**
   * Issue 19, a site taken over: a sensor's on/off-delays, rate-of-rise window and stale watch
   * resume from its stored readings (ingest/restore.ts); a raise or clear the old owner completed
   * but never stored is made now.
   */
  restoreRecent(ctx: SensorContext, samples: readonly RecentSample[], heardAt?: number): void {
    this.apply(this.deps.engine.restoreRecent?.(ctx, samples, this.now(), heardAt) ?? [], {});
  }

  /** Takes a source out of service or returns it; its alarms follow, journaled (issue 15). */
  async sourceService(sourceId: string, change: ServiceChange): Promise<void> {
    const transitions = this.deps.engine.sourceService?.(sourceId, change, this.now()) ?? [];
    this.apply(transitions, {});
    await Promise.all(transitions.map((t) => this.writes.pending(t.alarm.id)));
  }

  /** Camera state (`camera.state` on the bus): detection decides camera-loss (engine.cameraState). */
  cameraState(cameraId: string, siteId: string, state: 'live' | 'idle' | 'lost', now: number): void {
    this.apply(this.deps.engine.cameraState?.(cameraId, siteId, state, now) ?? [], {});
  }

  /**
   * A condition a camera's video analytics asserts or clears (issue 23: fire-suspected), through
   * the same ISA-18.2 state machine and journal as every other alarm.
   */
  cameraCondition(c: Omit<Condition, 'sourceKind'>, now: number): void {
    const machine = this.deps.engine.machine;
    if (machine) this.apply(machine.apply({ ...c, sourceKind: 'camera' }, now), {});
  }

  /**
   * Adds evidence to a standing alarm (issue 23: "confirmed on camera"): the fields in `patch`,
   * journaled as `action` by `actor` and announced, with state and priority untouched. false when
   * the alarm no longer stands.
   */
  annotate(
    alarmId: string,
    patch: Partial<Alarm>,
    action: string,
    actor: string,
    comment: string,
    now: number,
  ): boolean {
    const a = this.deps.engine.machine?.byId?.get(alarmId);
    if (!a) return false;
    Object.assign(a, patch, { updatedAt: now });
    const t: Transition = {
      alarm: { ...a },
      fromState: a.state,
      toState: a.state,
      action,
      actor,
      comment,
      announce: true,
    };
    this.apply([t], {});
    return true;
  }

  /** An operator action (REST). Throws AlarmActionError for an action the state does not allow. */
  async act(alarmId: string, action: AlarmAction, actor: string, args: ActionArgs = {}): Promise<Alarm> {
    if (this.deps.forward && !this.deps.engine.machine?.byId?.has(alarmId)) {
      const stored = await this.deps.store.get(alarmId);
      if (stored && stored.state !== 'normal') {
        const there = await this.deps.forward(stored.siteId, { alarmId, action, actor, args });
        if (there) return there;
      }
    }
    if (action === 'comment' && !this.deps.engine.active().some((a) => a.id === alarmId)) {
      return this.commentClosed(alarmId, actor, args);
    }
    const transitions = this.deps.engine.act(alarmId, action, actor, this.now(), args);
    this.apply(transitions, {});
    await this.writes.pending(alarmId);
    const last = transitions.filter((t) => t.alarm.id === alarmId).at(-1);
    const alarm = last ? { ...last.alarm } : await this.deps.store.get(alarmId);
    if (!alarm) throw new AlarmActionError('not-found', `alarm ${alarmId} not found`);
    return alarm;
  }

  /**
   * A comment on an alarm that is no longer standing (issue 15 audit gap: the engine holds only
   * standing alarms): journaled against the stored alarm, which is otherwise unchanged.
   */
  private async commentClosed(alarmId: string, actor: string, args: ActionArgs): Promise<Alarm> {
    const text = args.text ?? args.comment;
    if (typeof text !== 'string' || text.trim() === '') throw new AlarmActionError('bad-args', 'text is required');
    return (await this.note(alarmId, 'comment', actor, text)).alarm;
  }

  /**
   * A journal entry that changes nothing of the alarm (a comment on a closed alarm, an SOP step
   * ticked, issue 21), after every pending transition of it is written. A standing alarm is
   * announced again (newer `updatedAt`) so open consoles refresh its journal.
   */
  async note(
    alarmId: string,
    action: string,
    actor: string,
    comment: string,
    facts?: JournalEntry['facts'],
  ): Promise<{ alarm: Alarm; entry: JournalEntry }> {
    await this.writes.pending(alarmId);
    const standing = this.deps.engine.machine?.byId?.get(alarmId);
    const alarm = standing ? { ...standing, cameras: [...standing.cameras] } : await this.deps.store.get(alarmId);
    if (!alarm) throw new AlarmActionError('not-found', `alarm ${alarmId} not found`);
    const now = this.now();
    const entry: JournalEntry = {
      alarmId,
      ts: now,
      action,
      actor,
      fromState: alarm.state,
      toState: alarm.state,
      comment,
    };
    if (facts) entry.facts = facts;
    await this.deps.store.appendJournal(entry);
    if (standing) {
      standing.updatedAt = now;
      alarm.updatedAt = now;
      // A note changes no state: consoles redraw the alarm, escalation sees the same state again.
      this.deps.bus.emit('alarm.changed', { alarm: { ...alarm }, raised: false, announced: true });
    }
    return { alarm, entry };
  }

  /**
   * EEMUA 191 figures (GET /api/v1/kpis) from the stored alarms and their journal: the scope as a
   * whole and each site in it (issue 21: supervisors compare sites and shifts).
   */
  async kpis(siteIds: SiteScope, from: number, to: number): Promise<Kpis & { sites: SiteKpis[] }> {
    // Activations before `from` matter for floods, chattering and standing alarms spanning it.
    const alarms = await this.deps.store.list({ siteIds, from: from - STANDING_MS, to, limit: KPI_MAX_ALARMS });
    const journal: JournalEntry[] = [];
    for (const a of alarms) journal.push(...(await this.deps.store.journal(a.id)));
    return computeKpisBySite(alarms, journal, { from, to });
  }

  list(q: AlarmQuery): Promise<Alarm[]> {
    return this.deps.store.list(q);
  }

  /** The alarm with its journal (GET /api/v1/alarms/{id}); in-memory state wins over the row. */
  async get(id: string): Promise<{ alarm: Alarm; journal: JournalEntry[] } | undefined> {
    await this.writes.pending(id);
    const live = this.deps.engine.active().find((a) => a.id === id);
    const alarm = live ? { ...live } : await this.deps.store.get(id);
    if (!alarm) return undefined;
    return { alarm, journal: await this.deps.store.journal(id) };
  }

  /** The standing set a (re)connecting console receives first. */
  active(): Alarm[] {
    return this.deps.engine.active().map((a) => ({ ...a }));
  }

  private apply(transitions: Transition[], latency: Latency): void {
    if (transitions.length > 0) {
      for (const f of this.deps.engine.takeFloodChanges?.() ?? []) this.deps.bus.emit('flood.changed', f);
    }
    for (const t of transitions) {
      const id = t.alarm.id;
      const snapshot: Alarm = { ...t.alarm, cameras: [...(t.alarm.cameras ?? [])] };
      const raise = t.fromState === undefined;
      if (raise) {
        this.deps.metrics.alarmsRaised.inc({ type: snapshot.type });
        // The engine stamps sensorTs/evaluatedAt (also for raises completed by an on-delay at a tick);
        // a raise straight from a reading adds when the center received it.
        const base = t.alarm.latency ?? {};
        snapshot.latency = latency.sensorTs !== undefined ? { ...base, ...latency } : { ...base };
        const got = this.received.get(snapshot.sourceId);
        if (snapshot.latency.receivedAt === undefined && got && got.ts === snapshot.latency.sensorTs)
          snapshot.latency.receivedAt = got.receivedAt;
        this.keep(id, { latency: { ...snapshot.latency } });
      } else if (t.alarm.latency) {
        snapshot.latency = { ...t.alarm.latency };
      }
      this.activeBySource.track(snapshot);
      const entry: JournalEntry = {
        alarmId: id,
        ts: this.now(),
        action: t.action,
        actor: t.actor,
        fromState: t.fromState,
        toState: t.toState,
        comment: t.comment,
      };
      if (t.facts) entry.facts = t.facts;
      const key = alarmKey(snapshot.sourceId, snapshot.type, snapshot.advisory);
      // Issue 18: cameras from the linker's cache when it has the site (no I/O).
      const cached = raise && snapshot.cameras.length === 0 ? this.deps.cameraLinks?.cachedFor?.(snapshot) : undefined;
      if (cached) {
        snapshot.cameras = [...cached];
        t.alarm.cameras = [...cached];
        this.keep(id, { cameras: [...cached] });
      }
      const camerasKnown = !raise || snapshot.cameras.length > 0 || cached !== undefined;
      // Issue 18: with nothing of this alarm still being written, announced in the reading's own turn.
      this.writes.run(
        id,
        key,
        () => this.emitAndPersist(t, snapshot, entry, raise, camerasKnown),
        (err) => this.deps.log.error({ alarmId: id, err: err.stack }, 'alarms: transition not announced or stored'),
      );
    }
  }

  /**
   * Announces the transition, then writes it. The emit does not wait for the database: a commit
   * waits for a disk flush, which on a busy PostgreSQL host takes up to ~100 ms at the tail, and an
   * operator must see a gas alarm at once. Consistency holds through the per-alarm chain: a later
   * transition of the same alarm, an action on it and `get()` all wait until this one is written.
   * A database failure is logged and never hides the alarm.
   */
  private async emitAndPersist(
    t: Transition,
    alarm: Alarm,
    entry: JournalEntry,
    raise: boolean,
    camerasKnown = false,
  ): Promise<void> {
    const { store, bus, metrics, log } = this.deps;
    if (raise && !camerasKnown && alarm.cameras.length === 0) {
      // CONTRACT / issue 4: cameras configured for the sensor, else the site's cameras.
      try {
        alarm.cameras = this.deps.cameraLinks
          ? await this.deps.cameraLinks.camerasFor(alarm)
          : await this.camerasOfSite(alarm.siteId);
        t.alarm.cameras = [...alarm.cameras];
        this.keep(alarm.id, { cameras: [...alarm.cameras] });
      } catch (err) {
        log.error({ alarmId: alarm.id, err: (err as Error).message }, 'alarms: linked cameras not read');
      }
    }
    if (raise && this.deps.persistRaiseFirst) {
      const stored = await persistAlarm(store, log, alarm, entry);
      if (stored === 'duplicate') return this.adoptStored(alarm);
    }
    const emittedAt = this.now();
    if (t.announce && raise && alarm.latency) {
      // The latency journal completes with the emit time (stored with the row below).
      alarm.latency.emittedAt = emittedAt;
      t.alarm.latency = { ...alarm.latency };
      this.keep(alarm.id, { latency: { ...alarm.latency } });
    }
    // Every transition goes on the bus (escalation follows unannounced ones too, issue 18); the
    // live push, clips and fire corroboration act on announced ones only.
    bus.emit('alarm.changed', {
      alarm: { ...alarm, cameras: [...alarm.cameras] },
      raised: raise,
      announced: t.announce,
    });
    if (t.announce && raise && alarm.latency?.sensorTs !== undefined)
      metrics.alarmLatency.observe(Math.max(0, emittedAt - alarm.latency.sensorTs) / 1000);
    if (raise && this.deps.persistRaiseFirst) {
      // Stored above; the latency journal's emit time is written now.
      if (alarm.latency?.emittedAt !== undefined) await store.upsert(alarm).catch(() => undefined);
    } else if ((await persistAlarm(store, log, alarm, entry)) === 'duplicate') {
      log.error({ alarmId: alarm.id }, 'alarms: announced, but a standing alarm of this condition was already stored');
      await this.adoptStored(alarm);
    }
    if (t.announce)
      log.info(
        { alarmId: alarm.id, siteId: alarm.siteId, type: alarm.type, state: alarm.state, action: entry.action },
        'alarms: transition',
      );
  }

  /**
   * Issue 19: another instance stored a standing alarm of this condition first (it owned the site
   * a moment ago). That alarm goes on here, with its id; the one raised here is dropped unseen.
   */
  private async adoptStored(alarm: Alarm): Promise<void> {
    const same = (a: Alarm) =>
      a.sourceId === alarm.sourceId && a.type === alarm.type && !a.advisory === !alarm.advisory;
    const stored = (await this.deps.store.standing([alarm.siteId])).find(same);
    this.activeBySource.track({ ...alarm, state: 'normal', active: false });
    if (!stored) return;
    this.deps.engine.adopt?.(stored);
    this.activeBySource.track(stored);
    this.deps.log.warn(
      { dropped: alarm.id, kept: stored.id },
      'alarms: condition already standing in the store; kept its alarm',
    );
  }

  /**
   * Writes what the service adds to a raise (receivedAt, emittedAt, linked cameras) back into the
   * engine's standing alarm, whose later transitions are copies of it: without this the next
   * transition announced the alarm without them (issue 21: "Sent to consoles" lost on clear).
   */
  private keep(alarmId: string, patch: Pick<Partial<Alarm>, 'latency' | 'cameras'>): void {
    const standing = this.deps.engine.machine?.byId?.get(alarmId);
    if (!standing) return;
    if (patch.cameras && (standing.cameras ?? []).length === 0) standing.cameras = patch.cameras;
    if (patch.latency) standing.latency = { ...standing.latency, ...patch.latency };
  }

  private async camerasOfSite(siteId: string): Promise<string[]> {
    const hit = this.siteCameras.get(siteId);
    if (hit && hit.until > this.now()) return hit.ids;
    const ids = await this.deps.store.camerasOfSite(siteId);
    this.siteCameras.set(siteId, { ids, until: this.now() + SITE_CAMERAS_TTL_MS });
    return ids;
  }
}
