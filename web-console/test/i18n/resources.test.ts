import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAULT_CODES } from '@gwanje/protocol/safety';
import { ALARM_TYPES } from '@gwanje/protocol/schemas/alarm-vocab.js';
import { en } from '../../src/i18n/en.js';
import { initialLanguage } from '../../src/i18n/index.js';
import { ko } from '../../src/i18n/ko.js';

const keys = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
const has = (res: object, key: string): boolean => {
  const all = new Set(keys(res).map((k) => k.replace(/_(one|other)$/, '')));
  return all.has(key) || [...all].some((k) => k.startsWith(`${key}.`));
};

test('Korean and English have the same keys', () => {
  assert.deepEqual(keys(ko).sort(), keys(en).sort());
});

test('every literal t() key used in the console exists in both languages', () => {
  const src = new URL('../../src/', import.meta.url).pathname;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.tsx?$/.test(n)) files.push(p);
    }
  };
  walk(src);
  const used = new Set<string>();
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]);
    // dynamic keys: check their prefix exists
    for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(`([a-zA-Z0-9_.-]+)\.\$\{/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, `found ${used.size} keys`);
  const missing = [...used].filter((k) => !has(en, k) || !has(ko, k));
  assert.deepEqual(missing, []);
});

test('#15 every alarm type of the protocol (rule types included) has a label in both languages', () => {
  for (const res of [en, ko]) {
    assert.deepEqual(Object.keys(res.alarmType).sort(), [...ALARM_TYPES].sort());
    assert.deepEqual(Object.keys(res.safety.fault).sort(), [...Object.values(FAULT_CODES), 'quality-fault'].sort());
  }
});

test('default language: stored choice, else Korean for a Korean browser, else English', () => {
  assert.equal(initialLanguage(null, ['ko-KR', 'en']), 'ko');
  assert.equal(initialLanguage(null, ['en-US']), 'en');
  assert.equal(initialLanguage('en', ['ko-KR']), 'en');
});
