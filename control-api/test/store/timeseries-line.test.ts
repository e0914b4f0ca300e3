/** Line protocol of a reading: table of inputs and the exact line InfluxDB receives. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linesOf, readingLine, SeriesKeys } from '../../src/store/timeseries-line.js';
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
  assert.equal(r.bytes.toString().split('\n').length, 3); // two lines, each ending with a newline
  assert.ok(r.bytes.toString().endsWith('\n'));
  assert.equal(r.minTs, base.ts + 1);
  assert.equal(r.skipped, 1);
});

// Issue 18: batches leave linesOf as UTF-8 bytes built with cached series keys. Each line
// must be exactly what the one-line encoder (readingLine) gives, for names that need escaping,
// non-ASCII names, every quality, and the same sensor seen again with other tags.
const tricky: Partial<StoredReading>[] = [
  { siteId: 'a b,c=d' },
  { agentId: 'back\\slash' },
  { sensorId: 'line\nbreak', unit: 'ppm', gas: 'H2S' },
  { siteId: '수원' },
  { gas: 'CO "x"', quality: 'fault' },
  { quality: 'stale', value: -1e-7 },
  { value: 1e21, ts: 1763900000000.6 },
  { value: Number.NaN },
  { value: 5e-324 },
  { gas: undefined, metric: 'flame', unit: 'bool', value: 1 },
  { siteId: 'other' }, // the first sensor again, now at another site: a fresh key
  {},
];

test('linesOf writes exactly the lines of readingLine for tricky names, across batches', () => {
  const keys = new SeriesKeys();
  const batch = tricky.map((p, i) => ({ ...base, ts: base.ts + i, ...p }));
  const want = batch.map(readingLine).filter((l): l is string => l !== null);
  // Twice through one cache: the second pass is all cache hits.
  for (let pass = 0; pass < 2; pass++) {
    const r = linesOf(batch, keys);
    assert.equal(r.bytes.toString('utf8'), `${want.join('\n')}\n`);
    assert.equal(r.count, want.length);
    assert.equal(r.skipped, 1);
  }
  // A slice of the batch.
  assert.equal(linesOf(batch, keys, 3, 5).bytes.toString('utf8'), `${want.slice(3, 5).join('\n')}\n`);
});
