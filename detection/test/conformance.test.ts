/**
 * The center's detection against the protocol's gas-safety conformance table (issue 15): the
 * same cases the edge fail-safe runs (edge-agent/test/conformance.test.ts). Readings go through
 * DetectionEngine as ingest feeds them; a restart step rebuilds the engine as the center does at
 * start-up (standing alarms loaded, the sensor configured, TWA/STEL windows restored from
 * 1-minute means of the readings so far, as the time-series store answers them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configWarnings, resolveRules } from '@gwanje/protocol';
import { type ConformanceCase, conformanceCases, type Expectation } from '../../protocol/test/conformance/table.js';
import { DetectionEngine } from '../src/engine.js';
import type { SensorContext, Transition } from '../src/types.js';
import { reading, T0 } from './fixtures.js';

function contextOf(c: ConformanceCase): SensorContext {
  const rules = resolveRules(c.sensor, c.rules);
  const ctx: SensorContext = {
    sensorId: 'conf-1',
    siteId: 'suwon',
    agentId: 'conf-agent',
    metric: c.sensor.metric,
    gas: c.sensor.gas,
    unit: c.sensor.unit,
    intervalMs: c.sensor.intervalMs,
    cameras: [],
    rules,
    warnings: configWarnings(c.sensor, rules),
  };
  if (c.sensor.range) ctx.range = c.sensor.range;
  return ctx;
}

function minuteMeans(history: [number, number][]): [number, number][] {
  const sums = new Map<number, [number, number]>();
  for (const [ts, v] of history) {
    const m = Math.floor(ts / 60_000) * 60_000;
    const s = sums.get(m) ?? [0, 0];
    sums.set(m, [s[0] + v, s[1] + 1]);
  }
  return [...sums].sort((a, b) => a[0] - b[0]).map(([m, [sum, n]]) => [m, sum / n]);
}

/** Runs a case; `restore: false` skips the TWA/STEL rebuild at a restart (the old behaviour). */
export function runCenter(c: ConformanceCase, restore = true): Expectation {
  let ids = 0;
  const make = () => new DetectionEngine({ newId: () => `c${++ids}` });
  let e = make();
  const ctx = contextOf(c);
  const out: Transition[] = [...e.sensorConfigured(ctx, T0)];
  const history: [number, number][] = [];
  let t = 0;
  const tickTo = (until: number) => {
    while (t < until) {
      t = Math.min(until, t + 1000);
      out.push(...e.tick(T0 + t));
    }
  };
  for (const s of c.steps) {
    tickTo(s.at);
    const now = T0 + s.at;
    if (s.restart) {
      const standing = e.active();
      e = make();
      e.load(standing);
      out.push(...e.sensorConfigured(ctx, now));
      if (restore) e.restoreExposure(ctx, minuteMeans(history), 60_000, now);
      continue;
    }
    const r = reading(ctx, now, s.value ?? 0, { quality: s.quality ?? 'good', ...(s.fault ? { fault: s.fault } : {}) });
    history.push([now, r.value]);
    out.push(...e.onReading(r, ctx, now));
  }
  tickTo(c.until);
  const raised = new Set(out.filter((x) => x.action === 'raise' || x.action === 're-alarm').map((x) => x.alarm.type));
  const active = e.active().filter((a) => a.active);
  return { raised: [...raised].sort(), active: [...new Set(active.map((a) => a.type))].sort() };
}

describe('center detection x protocol conformance table (issue 15)', () => {
  const cases = conformanceCases();
  it('covers every gas of the table and every rule type it has', () => {
    assert.ok(cases.length > 150, `${cases.length} cases`);
  });
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runCenter(c), c.center));
  }
  it('#15 the restart cases need the rebuilt windows: without them no gas-twa is raised', () => {
    const restarts = cases.filter((c) => c.steps.some((s) => s.restart));
    assert.ok(restarts.length >= 10);
    for (const c of restarts) assert.ok(!runCenter(c, false).raised.includes('gas-twa'), c.name);
  });
});
