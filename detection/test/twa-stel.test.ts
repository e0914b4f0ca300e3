/** TWA (8 h) and STEL (15 min) rolling averages: exact with irregular spacing, and the alarms. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TimeWeightedWindow } from '../src/detectors/time-window.js';
import { engine, reading, sensor, summary, T0 } from './fixtures.js';

/** Reference: sum of value * overlap(segment, window) / window, segment = [ts_i, min(ts_i+1, ts_i+hold)]. */
function reference(samples: [number, number][], t: number, windowMs: number, holdMs: number): number {
  let area = 0;
  for (let i = 0; i < samples.length; i++) {
    const [s, v] = samples[i];
    if (s > t) break;
    const next = i + 1 < samples.length && samples[i + 1][0] <= t ? samples[i + 1][0] : t;
    const e = Math.min(next, s + holdMs);
    const lo = Math.max(s, t - windowMs);
    if (e > lo) area += Math.max(v, 0) * (e - lo);
  }
  return area / windowMs;
}

describe('TimeWeightedWindow', () => {
  it('weights each sample by the time until the next one (worked example)', () => {
    const w = new TimeWeightedWindow(10_000, 60_000);
    w.add(0, 10);
    w.add(1000, 20);
    w.add(4000, 0);
    assert.equal(w.average(10_000), 7); // (10*1 s + 20*3 s) / 10 s
    assert.equal(w.average(11_500), 5); // the window now starts at 1.5 s: 20*2.5 s / 10 s
    assert.equal(w.average(14_000), 0);
  });

  it('matches the reference on an irregular random series at many instants', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const samples: [number, number][] = [];
    let t = 0;
    for (let i = 0; i < 3000; i++) {
      t += Math.floor(200 + rnd() * 9000 + (rnd() < 0.02 ? 40_000 : 0)); // gaps beyond the hold too
      samples.push([t, Math.round(rnd() * 500) / 10 - 1]);
    }
    const exact = new TimeWeightedWindow(900_000, 30_000, 0);
    const merged = new TimeWeightedWindow(8 * 3600_000, 30_000); // 28.8 s resolution
    let j = 0;
    for (let q = 0; q < t + 1_000_000; q += 37_123) {
      while (j < samples.length && samples[j][0] <= q) {
        exact.add(samples[j][0], samples[j][1]);
        merged.add(samples[j][0], samples[j][1]);
        j++;
      }
      const want = reference(samples.slice(0, j), q, 900_000, 30_000);
      assert.ok(Math.abs(exact.average(q) - want) < 1e-6, `at ${q}: ${exact.average(q)} vs ${want}`);
      // Merged segments: off by at most resolution/window of the largest value (49 ppm here).
      const want8h = reference(samples.slice(0, j), q, 8 * 3600_000, 30_000);
      assert.ok(Math.abs(merged.average(q) - want8h) <= 0.001 * 49, `8 h at ${q}: ${merged.average(q)} vs ${want8h}`);
    }
  });

  it('bounds memory: 8 hours of 1-second readings hold about 1,000 segments', () => {
    const w = new TimeWeightedWindow(8 * 3600_000, 3000);
    for (let t = 0; t <= 8 * 3600_000; t += 1000) w.add(t, 5 + (t % 7000) / 1000);
    assert.ok(w.segments <= 1001, String(w.segments));
    assert.ok(Math.abs(w.average(8 * 3600_000) - 8) < 0.01, String(w.average(8 * 3600_000)));
  });

  it('holds a reading at most maxHoldMs: a silent sensor stops adding exposure', () => {
    const w = new TimeWeightedWindow(10_000, 3000);
    w.add(0, 100);
    assert.equal(w.average(10_000), 30);
  });

  it('ignores duplicates and out-of-order samples', () => {
    const w = new TimeWeightedWindow(10_000, 60_000);
    w.add(0, 10);
    w.add(5000, 10);
    w.add(5000, 999);
    w.add(3000, 999);
    assert.equal(w.average(10_000), 10);
  });
});

describe('TwaStelDetector through the engine', () => {
  it('raises gas-stel when the 15-minute average of CO reaches 200 ppm (irregular 7 s / 13 s spacing)', () => {
    const e = engine();
    const ctx = sensor('suwon-co-1', { metric: 'gas', gas: 'CO', unit: 'ppm', intervalMs: 10_000 }, [
      { type: 'gas-high', enabled: false }, // keep the plain setpoint out of the way
    ]);
    const stel: { at: number; action: string }[] = [];
    let t = 0;
    let k = 0;
    while (t <= 1_500_000) {
      const v = t < 1_000_000 ? 220 : 0;
      for (const tr of e.onReading(reading(ctx, T0 + t, v), ctx, T0 + t)) {
        if (tr.alarm.type === 'gas-stel') stel.push({ at: t, action: tr.action });
      }
      for (const tr of e.tick(T0 + t + 1)) if (tr.alarm.type === 'gas-stel') stel.push({ at: t, action: tr.action });
      t += k++ % 2 ? 13_000 : 7_000;
    }
    // 220 ppm reaches a 200 ppm 15-min average after 818 s; the first sample at or after it decides.
    assert.equal(stel[0].action, 'raise');
    assert.ok(stel[0].at >= 818_000 && stel[0].at < 818_000 + 13_000, `raised at ${stel[0].at}`);
    // After the release stops at 1000 s the average falls below 190 (deadband 5 %) within 15 min.
    assert.equal(stel[1].action, 'clear');
    assert.ok(stel[1].at > 1_000_000 && stel[1].at < 1_900_000);
    const avg = e.twaStel.averages('suwon-co-1', T0 + 1_500_000);
    assert.ok(avg['gas-stel'] < 190);
  });

  it('raises gas-twa once the 8-hour average of 40 ppm CO reaches the 30 ppm TWA (after 6 h)', () => {
    const e = engine();
    const ctx = sensor('suwon-co-1', { metric: 'gas', gas: 'CO', unit: 'ppm', intervalMs: 60_000 });
    const events: string[] = [];
    let twaAt = -1;
    for (let t = 0; t <= 8 * 3600_000; t += 60_000) {
      for (const tr of [...e.onReading(reading(ctx, T0 + t, 40), ctx, T0 + t), ...e.tick(T0 + t)]) {
        events.push(`${tr.alarm.type}:${tr.action}`);
        if (tr.alarm.type === 'gas-twa') twaAt = t;
      }
    }
    assert.deepEqual(events, ['gas-low:raise', 'gas-twa:raise']);
    assert.equal(twaAt, 6 * 3600_000);
  });

  it('exactly at the TWA for 8 hours raises at the 8-hour mark, not a minute before', () => {
    const e = engine();
    const ctx = sensor('suwon-h2s-1', { metric: 'gas', gas: 'H2S', unit: 'ppm', intervalMs: 60_000 }, [
      { type: 'gas-low', enabled: false },
    ]);
    const raised: number[] = [];
    for (let t = 0; t <= 8 * 3600_000; t += 60_000) {
      const tr = e.onReading(reading(ctx, T0 + t, 10), ctx, T0 + t);
      if (summary(tr).includes('gas-twa:raise:unack')) raised.push(t);
    }
    assert.deepEqual(raised, [8 * 3600_000]);
  });
});
