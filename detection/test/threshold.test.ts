/**
 * Every setpoint rule with a table of readings -> expected alarms, including the edges CONTRACT
 * and issue 4 name: exactly at the setpoint, inside the deadband, a blip shorter than the
 * on-delay, and the off-delay. Readings and ticks run on an injected clock (fixtures.drive).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SensorContext } from '../src/types.js';
import { ch4, co, drive, engine, flame, h2s, o2, sensor, smoke, standing, summary } from './fixtures.js';

interface Case {
  name: string;
  ctx: () => SensorContext;
  script: [number, number][];
  until?: number;
  want: string[];
  standing: string[];
}

const cases: Case[] = [
  {
    name: 'CH4 just below gas-low never raises',
    ctx: ch4,
    script: [
      [0, 9.9],
      [2000, 9.99],
      [4000, 9.9],
    ],
    until: 10_000,
    want: [],
    standing: [],
  },
  {
    name: 'CH4 exactly at gas-low (10) raises once the 3 s on-delay has run',
    ctx: ch4,
    script: [
      [0, 10],
      [2000, 10],
      [4000, 10],
    ],
    want: ['gas-low:raise:unack'],
    standing: ['gas-low=unack'],
  },
  {
    name: 'CH4 blip above gas-low shorter than the on-delay does not raise',
    ctx: ch4,
    script: [
      [0, 14],
      [2000, 4],
      [4000, 4],
    ],
    until: 10_000,
    want: [],
    standing: [],
  },
  {
    name: 'CH4 blip to 30 for 0.5 s raises neither gas-high (1 s) nor gas-low (3 s)',
    ctx: ch4,
    script: [
      [0, 30],
      [500, 5],
    ],
    until: 6000,
    want: [],
    standing: [],
  },
  {
    name: 'CH4 inside the deadband (8..10) keeps gas-low active, 8 exactly included',
    ctx: ch4,
    script: [
      [0, 12],
      [2000, 12],
      [4000, 9],
      [6000, 8.5],
      [8000, 8],
      [10_000, 8],
    ],
    until: 20_000,
    want: ['gas-low:raise:unack'],
    standing: ['gas-low=unack'],
  },
  {
    name: 'CH4 below the deadband clears gas-low after the 5 s off-delay (unacked -> rtn-unack)',
    ctx: ch4,
    script: [
      [0, 12],
      [2000, 12],
      [4000, 7.9],
      [6000, 7.9],
      [8000, 7.9],
    ],
    until: 9000,
    want: ['gas-low:raise:unack', 'gas-low:clear:rtn-unack'],
    standing: ['gas-low=rtn-unack'],
  },
  {
    name: 'CH4 dip below the deadband shorter than the off-delay keeps gas-low',
    ctx: ch4,
    script: [
      [0, 12],
      [2000, 12],
      [4000, 7],
      [6000, 12],
      [8000, 12],
    ],
    until: 20_000,
    want: ['gas-low:raise:unack'],
    standing: ['gas-low=unack'],
  },
  {
    name: 'CH4 exactly at gas-high (25): gas-high after 1 s, gas-low after 3 s; on return gas-high latches',
    ctx: ch4,
    script: [
      [0, 25],
      [2000, 25],
      [4000, 0],
      [6000, 0],
      [8000, 0],
    ],
    until: 10_000,
    want: ['gas-high:raise:unack', 'gas-low:raise:unack', 'gas-low:clear:rtn-unack', 'gas-high:clear:latched'],
    standing: ['gas-high=latched', 'gas-low=rtn-unack'],
  },
  {
    name: 'CO exactly at TWA 30 ppm raises gas-low',
    ctx: co,
    script: [
      [0, 30],
      [2000, 30],
      [4000, 30],
    ],
    want: ['gas-low:raise:unack'],
    standing: ['gas-low=unack'],
  },
  {
    name: 'CO at 29.9 ppm stays quiet',
    ctx: co,
    script: [
      [0, 29.9],
      [2000, 29.9],
      [4000, 29.9],
    ],
    want: [],
    standing: [],
  },
  {
    name: 'CO at STEL 200 ppm raises gas-high then gas-low (and the STEL average catches up later)',
    ctx: co,
    script: [
      [0, 200],
      [2000, 200],
      [4000, 200],
    ],
    want: ['gas-high:raise:unack', 'gas-low:raise:unack'],
    standing: ['gas-high=unack', 'gas-low=unack'],
  },
  {
    name: 'H2S exactly at STEL 15 ppm raises gas-high',
    ctx: h2s,
    script: [
      [0, 15],
      [1000, 15],
      [2000, 14],
    ],
    want: ['gas-high:raise:unack'],
    standing: ['gas-high=unack'],
  },
  {
    name: 'O2 exactly 19.5 %vol is normal (strict "below")',
    ctx: o2,
    script: [
      [0, 19.5],
      [2000, 19.5],
      [4000, 19.5],
    ],
    want: [],
    standing: [],
  },
  {
    name: 'O2 19.4 %vol raises o2-low after 3 s',
    ctx: o2,
    script: [
      [0, 19.4],
      [2000, 19.4],
      [4000, 19.4],
    ],
    want: ['o2-low:raise:unack'],
    standing: ['o2-low=unack'],
  },
  {
    name: 'O2 exactly 23.5 %vol is normal (strict "above")',
    ctx: o2,
    script: [
      [0, 23.5],
      [2000, 23.5],
      [4000, 23.5],
    ],
    want: [],
    standing: [],
  },
  {
    name: 'O2 23.6 %vol raises o2-high',
    ctx: o2,
    script: [
      [0, 23.6],
      [2000, 23.6],
      [4000, 23.6],
    ],
    want: ['o2-high:raise:unack'],
    standing: ['o2-high=unack'],
  },
  {
    name: 'O2 back inside the 0.3 deadband (19.7) keeps o2-low; 19.9 clears after 5 s',
    ctx: o2,
    script: [
      [0, 19],
      [2000, 19],
      [3000, 19],
      [4000, 19.7],
      [6000, 19.7],
      [8000, 19.9],
      [10_000, 19.9],
      [12_000, 19.9],
    ],
    until: 13_000,
    want: ['o2-low:raise:unack', 'o2-low:clear:rtn-unack'],
    standing: ['o2-low=rtn-unack'],
  },
  {
    name: 'flame at 1 raises at once (priority 1) and latches when it goes out',
    ctx: flame,
    script: [
      [0, 1],
      [2000, 0],
    ],
    until: 3000,
    want: ['flame:raise:unack', 'flame:clear:latched'],
    standing: ['flame=latched'],
  },
  {
    name: 'flame at 0 stays quiet',
    ctx: flame,
    script: [
      [0, 0],
      [2000, 0],
    ],
    want: [],
    standing: [],
  },
  {
    name: 'smoke at 1 raises and latches',
    ctx: smoke,
    script: [
      [0, 1],
      [2000, 0],
    ],
    want: ['smoke:raise:unack', 'smoke:clear:latched'],
    standing: ['smoke=latched'],
  },
  {
    name: 'temperature exactly 60 C raises temperature-high after 3 s',
    ctx: () => sensor('suwon-temp-1', { metric: 'temperature', unit: 'C' }),
    script: [
      [0, 60],
      [2000, 60],
      [4000, 60],
    ],
    want: ['temperature-high:raise:unack'],
    standing: ['temperature-high=unack'],
  },
  {
    name: 'an override moves the setpoint and removes the on-delay',
    ctx: () => ch4([{ type: 'gas-low', setpoint: 5, onDelayMs: 0 }]),
    script: [[0, 5]],
    want: ['gas-low:raise:unack'],
    standing: ['gas-low=unack'],
  },
  {
    name: 'a disabled rule never raises',
    ctx: () => ch4([{ type: 'gas-low', enabled: false }]),
    script: [
      [0, 20],
      [2000, 20],
      [4000, 20],
    ],
    want: [],
    standing: [],
  },
];

describe('ThresholdDetector through the engine: default rules table', () => {
  for (const c of cases) {
    it(c.name, () => {
      const e = engine();
      // Only the setpoint rules here: rate-of-rise and stale have their own tests.
      const own = (type: string) => type !== 'rate-of-rise' && type !== 'stale';
      const ts = drive(e, c.ctx(), c.script, c.until).filter((t) => own(t.alarm.type));
      assert.deepEqual(summary(ts), c.want);
      assert.deepEqual(
        standing(e).filter((s) => own(s.split('=')[0])),
        c.standing,
      );
    });
  }
});
