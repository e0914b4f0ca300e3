/**
 * SiteEngines (issue 19): detection split by site, for a cluster member. Each site this instance
 * owns has its own DetectionEngine (rules, delays, latches, TWA/STEL windows, stale watches and
 * its standing alarms); a site it does not own has none, so nothing is judged, raised or ticked
 * for it here (its owner does that). Taking a site creates its engine (the caller then restores
 * it: standing alarms from the store, sensors, exposure history); giving it drops the engine
 * whole, so no state of a site can linger on an instance that no longer owns it.
 *
 * Detectors shared by every site (the ML model holds one model for all sensors) tick once per
 * round here, and their conditions go to the engine of the condition's site as advice.
 */
import {
  type ActionArgs,
  type AlarmAction,
  AlarmActionError,
  type Condition,
  type DetectionEngine,
  type DetectionReading,
  type Detector,
  type RecentSample,
  type SensorContext,
  type ServiceChange,
  type Transition,
} from '@gwanje/detection';
import type { Alarm, FloodState } from '@gwanje/protocol';
import type { AlarmEngine } from './engine.js';

/** A shared detector whose readings each site engine sees, but whose tick runs once (SiteEngines). */
class ReadingsOnly implements Detector {
  readonly name: string;
  readonly advisory?: boolean;
  constructor(private readonly inner: Detector) {
    this.name = inner.name;
    if ((inner as { advisory?: boolean }).advisory) this.advisory = true;
  }
  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    return this.inner.onReading(reading, ctx, now);
  }
}

export class SiteEngines implements AlarmEngine {
  private readonly engines = new Map<string, DetectionEngine>();
  private readonly perSite: Detector[];

  constructor(
    /** Makes one site's engine with the given extra detectors. */
    private readonly make: (detectors: Detector[]) => DetectionEngine,
    private readonly shared: Detector[] = [],
  ) {
    this.perSite = shared.map((d) => new ReadingsOnly(d));
  }

  /** Creates the site's (empty) engine; a site already held keeps its engine. */
  addSite(siteId: string): void {
    if (!this.engines.has(siteId)) this.engines.set(siteId, this.make(this.perSite));
  }

  /** Drops the site's engine and returns the ids of the standing alarms it held. */
  dropSite(siteId: string): string[] {
    const e = this.engines.get(siteId);
    this.engines.delete(siteId);
    return e ? [...e.machine.byId.keys()] : [];
  }

  hasSite(siteId: string): boolean {
    return this.engines.has(siteId);
  }

  /** A site's flood mode; a site not owned here is never in flood here (its owner knows). */
  flood(siteId: string): FloodState {
    this.none ??= this.make([]);
    return (this.engines.get(siteId) ?? this.none).flood(siteId);
  }
  private none?: DetectionEngine;

  /** Conditions no detector judges (camera-loss family), and standing alarms by id across sites. */
  readonly machine = ((engines) => ({
    apply: (c: Condition, now: number): Transition[] => engines.get(c.siteId)?.machine.apply(c, now) ?? [],
    // A merged view holding the same alarm objects (the service writes latency and cameras into them).
    get byId(): ReadonlyMap<string, Alarm> {
      const m = new Map<string, Alarm>();
      for (const e of engines.values()) for (const [id, a] of e.machine.byId) m.set(id, a);
      return m;
    },
  }))(this.engines);

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Transition[] {
    return this.engines.get(ctx.siteId)?.onReading(reading, ctx, now) ?? [];
  }

  tick(now: number): Transition[] {
    const out: Transition[] = [];
    for (const e of this.engines.values()) out.push(...e.tick(now));
    for (const d of this.shared) {
      const bySite = new Map<string, Condition[]>();
      for (const c of d.onTick?.(now) ?? []) bySite.set(c.siteId, [...(bySite.get(c.siteId) ?? []), c]);
      for (const [siteId, conds] of bySite) out.push(...(this.engines.get(siteId)?.advise(conds, now) ?? []));
    }
    return out;
  }

  act(alarmId: string, action: AlarmAction, actor: string, now: number, args: ActionArgs): Transition[] {
    for (const e of this.engines.values())
      if (e.machine.byId.has(alarmId)) return e.act(alarmId, action, actor, now, args);
    throw new AlarmActionError('not-found', `alarm ${alarmId} not found`);
  }

  agentStatus(agentId: string, siteId: string, state: 'online' | 'offline', now: number): Transition[] {
    return this.engines.get(siteId)?.agentStatus(agentId, siteId, state, now) ?? [];
  }

  cameraState(cameraId: string, siteId: string, state: 'live' | 'idle' | 'lost', now: number): Transition[] {
    return this.engines.get(siteId)?.cameraState(cameraId, siteId, state, now) ?? [];
  }

  load(alarms: Alarm[]): void {
    const bySite = new Map<string, Alarm[]>();
    for (const a of alarms) bySite.set(a.siteId, [...(bySite.get(a.siteId) ?? []), a]);
    for (const [siteId, list] of bySite) this.engines.get(siteId)?.load(list);
  }

  adopt(stored: Alarm): void {
    this.engines.get(stored.siteId)?.adopt(stored);
  }

  active(): Alarm[] {
    const all: Alarm[] = [];
    for (const e of this.engines.values()) all.push(...e.active());
    return all.sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? 1 : -1));
  }

  takeFloodChanges(): FloodState[] {
    const out: FloodState[] = [];
    for (const e of this.engines.values()) out.push(...e.takeFloodChanges());
    return out;
  }

  sensorConfigured(ctx: SensorContext, now: number, lastTs?: number): Transition[] {
    return this.engines.get(ctx.siteId)?.sensorConfigured(ctx, now, lastTs) ?? [];
  }

  restoreExposure(ctx: SensorContext, points: readonly [number, number][], stepMs: number, now: number): void {
    this.engines.get(ctx.siteId)?.restoreExposure(ctx, points, stepMs, now);
  }

  restoreRecent(ctx: SensorContext, samples: readonly RecentSample[], now: number, heardAt?: number): Transition[] {
    return this.engines.get(ctx.siteId)?.restoreRecent(ctx, samples, now, heardAt) ?? [];
  }

  /** The agent's site is not named: every owned site's stale watch hears it (only its own sensors care). */
  restoreAgentOffline(agentId: string, now: number): void {
    for (const e of this.engines.values()) e.restoreAgentOffline(agentId, now);
  }

  sourceService(sourceId: string, change: ServiceChange, now: number): Transition[] {
    const out: Transition[] = [];
    for (const e of this.engines.values()) out.push(...e.sourceService(sourceId, change, now));
    return out;
  }

  isOutOfService(sourceId: string): boolean {
    for (const e of this.engines.values()) if (e.isOutOfService(sourceId)) return true;
    return false;
  }
}
