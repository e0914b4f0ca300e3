/**
 * In-memory sensor registry for the ingest hot path: the detection context of every known
 * sensor, auto-registration of sensors first seen in telemetry, and the newest value per sensor,
 * written to the store in batches (one UPDATE per flush, not per reading).
 */
import type { RuleOverride } from '@gwanje/firmware-config';
import { resolveRules } from '../detection/rules.js';
import type { SensorContext } from '../detection/types.js';
import type { StoredReading } from '../store/types.js';
import type { SensorLast, SensorRow } from './ports.js';

export interface KnownSensor {
  row: SensorRow;
  ctx: SensorContext;
  lastTs?: number;
}

function parseJsonArray(raw: string | null): unknown[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? v : [];
  } catch {
    // A malformed column is a store bug; the sensor still gets its default rules.
    return [];
  }
}

/** Camera links as stored: `[{cameraId, preset?}]`, or bare ids from older rows. */
export function cameraLinksOf(raw: string | null): { cameraId: string; preset?: string }[] {
  return parseJsonArray(raw).flatMap((c) => {
    if (typeof c === 'string') return [{ cameraId: c }];
    if (c && typeof c === 'object' && typeof (c as { cameraId?: unknown }).cameraId === 'string')
      return [c as { cameraId: string; preset?: string }];
    return [];
  });
}

export function contextOf(row: SensorRow): SensorContext {
  const overrides = parseJsonArray(row.rules) as RuleOverride[];
  const cameras = cameraLinksOf(row.cameras).map((c) => c.cameraId);
  const desc = { metric: row.metric, gas: row.gas ?? undefined, unit: row.unit };
  let rules: SensorContext['rules'];
  try {
    rules = resolveRules(desc, overrides);
  } catch {
    // A bad override must not silence a sensor: fall back to the CONTRACT defaults.
    rules = resolveRules(desc, []);
  }
  return {
    sensorId: row.sensorId,
    siteId: row.siteId,
    agentId: row.agentId,
    metric: row.metric,
    gas: row.gas ?? undefined,
    unit: row.unit,
    intervalMs: row.intervalMs ?? undefined,
    cameras,
    rules,
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
    const row: SensorRow = {
      sensorId: r.sensorId,
      siteId: r.siteId,
      agentId: r.agentId,
      metric: r.metric,
      gas: r.gas ?? null,
      unit: r.unit,
      name: null,
      rules: null,
      cameras: null,
      intervalMs: null,
      lastValue: null,
      lastTs: null,
      state: 'normal',
    };
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
    this.lastValues.set(r.sensorId, { sensorId: r.sensorId, value: r.value, ts: r.ts, state });
  }

  /** Newest values since the last call (for one batched store update). */
  takeLastValues(): SensorLast[] {
    const out = [...this.lastValues.values()];
    this.lastValues.clear();
    return out;
  }
}
