/**
 * stale: a sensor silent for `setpoint` (default 3, CONTRACT) reporting intervals. Silence is
 * measured on the center's clock (`now` at arrival and at each tick): it is about what the
 * center hears, whatever the sensor's own clock says. A reading the agent marks 'stale' (its
 * field sensor went quiet) raises at once.
 *
 * While the sensor's agent is offline its sensors are not judged: comm-loss already says why
 * they are silent, and one alarm per sensor on top would be an avoidable flood (ISA-18.2
 * clause 12, designed suppression).
 */
import { evaluationOf, STALE_INTERVALS } from '@gwanje/protocol';
import type { Condition, DetectionReading, Detector, RuleSpec, SensorContext } from '../types.js';
import { NO_CONDITIONS } from './debounce.js';
import { RESUME_GRACE_MS } from './sensor-clock.js';

const DEFAULT_INTERVAL_MS = 60_000;

interface Watch {
  ctx: SensorContext;
  rule: RuleSpec | undefined;
  rules: RuleSpec[];
  lastArrival: number;
  lastTs: number;
  active: boolean;
  known: boolean;
}

export class StaleDetector implements Detector {
  readonly name = 'stale';
  private readonly watches = new Map<string, Watch>();
  private readonly offlineAgents = new Set<string>();

  constructor(private readonly defaultIntervalMs = DEFAULT_INTERVAL_MS) {}

  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Condition[] {
    const w = this.watchOf(ctx, now, reading.ts);
    w.ctx = ctx;
    w.lastArrival = now;
    w.lastTs = reading.ts;
    if (!w.rule) return NO_CONDITIONS;
    return this.set(w, reading.quality === 'stale', now);
  }

  onTick(now: number): Condition[] {
    const out: Condition[] = [];
    for (const w of this.watches.values()) {
      if (w.active || !w.rule || this.offlineAgents.has(w.ctx.agentId)) continue;
      if (now - w.lastArrival > this.limitMs(w)) out.push(...this.set(w, true, now));
    }
    return out;
  }

  /**
   * Starts watching a sensor that has not reported since the center started (issue 15: stale
   * watches are restored at start): silent for 3 intervals from `now` and it goes stale. A
   * sensor already watched is left alone.
   */
  watch(ctx: SensorContext, now: number, lastTs: number): void {
    this.watchOf(ctx, now, lastTs);
  }

  /**
   * Issue 19: when a watched sensor was last heard, as the store knows it at a takeover (`at`),
   * with the takeover at `now`. Silence that began at the old owner counts, so a sensor silent for
   * 80 % of its limit goes stale on time; but never within `RESUME_GRACE_MS` of the takeover,
   * since readings sent while no instance held the site are still queued at the broker and arrive
   * as soon as the site's consumer starts. Never later than a watch restored at `now`.
   */
  heard(sensorId: string, at: number, now: number): void {
    const w = this.watches.get(sensorId);
    if (!w) return;
    const earliest = now + RESUME_GRACE_MS - this.limitMs(w);
    w.lastArrival = Math.min(w.lastArrival, Math.max(at, earliest));
  }

  private watchOf(ctx: SensorContext, now: number, ts: number): Watch {
    let w = this.watches.get(ctx.sensorId);
    if (w === undefined || w.rules !== ctx.rules) {
      const rule = ctx.rules.find((r) => evaluationOf(r.type) === 'stale' && r.enabled);
      const lastArrival = w?.lastArrival ?? now;
      w = { ctx, rule, rules: ctx.rules, lastArrival, lastTs: w?.lastTs ?? ts, active: false, known: false };
      this.watches.set(ctx.sensorId, w);
    }
    return w;
  }

  /**
   * The engine reports agent comm-loss here: an offline agent's sensors are not judged stale.
   * When it comes back its sensors get a fresh grace period from `now` (its backlog is on the way).
   */
  setAgentOffline(agentId: string, offline: boolean, now: number): void {
    if (offline) {
      this.offlineAgents.add(agentId);
      return;
    }
    if (!this.offlineAgents.delete(agentId)) return;
    for (const w of this.watches.values()) if (w.ctx.agentId === agentId && w.lastArrival < now) w.lastArrival = now;
  }

  /** Forgets a sensor (removed from configuration). */
  forget(sensorId: string): void {
    this.watches.delete(sensorId);
  }

  private limitMs(w: Watch): number {
    return (w.rule?.setpoint ?? STALE_INTERVALS) * (w.ctx.intervalMs ?? this.defaultIntervalMs);
  }

  private set(w: Watch, active: boolean, now: number): Condition[] {
    if (w.known && w.active === active) return NO_CONDITIONS;
    w.known = true;
    w.active = active;
    const rule = w.rule as RuleSpec;
    const silentMs = now - w.lastArrival;
    const silentS = Math.round(silentMs / 1000);
    const limitMs = this.limitMs(w);
    return [
      {
        sourceId: w.ctx.sensorId,
        sourceKind: 'sensor',
        siteId: w.ctx.siteId,
        type: 'stale',
        priority: rule.priority,
        active,
        threshold: limitMs,
        message: active
          ? `stale: ${w.ctx.sensorId} silent for ${silentS} s (limit ${limitMs / 1000} s)`
          : `stale: ${w.ctx.sensorId} reporting again`,
        facts: active ? { active, silentMs, limitMs, metric: w.ctx.metric } : { active, metric: w.ctx.metric },
        latched: rule.latched,
        sensorTs: w.lastTs,
        cameras: w.ctx.cameras,
      },
    ];
  }
}
