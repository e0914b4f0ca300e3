/**
 * Issue 15 "no gas or rule name defined twice": the gases, rule types and their limits live in
 * protocol/src/safety/ only. This scans the string literals of every package's sources and fails
 * on a gas name of the table (any letter case it is known by), a rule type of the table, or a
 * name that looks like a rule (gas-*, o2-*, twa, stel) anywhere else. Code that needs one reads
 * the table (GASES, RULE_TYPE_INFO, evaluationOf, FAULT_CODES, HAZARD_RULE_TYPES ...).
 *
 * Translation resources are the one exception: they must key their labels by the rule and
 * alarm types (the console's i18n, the SMS abbreviations); there every such literal must be a
 * name the table knows, so they cannot define a new one. `flame`, `smoke` and `stale` are rule
 * types and also metric / quality names, so the scan cannot tell those apart and skips them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { ALARM_TYPES, GASES, type GasInfo, RULE_TYPES } from '@gwanje/protocol';

const root = new URL('..', import.meta.url).pathname;
/** Every workspace of the root package.json (a new package is covered the day it is added). */
const PACKAGES: string[] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const TABLE_DIR = 'protocol/src/safety/';
const TRANSLATIONS = new Set([
  'web-console/src/i18n/en.ts',
  'web-console/src/i18n/ko.ts',
  'escalation/src/message.ts',
  // CAP `<event>` words per alarm type, in English and Korean (issue 21).
  'control-api/src/incident/cap.ts',
]);
/** Rule types that are also metric or quality names (flame, smoke sensors; a stale reading). */
const AMBIGUOUS = new Set(['flame', 'smoke', 'stale']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') sources(p, out);
    } else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export interface Literal {
  value: string;
  line: number;
}

/**
 * The string literals of a TypeScript source (quotes and the static parts of template
 * literals), skipping comments and regular expression literals. A small scanner: enough for
 * this code base's style, not a parser.
 */
export function stringLiterals(src: string): Literal[] {
  const out: Literal[] = [];
  let line = 1;
  let prev = '';
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\n') {
      line++;
      continue;
    }
    if (ch === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
      i--;
      continue;
    }
    if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop - 1;
      continue;
    }
    if (ch === '/' && (prev === '' || '(,=:[!&|?{};+'.includes(prev))) {
      // A regular expression literal: skip to its unescaped closing slash (outside a class).
      let inClass = false;
      for (i++; i < src.length && src[i] !== '\n'; i++) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        else if (src[i] === '/' && !inClass) break;
      }
      prev = '/';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const start = line;
      let value = '';
      for (i++; i < src.length && src[i] !== ch; i++) {
        if (src[i] === '\\') {
          value += src[i + 1];
          i++;
        } else if (ch === '`' && src[i] === '$' && src[i + 1] === '{') {
          // Interpolation: the static part so far is a literal of its own; the expression is
          // scanned for literals of its own.
          out.push({ value, line: start });
          value = '';
          let depth = 0;
          const from = i + 2;
          for (i += 2; i < src.length; i++) {
            if (src[i] === '{') depth++;
            else if (src[i] === '}' && depth-- === 0) break;
          }
          for (const inner of stringLiterals(src.slice(from, i)))
            out.push({ value: inner.value, line: line + inner.line - 1 });
        } else {
          if (src[i] === '\n') line++;
          value += src[i];
        }
      }
      out.push({ value, line: start });
      prev = 'x';
      continue;
    }
    if (!/\s/.test(ch)) prev = ch;
  }
  return out;
}

const gasNames = new Set<string>();
for (const g of Object.values(GASES) as GasInfo[]) {
  for (const n of [g.formula, ...g.aliases]) {
    gasNames.add(n);
    gasNames.add(n.toUpperCase());
  }
}
const ruleTypes = new Set<string>(RULE_TYPES.filter((t) => !AMBIGUOUS.has(t)));
const known = new Set<string>([...RULE_TYPES, ...ALARM_TYPES]);
const RULE_LIKE = [/^(gas|o2)-[a-z0-9-]+$/, /^(twa|stel)$/i];

/** Problems in one file, as `path:line: message`. */
export function scan(path: string, src: string): string[] {
  const rel = relative(root, path);
  if (rel.startsWith(TABLE_DIR)) return [];
  const translation = TRANSLATIONS.has(rel);
  const out: string[] = [];
  for (const { value, line } of stringLiterals(src)) {
    const where = `${rel}:${line}`;
    if (gasNames.has(value)) out.push(`${where}: gas name "${value}" (read it from protocol's GASES)`);
    else if (RULE_LIKE.some((re) => re.test(value)) && !known.has(value))
      out.push(`${where}: "${value}" looks like a rule type the table does not have`);
    else if (ruleTypes.has(value) && !translation)
      out.push(`${where}: rule type "${value}" spelled out (use the safety table: RULE_TYPE_INFO, evaluationOf, ...)`);
  }
  return out;
}

describe('one gas and rule vocabulary (issue 15)', () => {
  it('the scanner finds literals and skips comments and regular expressions', () => {
    const lits = stringLiterals(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the scanner's input is TypeScript source text
      "// 'CH4' in a comment\nconst a = 'CO'; /* \"H2S\" */ const r = /'x'/; const t = `${a} gas-high ${'NH3'}`;",
    ).map((l) => l.value);
    assert.deepEqual(lits, ['CO', '', ' gas-high ', 'NH3', '']);
    assert.deepEqual(
      scan(join(root, 'control-api/src/x.ts'), "const a = ['twa', 'Cl2', 'CL2', 'gas-high', 'flame'];"),
      [
        'control-api/src/x.ts:1: "twa" looks like a rule type the table does not have',
        'control-api/src/x.ts:1: gas name "Cl2" (read it from protocol\'s GASES)',
        'control-api/src/x.ts:1: gas name "CL2" (read it from protocol\'s GASES)',
        'control-api/src/x.ts:1: rule type "gas-high" spelled out (use the safety table: RULE_TYPE_INFO, evaluationOf, ...)',
      ],
    );
  });

  it('no package defines a gas or rule name outside protocol/src/safety', () => {
    const problems = PACKAGES.flatMap((p) => sources(join(root, p, 'src'))).flatMap((f) =>
      scan(f, readFileSync(f, 'utf8')),
    );
    assert.deepEqual(problems, []);
  });
});
