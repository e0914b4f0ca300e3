/**
 * Structural diff of two configuration documents, one line per change:
 * `path: before -> after` (`(absent)` for a missing side). Arrays of objects with an id key are
 * compared by that key (`sensors[suwon-ch4-1].unit`), so inserting a sensor does not shift every
 * line after it. Secrets are masked: a changed password shows as `*** -> *** (changed)`.
 */
import { ID_KEYS } from './merge.js';

export interface Change {
  path: string;
  before?: unknown;
  after?: unknown;
}

const SECRET_KEY = /(password|secret|token|privateKey)$/i;
const ABSENT = '(absent)';
type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

function idKey(a: unknown[], b: unknown[]): string | undefined {
  const all = [...a, ...b];
  if (all.length === 0 || !all.every(isRec)) return undefined;
  return ID_KEYS.find((k) => all.every((it) => typeof (it as Rec)[k] === 'string'));
}

function walk(a: unknown, b: unknown, path: string, out: Change[]): void {
  if (a === undefined && b === undefined) return;
  if (isRec(a) && isRec(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = idKey(a, b);
    if (key) {
      const byId = (arr: unknown[]) => new Map(arr.map((it) => [(it as Rec)[key] as string, it]));
      const ma = byId(a);
      const mb = byId(b);
      for (const id of [...new Set([...ma.keys(), ...mb.keys()])]) walk(ma.get(id), mb.get(id), `${path}[${id}]`, out);
      return;
    }
    if (a.every((v) => !isRec(v) && !Array.isArray(v)) && b.every((v) => !isRec(v) && !Array.isArray(v))) {
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a, after: b });
      return;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a, after: b });
}

/** Every difference between two documents, paths sorted as walked (keys alphabetical). */
export function diffConfigs(before: unknown, after: unknown): Change[] {
  const out: Change[] = [];
  walk(before, after, '', out);
  return out;
}

function isSecretPath(path: string): boolean {
  const last = path.split('.').pop() ?? '';
  return SECRET_KEY.test(last.replace(/\[.*\]$/, ''));
}

/** Masks every secret inside a value shown in a diff line. */
function show(value: unknown, secret: boolean): string {
  if (value === undefined) return ABSENT;
  if (secret) return '***';
  return JSON.stringify(value, (k, v) => (k && SECRET_KEY.test(k) && v !== undefined ? '***' : v));
}

export function formatChange(c: Change): string {
  const secret = isSecretPath(c.path);
  const line = `${c.path || '(root)'}: ${show(c.before, secret)} -> ${show(c.after, secret)}`;
  return secret && c.before !== undefined && c.after !== undefined ? `${line} (changed)` : line;
}

export function formatDiff(changes: Change[]): string[] {
  return changes.map(formatChange);
}
