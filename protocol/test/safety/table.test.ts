/**
 * The safety table itself (issue 15): gas lookup by formula, alias and letter case; rule types
 * are CONTRACT alarm types and each has an evaluation; the module stays browser-safe; the agent's
 * `sensors` report decodes; typed rule checks name the field with a reason.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decode } from '../../src/decode.js';
import { DecodeError } from '../../src/json.js';
import {
  checkRules,
  classifyReading,
  configWarnings,
  convertConcentration,
  GASES,
  gasInfo,
  judgedValue,
  RULE_TYPE_INFO,
  RULE_TYPES,
  resolveRules,
  ruleTypesFor,
  sensorClass,
} from '../../src/safety/index.js';
import { ALARM_TYPES } from '../../src/schemas/alarm-vocab.js';

describe('gas table', () => {
  it('#15 finds a gas by formula, alias and any letter case (CL2, cl2, HCL, methane, LNG)', () => {
    assert.equal(gasInfo('CL2')?.formula, 'Cl2');
    assert.equal(gasInfo('cl2')?.formula, 'Cl2');
    assert.equal(gasInfo('HCL')?.formula, 'HCl');
    assert.equal(gasInfo('methane')?.formula, 'CH4');
    assert.equal(gasInfo('LNG')?.formula, 'CH4');
    assert.equal(gasInfo('XYZ'), undefined);
  });
  it('has the Korean limits of the notice for the gases the three old copies disagreed on', () => {
    const lim = (f: keyof typeof GASES) => {
      const g = GASES[f] as { twa?: number; stel?: number; ceiling?: number };
      return [g.twa, g.stel, g.ceiling];
    };
    assert.deepEqual(lim('CO2'), [5000, 30000, undefined]);
    assert.deepEqual(lim('O3'), [0.08, 0.2, undefined]);
    assert.deepEqual(lim('C6H6'), [0.5, 2.5, undefined]);
    assert.deepEqual(lim('HCN'), [undefined, undefined, 4.7]);
    assert.ok(Object.values(GASES).every((g) => g.nameKo.length > 0));
  });
  it('classes sensors by metric, gas and unit', () => {
    assert.equal(sensorClass({ metric: 'gas', gas: 'CH4', unit: '%LEL' }), 'combustible');
    assert.equal(sensorClass({ metric: 'gas', gas: 'VOC', unit: '%LEL' }), 'combustible');
    assert.equal(sensorClass({ metric: 'gas', gas: 'co', unit: 'ppm' }), 'toxic');
    assert.equal(sensorClass({ metric: 'gas', gas: 'O2', unit: '%vol' }), 'oxygen');
    assert.equal(sensorClass({ metric: 'gas', gas: 'XYZ', unit: 'ppm' }), 'unknown-gas');
    assert.equal(sensorClass({ metric: 'flame', unit: 'bool' }), 'flame');
    assert.equal(sensorClass({ metric: 'flame', unit: 'C' }), 'unsupported');
  });
  it('converts %LEL, %vol and ppm by the gas LEL', () => {
    assert.equal(convertConcentration(50, '%LEL', '%vol', 'CH4'), 2.2);
    assert.equal(convertConcentration(1, '%vol', 'ppm'), 10_000);
    assert.equal(convertConcentration(10, '%LEL', 'ppm', 'Cl2'), undefined);
  });
});

describe('rule types', () => {
  it('are alarm types of the contract, each with an evaluation and a priority', () => {
    for (const t of RULE_TYPES) {
      assert.ok((ALARM_TYPES as readonly string[]).includes(t), t);
      assert.ok(RULE_TYPE_INFO[t].evaluation && RULE_TYPE_INFO[t].priority, t);
    }
  });
  it('apply by sensor class (what the admin form offers)', () => {
    assert.deepEqual(ruleTypesFor({ metric: 'gas', gas: 'CH4', unit: '%LEL' }), [
      'gas-low',
      'gas-high',
      'rate-of-rise',
      'sensor-fault',
      'stale',
    ]);
    assert.deepEqual(ruleTypesFor({ metric: 'gas', gas: 'O2', unit: '%vol' }), [
      'o2-low',
      'o2-high',
      'sensor-fault',
      'stale',
    ]);
    assert.ok(ruleTypesFor({ metric: 'gas', gas: 'CO', unit: 'ppm' }).includes('gas-twa'));
  });
  it('the module is browser-safe: no Node modules, no schema library', () => {
    const dir = new URL('../../src/safety/', import.meta.url).pathname;
    for (const f of readdirSync(dir)) {
      for (const m of readFileSync(dir + f, 'utf8').matchAll(/from '([^']+)'/g))
        assert.match(m[1], /^\.\/[\w-]+\.js$/, `${f} imports ${m[1]}`);
    }
  });
});

describe('checkRules (typed rules: the API and the signed config run the same checks)', () => {
  const ch4 = { metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 } };
  const co = { metric: 'gas', gas: 'CO', unit: 'ppm', range: { min: 0, max: 500 } };
  const table: [string, object, object[], string, string][] = [
    ['#15 the form\'s old "twa" type', ch4, [{ type: 'twa', setpoint: 10 }], 'rules.0.type', 'unknown-type'],
    ['a type that does not fit the sensor', ch4, [{ type: 'o2-low', setpoint: 10 }], 'rules.0.type', 'not-applicable'],
    ['a setpoint outside the range', ch4, [{ type: 'gas-high', setpoint: 120 }], 'rules.0.setpoint', 'outside-range'],
    ['gas-low above the default gas-high', ch4, [{ type: 'gas-low', setpoint: 30 }], 'rules.0.setpoint', 'order'],
    [
      'gas-low above an overridden gas-high',
      ch4,
      [
        { type: 'gas-high', setpoint: 15 },
        { type: 'gas-low', setpoint: 20 },
      ],
      'rules.1.setpoint',
      'order',
    ],
    ['a TWA above its STEL', co, [{ type: 'gas-twa', setpoint: 250 }], 'rules.0.setpoint', 'order'],
    ['a duplicate type', ch4, [{ type: 'gas-high' }, { type: 'gas-high' }], 'rules.1.type', 'duplicate-type'],
    ['a setpoint on sensor-fault', ch4, [{ type: 'sensor-fault', setpoint: 1 }], 'rules.0.setpoint', 'no-setpoint'],
    [
      "an unknown gas's gas-high without a setpoint",
      { metric: 'gas', gas: 'XYZ', unit: 'ppm' },
      [{ type: 'gas-high' }],
      'rules.0.setpoint',
      'setpoint-required',
    ],
  ];
  for (const [name, sensor, rules, path, reason] of table) {
    it(name, () => {
      const got = checkRules(sensor as typeof ch4, rules as { type: string }[]);
      assert.deepEqual(
        got.map((p) => [p.path, p.reason]),
        [[path, reason]],
        JSON.stringify(got),
      );
    });
  }
  it('accepts good overrides, and an unknown gas with limits loses its warning', () => {
    assert.deepEqual(
      checkRules(ch4, [
        { type: 'gas-high', setpoint: 20 },
        { type: 'rate-of-rise', enabled: false },
      ]),
      [],
    );
    const xyz = { metric: 'gas', gas: 'XYZ', unit: 'ppm' };
    assert.deepEqual(configWarnings(xyz, resolveRules(xyz)), ['unknown-gas']);
    assert.deepEqual(configWarnings(xyz, resolveRules(xyz, [{ type: 'gas-high', setpoint: 50 }])), []);
  });
});

describe('reading verdicts', () => {
  const range = { range: { min: 0, max: 100 } };
  it('#15 over-range is above every high setpoint; under-range below every low one; other faults say nothing', () => {
    assert.equal(classifyReading(range, { value: 150, quality: 'good' }), 'over-range');
    assert.equal(classifyReading(range, { value: 100, quality: 'fault', fault: 'OVR' }), 'over-range');
    assert.equal(classifyReading(range, { value: -11, quality: 'good' }), 'under-range');
    assert.equal(classifyReading(range, { value: 0, quality: 'fault', fault: 'E07' }), 'fault');
    assert.equal(classifyReading(range, { value: 5, quality: 'stale' }), 'stale');
    assert.equal(judgedValue({ direction: 'high' }, 'over-range', 100), Number.POSITIVE_INFINITY);
    assert.equal(judgedValue({ direction: 'low' }, 'over-range', 100), undefined);
    assert.equal(judgedValue({ direction: 'low' }, 'under-range', 0), Number.NEGATIVE_INFINITY);
    assert.equal(judgedValue({ direction: 'high' }, 'under-range', 0), undefined);
    assert.equal(judgedValue({ direction: 'high' }, 'fault', 0), undefined);
  });
});

describe("the agent's sensors report (retained topic `sensors`)", () => {
  const report = {
    agentId: 'a1',
    configVersion: 'v1',
    ts: 1_763_900_000_000,
    sensors: [
      { sensorId: 's-1', metric: 'gas', gas: 'CH4', unit: '%LEL', range: { min: 0, max: 100 }, source: 'config' },
    ],
  };
  it('decodes, and a report naming another agent is refused', () => {
    const m = decode('gwanje/v1/suwon/a1/sensors', JSON.stringify(report));
    assert.equal(m.scope === 'agent' && m.kind, 'sensors');
    assert.throws(
      () => decode('gwanje/v1/suwon/a2/sensors', JSON.stringify(report)),
      (e: unknown) => e instanceof DecodeError && e.reason === 'agent-mismatch',
    );
    assert.throws(
      () => decode('gwanje/v1/suwon/a1/sensors', JSON.stringify({ ...report, sensors: [{ sensorId: 's-1' }] })),
      (e: unknown) => e instanceof DecodeError && e.reason === 'schema',
    );
  });
});
