/**
 * DetectionEngine: the detectors and the ISA-18.2 state machine behind one pure API. The alarm
 * service (center runtime) feeds it readings, a clock tick about once a second, agent status and
 * operator actions, and applies the transitions it returns (store, journal, Socket.IO `alarm`).
 * Nothing here does I/O or reads a clock.
 */
import { type Alarm, CONFIG_ALARM_TYPE, type FloodState, type Priority } from '@gwanje/protocol';
import { act } from './alarms/actions.js';
import { AlarmStateMachine, type StateMachineOptions } from './alarms/state-machine.js';
import { FaultDetector } from './detectors/fault.js';
import { RateOfRiseDetector } from './detectors/rate-of-rise.js';
import { RESUME_GRACE_MS } from './detectors/sensor-clock.js';
import { StaleDetector } from './detectors/stale.js';
import { ThresholdDetector } from './detectors/threshold.js';
import { TwaStelDetector } from './detectors/twa-stel.js';
import type {
  ActionArgs,
  Condition,
  DetectionReading,
  Detector,
  SensorContext,
  ServiceChange,
  Transition,
} from './types.js';

/** A stored reading replayed at a takeover (restoreRecent). */
export type RecentSample = Pick<DetectionReading, 'ts' | 'value' | 'quality'>;

export interface DetectionEngineOptions extends StateMachineOptions {
  /**
   * More detectors after the built-in ones (threshold, twa-stel, rate-of-rise, fault, stale).
   * A detector with `advisory: true` (MlDetector) only ever raises advisory alarms.
   */
  detectors?: Detector[];
  /** Reporting interval assumed for stale detection when a sensor has none (default 60 s). */
  defaultIntervalMs?: number;
  /** Priority of comm-loss alarms (default 2, high). */
  commLossPriority?: Priority;
}

const isAdvisory = (d: Detector): boolean => (d as { advisory?: unknown }).advisory === true;

export class DetectionEngine {
  readonly machine: AlarmStateMachine;
  readonly twaStel = new TwaStelDetector();
  private readonly threshold = new ThresholdDetector();
  private readonly rise = new RateOfRiseDetector();
  private readonly stale: StaleDetector;
  private readonly detectors: Detector[];
  private readonly advisory: boolean[];
  private readonly commLossPriority: Priority;

  constructor(opts: DetectionEngineOptions) {
    this.machine = new AlarmStateMachine(opts);
    this.stale = new StaleDetector(opts.defaultIntervalMs);
    this.detectors = [
      this.threshold,
      this.twaStel,
      this.rise,
      new FaultDetector(),
      this.stale,
      ...(opts.detectors ?? []),
    ];
    this.advisory = this.detectors.map(isAdvisory);
    this.commLossPriority = opts.commLossPriority ?? 2;
  }

  /**
   * Evaluates one accepted reading. `ctx` should be the same object for a sensor from one reading
   * to the next: a new `ctx.rules` array (reconfiguration) resets that sensor's detector state.
   */
  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Transition[] {
    let out: Transition[] | undefined;
    for (let i = 0; i < this.detectors.length; i++) {
      const conds = this.detectors[i].onReading(reading, ctx, now);
      if (conds.length === 0) continue;
      out ??= [];
      this.applyAll(conds, this.advisory[i], now, out);
    }
    return out ?? [];
  }

  /** Time-driven work: delays, TWA/STEL windows, stale sensors, shelving expiry, chattering, flood. */
  tick(now: number): Transition[] {
    const out: Transition[] = [];
    for (let i = 0; i < this.detectors.length; i++) {
      const tick = this.detectors[i].onTick?.(now);
      if (tick && tick.length > 0) this.applyAll(tick, this.advisory[i], now, out);
    }
    out.push(...this.machine.tick(now));
    return out;
  }

