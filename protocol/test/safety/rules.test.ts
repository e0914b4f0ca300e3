import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultRules,
  mergeOverrides,
  type RuleSpec,
  resolveRules,
  STEL_WINDOW_MS,
  TWA_WINDOW_MS,
} from '../../src/safety/index.js';

const brief = (r: RuleSpec): string =>
  `${r.type} p${r.priority} ${r.direction}${r.strict ? '!' : ''} ${r.setpoint}${r.latched ? ' latched' : ''}`;
const byType = (rules: RuleSpec[], type: string): RuleSpec => {
  const r = rules.find((x) => x.type === type);
  assert.ok(r, `rule ${type} missing`);
  return r;
};

describe('defaultRules (CONTRACT "Default alarm rules")', () => {
  const table: [string, Parameters<typeof defaultRules>[0], string[]][] = [
    [
      'CH4 %LEL: gas-low p3 at 10, gas-high p1 latched at 25, rate-of-rise 5 %LEL/min',
      { metric: 'gas', gas: 'CH4', unit: '%LEL' },
      [
        'gas-low p3 high 10',
        'gas-high p1 high 25 latched',
        'rate-of-rise p2 high 5',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'LPG %LEL gets the combustible rules too',
      { metric: 'gas', gas: 'LPG', unit: '%LEL' },
      [
        'gas-low p3 high 10',
        'gas-high p1 high 25 latched',
        'rate-of-rise p2 high 5',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'CO ppm: Korean TWA 30 / STEL 200',
      { metric: 'gas', gas: 'CO', unit: 'ppm' },
      [
        'gas-low p3 high 30',
        'gas-high p1 high 200 latched',
        'gas-twa p2 high 30',
        'gas-stel p2 high 200',
        'rate-of-rise p2 high 30',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'H2S ppm: TWA 10 / STEL 15',
      { metric: 'gas', gas: 'H2S', unit: 'ppm' },
      [
        'gas-low p3 high 10',
        'gas-high p1 high 15 latched',
        'gas-twa p2 high 10',
        'gas-stel p2 high 15',
        'rate-of-rise p2 high 10',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'HCN (ceiling only): gas-low at half the ceiling, gas-high at the ceiling, no TWA/STEL',
      { metric: 'gas', gas: 'HCN', unit: 'ppm' },
      [
        'gas-low p3 high 2.35',
        'gas-high p1 high 4.7 latched',
        'rate-of-rise p2 high 2.35',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'O2 %vol: strict low 19.5 and high 23.5',
      { metric: 'gas', gas: 'O2', unit: '%vol' },
      ['o2-low p2 low! 19.5', 'o2-high p2 high! 23.5', 'sensor-fault p2 bool 1', 'stale p3 high 3'],
    ],
    [
      'flame: p1 latched at 1',
      { metric: 'flame', unit: 'bool' },
      ['flame p1 bool 1 latched', 'sensor-fault p2 bool 1', 'stale p3 high 3'],
    ],
    [
      'smoke: p1 latched at 1',
      { metric: 'smoke', unit: 'bool' },
      ['smoke p1 bool 1 latched', 'sensor-fault p2 bool 1', 'stale p3 high 3'],
    ],
    [
      'temperature C with a range: temperature-high and over-range',
      { metric: 'temperature', unit: 'C', range: { min: -20, max: 120 } },
      ['temperature-high p2 high 60', 'over-range p2 high! 120', 'sensor-fault p2 bool 1', 'stale p3 high 3'],
    ],
    [
      'unknown toxic gas: health rules only (no silent default; a config warning instead)',
      { metric: 'gas', gas: 'XYZ', unit: 'ppm' },
      ['sensor-fault p2 bool 1', 'stale p3 high 3'],
    ],
    [
      '#15 a gas spelled CL2 gets chlorine limits (TWA 0.5 / STEL 1), not nothing',
      { metric: 'gas', gas: 'CL2', unit: 'ppm' },
      [
        'gas-low p3 high 0.5',
        'gas-high p1 high 1 latched',
        'gas-twa p2 high 0.5',
        'gas-stel p2 high 1',
        'rate-of-rise p2 high 0.5',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      '#15 CO2, O3 and benzene are in the table (the edge had no local default for them)',
      { metric: 'gas', gas: 'C6H6', unit: 'ppm' },
      [
        'gas-low p3 high 0.5',
        'gas-high p1 high 2.5 latched',
        'gas-twa p2 high 0.5',
        'gas-stel p2 high 2.5',
        'rate-of-rise p2 high 0.5',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'CO2 in %vol: the ppm limits converted (TWA 0.5 %vol, STEL 3 %vol)',
      { metric: 'gas', gas: 'CO2', unit: '%vol' },
      [
        'gas-low p3 high 0.5',
        'gas-high p1 high 3 latched',
        'gas-twa p2 high 0.5',
        'gas-stel p2 high 3',
        'rate-of-rise p2 high 0.5',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'methane in ppm: 10 / 25 %LEL of its 4.4 %vol LEL (4,400 / 11,000 ppm)',
      { metric: 'gas', gas: 'methane', unit: 'ppm' },
      [
        'gas-low p3 high 4400',
        'gas-high p1 high 11000 latched',
        'rate-of-rise p2 high 2200',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
    [
      'a gas sensor in %LEL needs no table entry: the unit says it is combustible',
      { metric: 'gas', gas: 'VOC', unit: '%LEL' },
      [
        'gas-low p3 high 10',
        'gas-high p1 high 25 latched',
        'rate-of-rise p2 high 5',
        'sensor-fault p2 bool 1',
        'stale p3 high 3',
      ],
    ],
  ];
  for (const [name, desc, want] of table) {
    it(name, () => assert.deepEqual(defaultRules(desc).map(brief), want));
  }

  it('gives every rule a deadband and delays; windows for TWA and STEL', () => {
    const co = defaultRules({ metric: 'gas', gas: 'co', unit: 'ppm' });
    assert.equal(byType(co, 'gas-twa').windowMs, TWA_WINDOW_MS);
    assert.equal(byType(co, 'gas-stel').windowMs, STEL_WINDOW_MS);
    assert.equal(byType(co, 'gas-low').deadband, 3);
    const ch4 = defaultRules({ metric: 'gas', gas: 'CH4', unit: '%LEL' });
    assert.deepEqual(
      ch4.filter((r) => r.type.startsWith('gas-')).map((r) => [r.deadband, r.onDelayMs, r.offDelayMs]),
      [
        [2, 3000, 5000],
        [2, 1000, 5000],
      ],
    );
  });
});

describe('resolveRules', () => {
  const ch4 = { metric: 'gas', gas: 'CH4', unit: '%LEL' };
  it('overrides fields of a default rule and keeps the rest', () => {
    const rules = resolveRules(ch4, [{ type: 'gas-high', setpoint: 20, latched: false, onDelayMs: 0 }]);
    const high = byType(rules, 'gas-high');
    assert.deepEqual([high.setpoint, high.latched, high.onDelayMs, high.deadband, high.priority], [20, false, 0, 2, 1]);
    assert.equal(byType(rules, 'gas-low').setpoint, 10);
  });
  it('disables a rule', () => {
    assert.equal(byType(resolveRules(ch4, [{ type: 'rate-of-rise', enabled: false }]), 'rate-of-rise').enabled, false);
  });
  it('adds a rule of a known type the sensor has no default for (an unknown gas gets its limits)', () => {
    const rules = resolveRules({ metric: 'gas', gas: 'XYZ', unit: 'ppm' }, [
      { type: 'gas-high', setpoint: 50 },
      { type: 'gas-low', setpoint: 20, priority: 4 },
    ]);
    assert.deepEqual(rules.filter((r) => r.type.startsWith('gas-')).map(brief), [
      'gas-high p1 high 50 latched',
      'gas-low p4 high 20',
    ]);
  });
  it('#15 an override of an unknown type (e.g. "twa") is an error, never a new alarm type', () => {
    assert.throws(() => resolveRules(ch4, [{ type: 'twa', setpoint: 10 }]), /unknown rule type 'twa'/);
  });
  it('rejects an added rule without a setpoint', () => {
    assert.throws(
      () => resolveRules({ metric: 'gas', gas: 'XYZ', unit: 'ppm' }, [{ type: 'gas-high' }]),
      /needs a setpoint/,
    );
  });
  it("layers the admin's overrides on the agent's, field by field", () => {
    const merged = mergeOverrides(
      [
        { type: 'gas-high', setpoint: 20, deadband: 1 },
        { type: 'gas-low', setpoint: 8 },
      ],
      [
        { type: 'gas-high', setpoint: 18 },
        { type: 'rate-of-rise', enabled: false },
      ],
    );
    assert.deepEqual(merged, [
      { type: 'gas-high', setpoint: 18, deadband: 1 },
      { type: 'gas-low', setpoint: 8 },
      { type: 'rate-of-rise', enabled: false },
    ]);
  });
  it('does not share rule objects between sensors', () => {
    const a = resolveRules(ch4, [{ type: 'gas-low', setpoint: 5 }]);
    const b = resolveRules(ch4, []);
    assert.equal(byType(a, 'gas-low').setpoint, 5);
    assert.equal(byType(b, 'gas-low').setpoint, 10);
  });
});
