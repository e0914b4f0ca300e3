/** Line protocol of a reading: table of inputs and the exact line InfluxDB receives. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linesOf, readingLine } from '../../src/store/timeseries-line.js';
import type { StoredReading } from '../../src/store/types.js';

const base: StoredReading = {
  siteId: 'suwon',
  agentId: 'suwon-a1',
  sensorId: 'suwon-ch4-1',
  metric: 'gas',
  gas: 'CH4',
  unit: '%LEL',
  value: 12.5,
  ts: 1763900000000,
  quality: 'good',
};

const cases: [string, Partial<StoredReading>, string | RegExp | null][] = [
  [
    'gas reading, tags in key order; a good reading carries no quality field (absent = good)',
    {},
    'reading,agentId=suwon-a1,gas=CH4,metric=gas,sensorId=suwon-ch4-1,siteId=suwon,unit=%LEL value=12.5 1763900000000',
  ],
  [
    'no gas tag for a flame detector; integer value stays a float field',
    { metric: 'flame', gas: undefined, unit: 'bool', value: 1, quality: 'fault', sensorId: 'suwon-flame-1' },
    'reading,agentId=suwon-a1,metric=flame,sensorId=suwon-flame-1,siteId=suwon,unit=bool quality="fault",value=1 1763900000000',
  ],
  [
    'tag values with comma, space and equals are escaped',
    { siteId: 'a b,c=d' },
    'reading,agentId=suwon-a1,gas=CH4,metric=gas,sensorId=suwon-ch4-1,siteId=a\\ b\\,c\\=d,unit=%LEL value=12.5 1763900000000',
  ],
  [
    'a stale reading keeps its quality',
    { quality: 'stale' },
    'reading,agentId=suwon-a1,gas=CH4,metric=gas,sensorId=suwon-ch4-1,siteId=suwon,unit=%LEL quality="stale",value=12.5 1763900000000',
  ],
  ['negative and tiny values use exponent notation', { value: -1e-7 }, / value=-1e-7 1763900000000$/],
  ['a fractional ts is rounded to whole ms', { ts: 1763900000000.6 }, / 1763900000001$/],
  ['NaN is not representable', { value: Number.NaN }, null],
  ['Infinity is not representable', { value: Number.POSITIVE_INFINITY }, null],
];

for (const [name, patch, want] of cases) {
  test(`line protocol: ${name}`, () => {
    const line = readingLine({ ...base, ...patch });
    if (want instanceof RegExp) assert.match(line ?? '', want);
    else assert.equal(line, want);
  });
}

test('linesOf joins lines, reports the earliest ts and what it skipped', () => {
  const r = linesOf([
    { ...base, ts: base.ts + 5 },
    { ...base, value: Number.NaN },
    { ...base, ts: base.ts + 1 },
  ]);
  assert.equal(r.body.split('\n').length, 2);
  assert.equal(r.minTs, base.ts + 1);
  assert.equal(r.skipped, 1);
});