  /** An operator action; throws AlarmActionError ('not-found' | 'invalid-state' | 'bad-args'). */
  act(alarmId: string, action: string, actor: string, now: number, args?: ActionArgs): Transition[] {
    return act(this.machine, alarmId, action, actor, now, args);
  }

  /** Agent status from its retained `status` topic or last will: offline raises comm-loss. */
  agentStatus(agentId: string, siteId: string, state: 'online' | 'offline', now: number): Transition[] {
    const offline = state === 'offline';
    this.stale.setAgentOffline(agentId, offline, now);
    const c: Condition = {
      sourceId: agentId,
      sourceKind: 'agent',
      siteId,
      type: 'comm-loss',
      priority: this.commLossPriority,
      active: offline,
      message: offline ? `comm-loss: agent ${agentId} offline` : `comm-loss: agent ${agentId} back online`,
      facts: { active: offline, agentId },
      cameras: [],
    };
    return this.machine.apply(c, now);
  }

  /**
   * Camera state from the video gateway: 'lost' raises camera-loss (priority 2, like comm-loss),
   * 'live' clears it; 'idle' (no viewer, upstream stopped on purpose) changes nothing.
   */
  cameraState(cameraId: string, siteId: string, state: 'live' | 'idle' | 'lost', now: number): Transition[] {
    if (state === 'idle') return [];
    const lost = state === 'lost';
    const c: Condition = {
      sourceId: cameraId,
      sourceKind: 'camera',
      siteId,
      type: 'camera-loss',
      priority: 2,
      active: lost,
      message: lost ? `camera-loss: camera ${cameraId} lost` : `camera-loss: camera ${cameraId} live again`,
      facts: { active: lost, cameraId },
      cameras: [cameraId],
    };
    return this.machine.apply(c, now);
  }

  /**
   * A sensor's configuration is known or changed (center start, first sight, an agent's sensor
   * report, an admin edit): its stale watch runs from `now` if it never reports (issue 15:
   * restored at start), and its configuration warnings are raised or cleared as one `config`
   * alarm (an unknown toxic gas has no silent default).
   */
  sensorConfigured(ctx: SensorContext, now: number, lastTs = now): Transition[] {
    this.stale.watch(ctx, now, lastTs);
    const reason = ctx.warnings?.[0];
    const c: Condition = {
      sourceId: ctx.sensorId,
      sourceKind: 'sensor',
      siteId: ctx.siteId,
      type: CONFIG_ALARM_TYPE,
      priority: 3,
      active: reason !== undefined,
      message: reason
        ? `config: ${ctx.sensorId} (${ctx.gas ?? ctx.metric} in ${ctx.unit}) has no alarm limits: ${reason}`
        : `config: ${ctx.sensorId} limits set`,
      facts: {
        active: reason !== undefined,
        reason: reason ?? 'resolved',
        metric: ctx.metric,
        unit: ctx.unit,
        gas: ctx.gas,
      },
      cameras: [],
    };
    return this.machine.apply(c, now);
  }

  /** Rebuilds TWA/STEL windows from stored [bucketStart, mean] aggregates after a restart (issue 15). */
  restoreExposure(ctx: SensorContext, points: readonly [number, number][], stepMs: number, now: number): void {
    this.twaStel.restore(ctx, points, stepMs, now);
  }

