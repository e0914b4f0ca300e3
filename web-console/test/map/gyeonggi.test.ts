import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { geoArea, geoContains } from 'd3-geo';
import { GYEONGGI, SEOUL_LABEL } from '../../src/map/gyeonggi.js';

const EARTH_KM = 6371;

test('the outline has d3 winding (a province-sized area, not the rest of the globe)', () => {
  const km2 = geoArea(GYEONGGI) * EARTH_KM ** 2;
  // Gyeonggi-do is ~10,200 km²; a hand-simplified outline should be within ±25 %.
  assert.ok(km2 > 7600 && km2 < 12800, `area ${Math.round(km2)} km²`);
});

test('every seeded site lies inside the outline and Seoul is the hole', () => {
  const seed = JSON.parse(readFileSync(new URL('../../../seed/gyeonggi-sites.json', import.meta.url), 'utf8')) as {
    sites: { siteId: string; lat: number; lon: number }[];
  };
  assert.equal(seed.sites.length, 31);
  const outside = seed.sites.filter((s) => !geoContains(GYEONGGI, [s.lon, s.lat])).map((s) => s.siteId);
  assert.deepEqual(outside, []);
  assert.equal(geoContains(GYEONGGI, SEOUL_LABEL), false);
});
