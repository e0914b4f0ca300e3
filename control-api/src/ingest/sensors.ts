/**
 * In-memory sensor registry for the ingest hot path: the detection context of every known
 * sensor, auto-registration of sensors first seen in telemetry, and the newest value per sensor,
 * written to the store in batches (one UPDATE per flush, not per reading).
 */

import type { SensorContext } from '@gwanje/detection';
import {
  checkRules,
  configWarnings,
  mergeOverrides,
  type RuleOverride,
  resolveRules,
  type SensorDescription,
} from '@gwanje/protocol';
import type { StoredReading } from '../store/types.js';
import type { SensorLast, SensorRow } from './ports.js';

export interface KnownSensor {
  row: SensorRow;
  ctx: SensorContext;
  lastTs?: number;
}

/** What the rule table needs to know of a stored sensor (its range included, when known). */
export function describeRow(row: SensorRow): SensorDescription {
  const d: SensorDescription = { metric: row.metric, gas: row.gas ?? undefined, unit: row.unit };
  if (row.rangeMin != null && row.rangeMax != null) d.range = { min: row.rangeMin, max: row.rangeMax };
  return d;
}

/**
 * The overrides detection applies: the agent's (from its signed config) with the admin's on
 * top, as long as together they pass the rule checks; else the agent's alone; else none.
 */
export function effectiveOverrides(row: SensorRow): { overrides: RuleOverride[]; problem?: string } {
  const desc = describeRow(row);
  // Decoded by the store (a corrupt column reads as none: the sensor still gets its default rules).
  const agent: RuleOverride[] = row.agentRules ?? [];
  const admin: RuleOverride[] = row.rules ?? [];
  const merged = mergeOverrides(agent, admin) as RuleOverride[];
  if (checkRules(desc, merged).length === 0) return { overrides: merged };
  if (checkRules(desc, agent).length === 0) return { overrides: agent, problem: 'invalid-rules' };
  return { overrides: [], problem: 'invalid-rules' };
}

export function contextOf(row: SensorRow): SensorContext {
  const desc = describeRow(row);
  const cameras = (row.cameras ?? []).map((c) => c.cameraId);
  const { overrides, problem } = effectiveOverrides(row);
  // A bad override must not silence a sensor: effectiveOverrides falls back to what checks out,
  // and the problem is raised as a `config` warning for the admin.
  const rules = resolveRules(desc, overrides);
  const warnings = configWarnings(desc, rules);
  if (problem) warnings.push(problem);
  const ctx: SensorContext = {
    sensorId: row.sensorId,
    siteId: row.siteId,
    agentId: row.agentId,
    metric: row.metric,
    gas: row.gas ?? undefined,
    unit: row.unit,
    intervalMs: row.intervalMs ?? undefined,
    cameras,
    rules,
    warnings,
  };
  if (desc.range) ctx.range = desc.range;
  return ctx;
}

/** A sensor row the center has nothing else on yet: what a reading or a report says of it. */
export function newSensorRow(
  s: Pick<SensorRow, 'sensorId' | 'siteId' | 'agentId' | 'metric' | 'unit'> & { gas?: string },
  state: string,
): SensorRow {
  return {
    sensorId: s.sensorId,
    siteId: s.siteId,
    agentId: s.agentId,
    metric: s.metric,
    gas: s.gas ?? null,
    unit: s.unit,
    name: null,
    rules: null,
    cameras: null,
    intervalMs: null,
    lastValue: null,
    lastTs: null,
    state,
  };
}

export class SensorRegistry {
  private readonly sensors = new Map<string, KnownSensor>();
  private readonly lastValues = new Map<string, SensorLast>();
  /** Sensors per owning agent (the per-agent limit, security review F8). */
  private readonly perAgent = new Map<string, number>();

  load(rows: SensorRow[]): void {
    for (const row of rows) this.put({ row, ctx: contextOf(row), lastTs: row.lastTs ?? undefined });
  }

  /** How many sensors an agent owns. */
  countOf(agentId: string): number {
    return this.perAgent.get(agentId) ?? 0;
  }

  /** An admin deleted the sensor: its next reading registers it again, for whoever sends it. */
  forget(sensorId: string): void {
    const prev = this.sensors.get(sensorId);
    if (!prev) return;
    this.sensors.delete(sensorId);
    this.count(prev.row.agentId, -1);
    this.lastValues.delete(sensorId);
  }

  private put(known: KnownSensor): void {
    const prev = this.sensors.get(known.row.sensorId);
    if (prev) this.count(prev.row.agentId, -1);
    this.sensors.set(known.row.sensorId, known);
    this.count(known.row.agentId, 1);
  }

  private count(agentId: string, d: number): void {
    const n = (this.perAgent.get(agentId) ?? 0) + d;
    if (n <= 0) this.perAgent.delete(agentId);
    else this.perAgent.set(agentId, n);
  }

  get(sensorId: string): KnownSensor | undefined {
    return this.sensors.get(sensorId);
  }

  all(): IterableIterator<KnownSensor> {
    return this.sensors.values();
  }

  /**
   * An admin changed the sensor's rules or camera links (PATCH /sensors/{id}): the next reading
   * is judged by the new rules. The learned reporting interval and newest timestamp are kept.
   */
  reload(row: SensorRow): KnownSensor {
    const prev = this.sensors.get(row.sensorId);
    const ctx = contextOf(row);
    if (ctx.intervalMs === undefined && prev?.ctx.intervalMs !== undefined) ctx.intervalMs = prev.ctx.intervalMs;
    // Detectors reset a sensor's state when its rules array changes (debouncers, TWA/STEL windows):
    // an agent republishing the same configuration on every reconnect must not reset a worker's
    // 8-hour exposure, so unchanged rules keep their array.
    if (prev && JSON.stringify(prev.ctx.rules) === JSON.stringify(ctx.rules)) ctx.rules = prev.ctx.rules;
    const known: KnownSensor = {
      row: { ...row, state: prev?.row.state ?? row.state },
      ctx,
      lastTs: prev?.lastTs ?? row.lastTs ?? undefined,
    };
    this.put(known);
    return known;
  }

  /** Registers a sensor first seen in a reading; returns the row to persist. */
  register(r: StoredReading): KnownSensor {
    const row = newSensorRow(r, 'normal');
    const known: KnownSensor = { row, ctx: contextOf(row) };
    this.put(known);
    return known;
  }

  /**
   * Records a reading as the sensor's newest value. The reporting interval, when not configured,
   * is learned from the first two readings (stale detection needs it: CONTRACT "silent for 3
   * reporting intervals").
   */
  observe(known: KnownSensor, r: StoredReading, state?: string): void {
    if (known.lastTs !== undefined && r.ts <= known.lastTs) return;
    if (known.ctx.intervalMs === undefined && known.lastTs !== undefined) {
      known.ctx.intervalMs = Math.max(100, r.ts - known.lastTs);
    }
    known.lastTs = r.ts;
    // In place until the next flush takes it (a sensor reports many times a flush interval, issue 18).
    const last = this.lastValues.get(r.sensorId);
    if (last) {
      last.value = r.value;
      last.ts = r.ts;
      last.state = state;
    } else this.lastValues.set(r.sensorId, { sensorId: r.sensorId, value: r.value, ts: r.ts, state });
  }

  /** Newest values since the last call (for one batched store update). */
  takeLastValues(): SensorLast[] {
    const out = [...this.lastValues.values()];
    this.lastValues.clear();
    return out;
  }
}
