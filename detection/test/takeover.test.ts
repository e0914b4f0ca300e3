/**
 * Issue 19: a site's new owner resumes detection from the standing alarms and the stored readings
 * (DetectionEngine.restoreRecent), as the killed owner would have gone on. Engine A is the old
 * owner; engine B starts empty, loads A's standing alarms (as AlarmService.takeSite does) and is
 * handed the readings A had stored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecentSample } from '../src/engine.js';
import { ch4, drive, engine, reading, summary, T0 } from './fixtures.js';

const samples = (script: [number, number][]): RecentSample[] =>
  script.map(([at, value]) => ({ ts: T0 + at, value, quality: 'good' }));

/** gas-high alone (1 s on-delay, 5 s off-delay, latched), so one rule is under test. */
const gasHighOnly = () => ch4([{ type: 'gas-low', enabled: false }]);

describe('state resumed at a takeover (issue 19)', () => {
  it('an on-delay that ran 0.8 s of 1 s at the old owner completes at 1 s, not a whole delay later', () => {
    const ctx = gasHighOnly();
    const held: [number, number][] = [
      [0, 60],
      [200, 60],
      [400, 60],
      [600, 60],
      [800, 60],
    ];
    const a = engine();
    assert.deepEqual(drive(a, ctx, held, 800, 100), [], 'still pending when A dies');

    const b = engine();
    assert.deepEqual(b.restoreRecent(ctx, samples(held), T0 + 900), []);
    const raised = b.onReading(reading(ctx, T0 + 1000, 60), ctx, T0 + 1000);
    assert.deepEqual(summary(raised), ['gas-high:raise:unack']);
    assert.equal(raised[0].alarm.latency?.sensorTs, T0 + 1000);

    // Before issue 19's fix the new owner started the delay at its first reading.
    const fresh = engine();
    assert.deepEqual(fresh.onReading(reading(ctx, T0 + 1000, 60), ctx, T0 + 1000), []);
  });

  it('no tick completes a delay before the queued backlog can arrive; with no reading at all it completes after that grace', () => {
    const ctx = gasHighOnly();
    const held = samples([
      [0, 60],
      [800, 60],
    ]);
    const b = engine();
    assert.deepEqual(b.restoreRecent(ctx, held, T0 + 850), []);
    assert.deepEqual(b.tick(T0 + 1050), [], 'the backlog may show the gas gone before 1 s');
    assert.deepEqual(b.tick(T0 + 5800), []);
    assert.deepEqual(summary(b.tick(T0 + 6100)), ['gas-high:raise:unack']);
    // The backlog arrives: judged on its timestamps (a blip that ended at 0.9 s raises nothing).
    const c = engine();
    c.restoreRecent(ctx, held, T0 + 850);
    assert.deepEqual(c.onReading(reading(ctx, T0 + 900, 2), ctx, T0 + 1200), []);
    assert.deepEqual(c.tick(T0 + 6500), []);
  });

  it('an off-delay in progress goes on from where it was: no clear at once, cleared (latched) on time', () => {
    const ctx = gasHighOnly();
    const script: [number, number][] = [
      [0, 60],
      [1000, 60],
      [2000, 60],
      [3000, 5], // below the deadband: the 5 s off-delay starts
      [4000, 5],
    ];
    const a = engine();
    assert.deepEqual(summary(drive(a, ctx, script, 4000, 100)), ['gas-high:raise:unack']);
    const standing = a.active();
    assert.equal(standing[0].active, true);

    const b = engine();
    b.load(standing.map((x) => ({ ...x })));
    assert.deepEqual(b.restoreRecent(ctx, samples(script), T0 + 4500), [], 'the alarm neither raised nor cleared');
    assert.deepEqual(b.onReading(reading(ctx, T0 + 5000, 5), ctx, T0 + 5000), [], 'no clear at once');
    assert.deepEqual(b.tick(T0 + 7900), []);
    const cleared = b.tick(T0 + 8000);
    assert.deepEqual(summary(cleared), ['gas-high:clear:latched']);
    assert.equal(cleared[0].alarm.id, standing[0].id, 'the same alarm id goes on');

    // Without the seeded state a restored alarm cleared at the first low reading.
    const fresh = engine();
    fresh.load(standing.map((x) => ({ ...x })));
    assert.deepEqual(summary(fresh.onReading(reading(ctx, T0 + 5000, 5), ctx, T0 + 5000)), ['gas-high:clear:latched']);
  });

  it('a latched alarm whose condition has returned stays latched with its id; reset closes it at the new owner', () => {
    const ctx = gasHighOnly();
    const script: [number, number][] = [
      [0, 60],
      [1500, 60],
      [2000, 5],
      [8000, 5],
    ];
    const a = engine();
    drive(a, ctx, script, 8000, 100);
    const latched = a.active();
    assert.deepEqual(
      latched.map((x) => [x.type, x.state, x.active]),
      [['gas-high', 'latched', false]],
    );
    const b = engine();
    b.load(latched.map((x) => ({ ...x })));
    assert.deepEqual(b.restoreRecent(ctx, samples(script), T0 + 9000), []);
    assert.deepEqual(b.tick(T0 + 20_000), [], 'a latch is never released by time');
    assert.deepEqual(summary(b.act(latched[0].id, 'reset', 'op', T0 + 21_000)), ['gas-high:reset:normal']);
  });

  it('an on-delay the old owner completed but never stored is raised at the takeover; a blip inside the window is not', () => {
    const ctx = gasHighOnly();
    const b = engine();
    const out = b.restoreRecent(
      ctx,
      samples([
        [0, 60],
        [600, 60],
        [1200, 60],
      ]),
      T0 + 1300,
    );
    assert.deepEqual(summary(out), ['gas-high:raise:unack']);
    assert.equal(out[0].alarm.latency?.sensorTs, T0 + 1200);

    const c = engine();
    const blip = samples([
      [0, 60],
      [1200, 60], // raised and ...
      [1400, 5],
      [7000, 5], // ... cleared after its off-delay: nothing stands now
    ]);
    assert.deepEqual(c.restoreRecent(ctx, blip, T0 + 7100), []);
  });

  it('the rate-of-rise window holds the stored samples: the next reading is judged on the whole window', () => {
    const ctx = ch4([
      { type: 'gas-low', enabled: false },
      { type: 'gas-high', enabled: false },
    ]);
    const window = samples([
      [0, 0],
      [5000, 0.5],
      [10_000, 1],
    ]);
    const b = engine();
    assert.deepEqual(b.restoreRecent(ctx, window, T0 + 11_000), [], 'too short a span to judge yet');
    // 0 -> 2 %LEL over 16 s: 7.5 %LEL/min, above the 5 %LEL/min setpoint.
    assert.deepEqual(summary(b.onReading(reading(ctx, T0 + 16_000, 2), ctx, T0 + 16_000)), [
      'rate-of-rise:raise:unack',
    ]);
    const fresh = engine();
    assert.deepEqual(fresh.onReading(reading(ctx, T0 + 16_000, 2), ctx, T0 + 16_000), [], 'one sample: no slope');
  });

  it('a sensor silent for 80 % of its stale limit at the old owner goes stale on time at the new one', () => {
    const ctx = { ...gasHighOnly(), intervalMs: 10_000 }; // limit: 3 intervals = 30 s
    const heardAt = T0 - 24_000;
    const b = engine();
    b.sensorConfigured(ctx, T0, heardAt);
    assert.deepEqual(b.restoreRecent(ctx, [], T0, heardAt), []);
    assert.deepEqual(b.tick(T0 + 5_000), []);
    assert.deepEqual(summary(b.tick(T0 + 6_500)), ['stale:raise:unack']);

    const fresh = engine();
    fresh.sensorConfigured(ctx, T0, heardAt);
    assert.deepEqual(fresh.tick(T0 + 6_500), [], 'without it the watch restarted at the takeover');
  });

  it('a sensor silent past its limit is not judged stale before its queued backlog can arrive', () => {
    const ctx = { ...gasHighOnly(), intervalMs: 10_000 };
    const b = engine();
    b.sensorConfigured(ctx, T0, T0 - 60_000);
    b.restoreRecent(ctx, [], T0, T0 - 60_000);
    assert.deepEqual(b.tick(T0 + 4_000), [], 'the broker hands the backlog over right after the takeover');
    assert.deepEqual(summary(b.tick(T0 + 5_500)), ['stale:raise:unack']);
    // A fast sensor (limit 3 s) keeps the watch restored at the takeover: no earlier than before.
    const fast = { ...gasHighOnly(), sensorId: 'suwon-ch4-2', intervalMs: 1_000 };
    b.sensorConfigured(fast, T0, T0 - 60_000);
    b.restoreRecent(fast, [], T0, T0 - 60_000);
    assert.deepEqual(b.tick(T0 + 2_900), []);
    assert.equal(summary(b.tick(T0 + 3_100)).filter((x) => x.startsWith('stale')).length, 1);
  });
});
