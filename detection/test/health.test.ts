/** rate-of-rise, sensor-fault, over-range, stale and agent comm-loss. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ch4, drive, engine, reading, sensor, standing, summary, T0 } from './fixtures.js';

const only = (type: string) => (ts: ReturnType<typeof summary>) => ts.filter((s) => s.startsWith(`${type}:`));

describe('RateOfRiseDetector (default 5 %LEL/min for combustibles)', () => {
  const ror = only('rate-of-rise');
  const table: { name: string; script: [number, number][]; until?: number; want: string[] }[] = [
    {
      name: 'a steady 6 %LEL/min climb raises once the samples span 15 s',
      script: Array.from({ length: 11 }, (_, i): [number, number] => [i * 2000, i * 0.2]),
      want: ['rate-of-rise:raise:unack'],
    },
    {
      name: 'a 4 %LEL/min climb stays quiet',
      script: Array.from({ length: 31 }, (_, i): [number, number] => [i * 2000, (i * 2000 * 4) / 60_000]),
      want: [],
    },
    {
      name: 'exactly 5 %LEL/min raises (at the setpoint)',
      script: Array.from({ length: 31 }, (_, i): [number, number] => [i * 3000, i * 0.25]),
      want: ['rate-of-rise:raise:unack'],
    },
    {
      name: 'irregular spacing: 1 s, 7 s, 2 s, 9 s... at 6 %LEL/min still raises',
      script: [0, 1000, 8000, 10_000, 19_000, 20_000, 27_000, 29_000, 38_000].map((t): [number, number] => [
        t,
        (t * 6) / 60_000,
      ]),
      want: ['rate-of-rise:raise:unack'],
    },
    {
      name: 'two noisy samples 1 s apart (+1 %LEL = 60 %LEL/min) do not raise: too short a span',
      script: [
        [0, 1],
        [1000, 2],
      ],
      want: [],
    },
    {
      name: 'a climb that levels off clears after the 10 s off-delay once the slope is under 4',
      script: [
        ...Array.from({ length: 16 }, (_, i): [number, number] => [i * 2000, i * 0.4]),
        ...Array.from({ length: 50 }, (_, i): [number, number] => [32_000 + i * 2000, 6]),
      ],
      want: ['rate-of-rise:raise:unack', 'rate-of-rise:clear:rtn-unack'],
    },
  ];
  for (const c of table) {
    it(c.name, () => assert.deepEqual(ror(summary(drive(engine(), ch4(), c.script, c.until))), c.want));
  }

  it('reports the slope in units per minute', () => {
    const ts = drive(
      engine(),
      ch4(),
      Array.from({ length: 11 }, (_, i): [number, number] => [i * 2000, i * 0.2]),
    );
    const a = ts.find((t) => t.alarm.type === 'rate-of-rise')?.alarm;
    assert.equal(a?.value, 6);
    assert.match(a?.message ?? '', /%LEL\/min/);
  });
});

describe('FaultDetector', () => {
  it('raises sensor-fault on a fault code or fault quality and clears 5 s after good readings', () => {
    const e = engine();
    const ctx = ch4();
    const out = [
      ...e.onReading(reading(ctx, T0, 0, { fault: 'E07-sensor-head' }), ctx, T0),
      ...e.onReading(reading(ctx, T0 + 2000, 0, { quality: 'fault' }), ctx, T0 + 2000),
      ...e.onReading(reading(ctx, T0 + 4000, 0), ctx, T0 + 4000),
      ...e.tick(T0 + 8000),
      ...e.tick(T0 + 9000),
    ];
    assert.deepEqual(summary(out), ['sensor-fault:raise:unack', 'sensor-fault:clear:rtn-unack']);
    assert.match(out[0].alarm.message, /E07-sensor-head/);
  });

  it('raises over-range on a temperature beyond its range (after 2 s), not at the range limit', () => {
    const ctx = sensor('suwon-temp-1', { metric: 'temperature', unit: 'C', range: { min: -20, max: 120 } });
    const or = only('over-range');
    const run = (v: number) =>
      or(
        summary(
          drive(engine(), ctx, [
            [0, v],
            [1000, v],
            [2000, v],
          ]),
        ),
      );
    assert.deepEqual(run(120), []);
    assert.deepEqual(run(120.1), ['over-range:raise:unack']);
    assert.deepEqual(run(-35), ['over-range:raise:unack']);
  });

  it('#15 150 %LEL on a 0-100 range raises gas-high P1 (latched) and sensor-fault over-range, not a P2 over-range', () => {
    const ctx = sensor('suwon-ch4-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 } });
    const e = engine();
    const ts = drive(e, ctx, [
      [0, 150],
      [1000, 150],
      [2000, 150],
      [3000, 150],
    ]);
    const raised = ts.filter((t) => t.action === 'raise').map((t) => `${t.alarm.type}:p${t.alarm.priority}`);
    assert.deepEqual(raised.sort(), ['gas-high:p1', 'gas-low:p3', 'sensor-fault:p2']);
    const high = ts.find((t) => t.alarm.type === 'gas-high')?.alarm;
    assert.equal(high?.value, 150, 'the alarm shows what the transmitter said');
    assert.equal(high?.facts?.reason, 'over-range');
    assert.equal(ts.find((t) => t.alarm.type === 'sensor-fault')?.alarm.facts?.code, 'over-range');
    // Exactly at the range top is a measurement (100 >= 25 raises gas-high too, without a fault).
    const atTop = drive(engine(), ctx, [
      [0, 100],
      [2000, 100],
    ]);
    assert.deepEqual(only('sensor-fault')(summary(atTop)), []);
  });

  it("#15 the agent's over-range fault code raises gas-high even with the value clamped inside the range", () => {
    const ctx = sensor('suwon-ch4-1', { metric: 'gas', gas: 'CH4', unit: '%LEL' });
    const e = engine();
    const out = [
      ...e.onReading(reading(ctx, T0, 100, { quality: 'fault', fault: 'over-range' }), ctx, T0),
      ...e.onReading(reading(ctx, T0 + 1000, 100, { quality: 'fault', fault: 'OVR' }), ctx, T0 + 1000),
      ...e.tick(T0 + 1500),
      ...e.onReading(reading(ctx, T0 + 3000, 100, { quality: 'fault', fault: 'over-range' }), ctx, T0 + 3000),
    ];
    assert.deepEqual(standing(e), ['gas-high=unack', 'gas-low=unack', 'sensor-fault=unack']);
    assert.ok(out.some((t) => t.alarm.type === 'gas-high' && t.alarm.latched === true));
  });

  it('#15 any other fault never clears a standing gas-high, nor completes a pending clear', () => {
    const ctx = sensor('suwon-ch4-1', { metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 } });
    const e = engine();
    drive(e, ctx, [
      [0, 60],
      [2000, 60],
    ]);
    assert.ok(standing(e).includes('gas-high=unack'));
    // Back below the deadband (off-delay 5 s starts), then the head faults before the delay ends.
    e.onReading(reading(ctx, T0 + 3000, 5), ctx, T0 + 3000);
    for (let t = 4000; t <= 20_000; t += 1000) {
      e.onReading(reading(ctx, T0 + t, 0, { quality: 'fault', fault: 'E07-head' }), ctx, T0 + t);
      e.tick(T0 + t);
    }
    assert.ok(standing(e).includes('gas-high=unack'), standing(e).join());
    assert.ok(standing(e).includes('sensor-fault=unack'));
  });

  it('#15 under-range on O2 counts as below o2-low', () => {
    const ctx = sensor('suwon-o2-1', { metric: 'gas', gas: 'O2', unit: '%vol', range: { min: 0, max: 25 } });
    const e = engine();
    for (let t = 0; t <= 4000; t += 1000) {
      e.onReading(reading(ctx, T0 + t, 0, { quality: 'fault', fault: 'under-range' }), ctx, T0 + t);
      e.tick(T0 + t);
    }
    assert.deepEqual(standing(e), ['o2-low=unack', 'sensor-fault=unack']);
  });

  it('has no over-range rule without a configured range', () => {
    assert.deepEqual(
      only('over-range')(
        summary(
          drive(engine(), ch4(), [
            [0, 500],
            [4000, 500],
          ]),
        ),
      ),
      [],
    );
  });
});

describe('StaleDetector (3 reporting intervals)', () => {
  it('raises stale just after 3 intervals of silence, not at exactly 3, and clears on the next reading', () => {
    const e = engine();
    const ctx = ch4(); // intervalMs 2000 -> 6 s
    e.onReading(reading(ctx, T0, 1), ctx, T0);
    assert.deepEqual(e.tick(T0 + 6000), []);
    assert.deepEqual(summary(e.tick(T0 + 6001)), ['stale:raise:unack']);
    assert.deepEqual(e.tick(T0 + 7000), []);
    assert.deepEqual(summary(e.onReading(reading(ctx, T0 + 8000, 1), ctx, T0 + 8000)), ['stale:clear:rtn-unack']);
  });

  it('measures silence on the center clock, whatever the sensor clock says', () => {
    const e = engine();
    const ctx = ch4();
    e.onReading(reading(ctx, T0 - 3_600_000, 1), ctx, T0); // sensor clock an hour behind
    assert.deepEqual(e.tick(T0 + 5000), []);
  });

  it('uses the override setpoint as the number of intervals', () => {
    const e = engine();
    const ctx = ch4([{ type: 'stale', setpoint: 10 }]);
    e.onReading(reading(ctx, T0, 1), ctx, T0);
    assert.deepEqual(e.tick(T0 + 19_000), []);
    assert.deepEqual(summary(e.tick(T0 + 20_001)), ['stale:raise:unack']);
  });

  it('raises at once for a reading the agent marks stale', () => {
    const e = engine();
    const ctx = ch4();
    assert.deepEqual(summary(e.onReading(reading(ctx, T0, 0, { quality: 'stale' }), ctx, T0)), ['stale:raise:unack']);
  });
});

describe('agent comm-loss', () => {
  it('raises comm-loss when the agent goes offline, suppresses its sensors going stale, returns online', () => {
    const e = engine();
    const ctx = ch4();
    e.onReading(reading(ctx, T0, 1), ctx, T0);
    const off = e.agentStatus('suwon-agent', 'suwon', 'offline', T0 + 1000);
    assert.deepEqual(summary(off), ['comm-loss:raise:unack']);
    assert.deepEqual(
      [off[0].alarm.sourceKind, off[0].alarm.sourceId, off[0].alarm.priority],
      ['agent', 'suwon-agent', 2],
    );
    assert.deepEqual(e.tick(T0 + 60_000), [], 'no stale while the agent is offline');
    assert.deepEqual(summary(e.agentStatus('suwon-agent', 'suwon', 'online', T0 + 61_000)), [
      'comm-loss:clear:rtn-unack',
    ]);
    assert.deepEqual(e.tick(T0 + 66_000), [], 'a grace period after reconnecting');
    assert.deepEqual(summary(e.tick(T0 + 67_001)), ['stale:raise:unack']);
    assert.deepEqual(standing(e), ['comm-loss=rtn-unack', 'stale=unack']);
  });

  it('online for an agent with no alarm does nothing; offline twice raises once', () => {
    const e = engine();
    assert.deepEqual(e.agentStatus('x-agent', 'suwon', 'online', T0), []);
    assert.equal(e.agentStatus('x-agent', 'suwon', 'offline', T0).length, 1);
    assert.deepEqual(e.agentStatus('x-agent', 'suwon', 'offline', T0 + 1), []);
  });
});
