import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultRules, resolveRules, STEL_WINDOW_MS, TWA_WINDOW_MS } from '../../src/detection/rules.js';
import type { RuleSpec } from '../../src/detection/types.js';

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
      'unknown toxic gas: health rules only',
      { metric: 'gas', gas: 'XYZ', unit: 'ppm' },
      ['sensor-fault p2 bool 1', 'stale p3 high 3'],
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
  it('adds a custom rule with a setpoint (a -low type compares low)', () => {
    const rules = resolveRules({ metric: 'humidity', unit: '%RH' }, [
      { type: 'humidity-high', setpoint: 90, priority: 4 },
      { type: 'humidity-low', setpoint: 10 },
    ]);
    assert.deepEqual(rules.filter((r) => r.type.startsWith('humidity')).map(brief), [
      'humidity-high p4 high 90',
      'humidity-low p3 low 10',
    ]);
  });
  it('rejects a new rule without a setpoint', () => {
    assert.throws(() => resolveRules(ch4, [{ type: 'gas-weird', priority: 2 }]), /needs a setpoint/);
  });
  it('does not share rule objects between sensors', () => {
    const a = resolveRules(ch4, [{ type: 'gas-low', setpoint: 5 }]);
    const b = resolveRules(ch4, []);
    assert.equal(byType(a, 'gas-low').setpoint, 5);
    assert.equal(byType(b, 'gas-low').setpoint, 10);
  });
});
