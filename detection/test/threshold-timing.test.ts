/** ThresholdDetector timing: when a raise happens, on which clock, and what a fault reading does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ch4, drive, engine, reading, summary, T0 } from './fixtures.js';

describe('ThresholdDetector timing', () => {
  it('raises at the moment the on-delay runs out, with value, threshold, cameras and sensor ts', () => {
    const e = engine();
    const ctx = ch4();
    const ts = drive(e, ctx, [
      [0, 12.5],
      [2000, 12.5],
      [4000, 12.5],
    ]);
    const a = ts[0].alarm;
    assert.equal(a.raisedAt, T0 + 3000);
    assert.deepEqual([a.value, a.threshold, a.priority, a.siteId, a.sourceId], [12.5, 10, 3, 'suwon', 'suwon-ch4-1']);
    assert.deepEqual(a.cameras, ['suwon-cam-1']);
    assert.equal(a.latency?.sensorTs, T0 + 2000);
    assert.match(a.message, /gas-low: CH4 12.5 %LEL >= 10 %LEL/);
  });

  it('runs delays on sensor time: a 2 s transport delay does not shorten the on-delay', () => {
    const e = engine();
    const ctx = ch4();
    // Reading measured at T0 arrives at T0+2000; ticks at center time.
    assert.deepEqual(e.onReading(reading(ctx, T0, 12), ctx, T0 + 2000), []);
    assert.deepEqual(e.tick(T0 + 4500), []); // sensor time T0+2500 < on-delay
    assert.deepEqual(summary(e.tick(T0 + 5000)), ['gas-low:raise:unack']);
  });

  it('judges a store-and-forward backlog by its timestamps: an old 1 s blip stays a blip', () => {
    const e = engine();
    const ctx = ch4();
    const now = T0 + 3_600_000; // the backlog arrives an hour late, all at once
    const out = [
      ...e.onReading(reading(ctx, T0, 30), ctx, now),
      ...e.onReading(reading(ctx, T0 + 500, 30), ctx, now),
      ...e.onReading(reading(ctx, T0 + 900, 2), ctx, now),
    ];
    out.push(...e.tick(now + 3000));
    assert.deepEqual(out, []);
  });

  it('does not judge a faulted reading: no threshold alarm from a fault value', () => {
    const e = engine();
    const ctx = ch4();
    const out = e.onReading(reading(ctx, T0, 100, { quality: 'fault' }), ctx, T0);
    out.push(...e.tick(T0 + 5000));
    assert.deepEqual(summary(out), ['sensor-fault:raise:unack']);
  });

  it('a new rules array (reconfiguration) re-judges the sensor: raising the setpoint clears the alarm', () => {
    const e = engine();
    const before = ch4([{ type: 'gas-low', onDelayMs: 0 }]);
    assert.deepEqual(summary(e.onReading(reading(before, T0, 12), before, T0)), ['gas-low:raise:unack']);
    const after = ch4([{ type: 'gas-low', setpoint: 20, onDelayMs: 0 }]);
    assert.deepEqual(summary(e.onReading(reading(after, T0 + 2000, 12), after, T0 + 2000)), [
      'gas-low:clear:rtn-unack',
    ]);
  });
});
