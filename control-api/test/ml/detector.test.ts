/**
 * AnomalyDetector in a real DetectionEngine (issues 4 and 22): every reading is scored, off the
 * alarm path (onReading only queues; scoring runs in slices between I/O callbacks, verdicts come
 * at the engine's tick); a leak ramping below gas-low raises an advisory 'anomaly' alarm that says
 * why (value, expected band, reason, score vs the fixed threshold) before gas-low fires; when the
 * advisory alarm clears, the threshold alarm it cannot touch stays standing; a stuck transmitter
 * is reported as stuck.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { ch4, engine, flame, reading, T0 } from '../../../detection/test/fixtures.js';
import { mulberry32 } from '../../../edge-agent/src/sim/physics.js';
import { waitFor } from '../../../testkit/index.js';
import { DEFAULT_NOVELTY } from '../../src/ml/context-novelty.js';
import { createAnomalyDetector, DEFAULT_THRESHOLD } from '../../src/ml/detector.js';
import { loadSettings } from '../../src/settings.js';

const log = pino({ level: 'silent' });
const HOLD = DEFAULT_NOVELTY.learning * DEFAULT_NOVELTY.restFraction;

/** CH4 at a clean-air baseline (0.8 ± 0.35 %LEL, as the simulator's physics), every 2 s. */
function baseline(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.max(0, 0.8 + (r() - 0.5) * 0.7));
}