  /**
   * Issue 19, a site taken over from a killed owner: a sensor's on/off-delays and rate-of-rise
   * window resume from its stored readings of the last minutes (`samples`, oldest first), and its
   * stale watch from when it was last heard (`heardAt`; StaleDetector.heard).
   *
   * The setpoint and rate rules start from the standing alarms already loaded (an active alarm's
   * rule starts active), the samples are replayed silently, and only where the replay ends in a
   * state the standing alarms do not show is a transition made: an on-delay the old owner
   * completed without storing the raise, or an off-delay it completed without storing the clear.
   * A condition that came and went inside the window raises nothing. The sensor's clock is held
   * at its newest stored reading until `RESUME_GRACE_MS` after the takeover: the readings queued
   * while no instance held the site arrive first and set it (a delay completes on their
   * timestamps, as at the old owner); only a sensor that sends nothing more has its pending delay
   * completed by ticks, that much late.
   */
  restoreRecent(ctx: SensorContext, samples: readonly RecentSample[], now: number, heardAt?: number): Transition[] {
    const standing = new Set<string>();
    for (const a of this.machine.byId.values())
      if (a.sourceId === ctx.sensorId && !a.advisory && (a.active ?? (a.state === 'unack' || a.state === 'acked')))
        standing.add(a.type);
    this.threshold.seed(ctx, standing);
    this.rise.seed(ctx, standing);
    const last = new Map<string, Condition>();
    const newest = samples.at(-1)?.ts;
    const shift = newest === undefined ? 0 : now + RESUME_GRACE_MS - newest;
    for (const x of samples) {
      const reading = {
        ...x,
        sensorId: ctx.sensorId,
        siteId: ctx.siteId,
        agentId: ctx.agentId,
        metric: ctx.metric,
        unit: ctx.unit,
        gas: ctx.gas,
      } as DetectionReading;
      for (const c of this.threshold.onReading(reading, ctx, x.ts + shift)) last.set(c.type, c);
      for (const c of this.rise.onReading(reading, ctx, x.ts + shift)) last.set(c.type, c);
    }
    if (heardAt !== undefined) this.stale.heard(ctx.sensorId, heardAt, now);
    const out: Transition[] = [];
    const changed = [...last.values()].filter((c) => c.active !== standing.has(c.type));
    this.applyAll(changed, false, now, out);
    return out;
  }

  /** An agent known offline at start: its sensors are not judged stale (comm-loss says why). */
  restoreAgentOffline(agentId: string, now: number): void {
    this.stale.setAgentOffline(agentId, true, now);
  }

  /**
   * Puts a sensor (or any source) out of service for maintenance or a bump test, or returns it
   * (ISA-18.2 clause 11.3, state I "out of service"; issue 15). Its standing alarms follow;
   * alarms raised meanwhile are recorded out of service, never announced as live.
   */
  sourceService(sourceId: string, change: ServiceChange, now: number): Transition[] {
    return this.machine.sourceService(sourceId, change, now);
  }

  /** Whether a source is out of service (from `sourceService`). */
  isOutOfService(sourceId: string): boolean {
    return this.machine.sourcesOutOfService.has(sourceId);
  }

  /** Verdicts from an asynchronous (ML) model: always advisory, never touching threshold alarms. */
  advise(conditions: Condition[], now: number): Transition[] {
    const out: Transition[] = [];
    this.applyAll(conditions, true, now, out);
    return out;
  }

  load(alarms: readonly Alarm[]): void {
    this.machine.load(alarms);
  }

  /** Issue 19: the stored standing alarm of a condition replaces the one held here (AlarmStateMachine.adopt). */
  adopt(stored: Alarm): void {
    this.machine.adopt(stored);
  }

  /** Standing alarms (every state but normal), newest first. */
  active(): Alarm[] {
    return this.machine.active();
  }

  /** A standing alarm by id (a copy), or undefined. */
  get(alarmId: string): Alarm | undefined {
    const a = this.machine.byId.get(alarmId);
    return a ? { ...a } : undefined;
  }

  flood(siteId: string): FloodState {
    return this.machine.flood(siteId);
  }

  /** Sites whose flood started or ended since the last call (for the Socket.IO `flood` event). */
  takeFloodChanges(): FloodState[] {
    return this.machine.floods.takeChanged();
  }

  private applyAll(conds: Condition[], advisory: boolean, now: number, out: Transition[]): void {
    for (const c of conds) {
      if (advisory) c.advisory = true;
      const ts = this.machine.apply(c, now);
      for (const t of ts) out.push(t);
    }
  }
}