describe('AnomalyDetector with the DetectionEngine', () => {
  it('scores every reading; a leak below gas-low raises an explained advisory alarm first', () => {
    const anomaly = createAnomalyDetector({ log });
    const e = engine({ detectors: [anomaly] });
    const ctx = ch4();
    const seen = [] as string[];
    let t = 0;
    const feed = (values: number[]) => {
      for (const v of values) {
        t += 2000;
        const out = e.onReading(reading(ctx, T0 + t, v), ctx, T0 + t);
        // The hot path never yields an ML verdict: it only queues. The tick hands them over.
        assert.ok(out.every((tr) => !tr.alarm.advisory));
        anomaly.flush();
        for (const tr of [...out, ...e.tick(T0 + t)])
          seen.push(`${tr.alarm.type}${tr.alarm.advisory ? '(ml)' : ''}:${tr.action}`);
      }
    };
    feed(baseline(1500, 1)); // 50 minutes of clean air: learned, nothing raised
    assert.equal(seen.length, 0, seen.join(' '));
    // A leak ramping 0.1 %LEL per reading from the baseline up to 15 %LEL, then holding.
    const ramp = Array.from({ length: 150 }, (_, i) => Math.min(15, 0.8 + 0.1 * i));
    feed(ramp);
    assert.equal(seen[0], 'anomaly(ml):raise', seen.join(' '));
    assert.ok(seen.includes('gas-low:raise'), seen.join(' '));
    const raised = e.active().find((a) => a.type === 'anomaly');
    assert.ok(raised?.anomaly, 'the alarm carries its explanation');
    const why = raised.anomaly;
    // Flagged on its way up, at the first reading in a grid cell (1.25 %LEL wide over 0..gas-low)
    // the baseline never reached, long before gas-low (10 %LEL), with the band it expected there.
    assert.ok(why.reading >= 1.25 && why.reading < 2.5, JSON.stringify(why));
    assert.equal(why.reason, 'new-level');
    assert.ok(
      (why.expectedHigh ?? Number.POSITIVE_INFINITY) <= 2.5 && (why.expectedLow ?? 0) >= 0,
      JSON.stringify(why),
    );
    assert.equal(why.threshold, DEFAULT_THRESHOLD);
    assert.ok(why.score >= DEFAULT_THRESHOLD);
    assert.deepEqual([raised.priority, raised.advisory, why.unit], [4, true, '%LEL']);
    // The advisory alarm clears after the model's silence; gas-low (a threshold alarm) stays.
    feed(Array(HOLD + 10).fill(15));
    assert.ok(seen.includes('anomaly(ml):clear'), seen.join(' '));
    const byType = new Map(e.active().map((a) => [a.type, a]));
    assert.equal(byType.get('anomaly')?.state, 'rtn-unack');
    assert.equal(byType.get('gas-low')?.state, 'unack');
    assert.notEqual(byType.get('gas-low')?.advisory, true);
    assert.equal(anomaly.stats.scored, 1500 + 150 + HOLD + 10);
  });

  it('a transmitter stuck at one value is reported as stuck', () => {
    const anomaly = createAnomalyDetector({ log });
    const e = engine({ detectors: [anomaly] });
    const ctx = ch4();
    const values = [...baseline(1500, 2), ...Array(600).fill(0.93)];
    const raised: Array<{ at: number; reason?: string }> = [];
    for (const [i, v] of values.entries()) {
      e.onReading(reading(ctx, T0 + i * 2000, v), ctx, T0 + i * 2000);
      anomaly.flush();
      for (const tr of e.tick(T0 + i * 2000))
        if (tr.action === 'raise' && tr.alarm.type === 'anomaly')
          raised.push({ at: i, reason: tr.alarm.anomaly?.reason });
    }
    assert.deepEqual(raised, [{ at: 1500 + DEFAULT_NOVELTY.learning * DEFAULT_NOVELTY.runFraction, reason: 'stuck' }]);
  });

  it('skips flame/smoke and faulty readings; an alarm of a sensor gone quiet is cleared on the tick', () => {
    const anomaly = createAnomalyDetector({ log });
    const e = engine({ detectors: [anomaly] });
    const f = flame();
    e.onReading(reading(f, T0, 1), f, T0);
    const ctx = ch4();
    e.onReading(reading(ctx, T0, 3, { quality: 'fault' }), ctx, T0);
    assert.deepEqual(anomaly.stats, { scored: 0, skipped: 2, dropped: 0, raised: 0, cleared: 0 });
    const values = [...baseline(800, 3), 9];
    for (const [i, v] of values.entries()) e.onReading(reading(ctx, T0 + i * 2000, v), ctx, T0 + i * 2000);
    assert.equal(anomaly.flush(), 801);
    e.tick(T0 + 800 * 2000);
    assert.equal(e.active().find((a) => a.type === 'anomaly')?.state, 'unack');
    const last = T0 + 800 * 2000;
    const ours = (trs: ReturnType<typeof e.tick>) =>
      trs.filter((tr) => tr.alarm.type === 'anomaly').map((tr) => `${tr.alarm.type}:${tr.action}`);
    assert.deepEqual(ours(e.tick(last + 9 * 60_000)), []);
    assert.deepEqual(ours(e.tick(last + 10 * 60_000)), ['anomaly:clear']);
  });

  it('issue 22: every reading is scored by default (the 1-in-10 sampling is gone); GWANJE_ML_SAMPLE_EVERY still thins it', () => {
    assert.equal(loadSettings({ GWANJE_ADMIN_PASSWORD: 'Admin-pass-1' }).mlSampleEvery, 1);
    const every = createAnomalyDetector({ log });
    const thinned = createAnomalyDetector({ log, sampleEvery: 10 });
    const ctx = ch4();
    for (let i = 0; i < 100; i++) {
      every.onReading(reading(ctx, T0 + i, 1), ctx);
      thinned.onReading(reading(ctx, T0 + i, 1), ctx);
    }
    assert.deepEqual([every.flush(), thinned.flush()], [100, 10]);
    assert.deepEqual([every.stats.scored, thinned.stats.scored], [100, 10]);
  });

  it('started, it scores on its own between I/O callbacks; a backlog beyond maxQueue sheds the oldest, counted', async () => {
    const anomaly = createAnomalyDetector({ log, maxQueue: 1000 });
    const ctx = ch4();
    for (let i = 0; i < 1500; i++) anomaly.onReading(reading(ctx, T0 + i * 2000, 1), ctx);
    assert.deepEqual([anomaly.backlog, anomaly.stats.dropped], [1000, 500]);
    anomaly.start();
    try {
      await waitFor(() => anomaly.backlog === 0, 5000, 5);
      assert.equal(anomaly.stats.scored, 1000);
    } finally {
      anomaly.stop();
    }
  });
});
