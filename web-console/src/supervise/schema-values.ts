/**
 * Values of schema-generated forms (issue 21): read and write by path, a fresh item for an
 * "add" button, and the schema shapes the form treats specially. Pure.
 */
import type { TSchema } from '@sinclair/typebox';

export function getAt(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** A copy of `root` with `v` at `path`; `undefined` removes an object key. */
export function setAt(root: unknown, path: readonly string[], v: unknown): unknown {
  if (path.length === 0) return v;
  const [k, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    copy[Number(k)] = setAt(copy[Number(k)], rest, v);
    return copy;
  }
  const obj = root !== null && typeof root === 'object' ? { ...(root as Record<string, unknown>) } : {};
  const next = setAt(obj[k], rest, v);
  if (next === undefined) delete obj[k];
  else obj[k] = next;
  return obj;
}

export const isLiteralUnion = (s: TSchema): boolean =>
  Array.isArray(s.anyOf) && (s.anyOf as TSchema[]).every((x) => x.const !== undefined);

/** `'*' | string[]`: every site, or a list of them. */
export const isStarUnion = (s: TSchema): boolean =>
  Array.isArray(s.anyOf) &&
  (s.anyOf as TSchema[]).length === 2 &&
  (s.anyOf as TSchema[]).some((x) => x.const === '*') &&
  (s.anyOf as TSchema[]).some((x) => x.type === 'array');

/** The variants of a union of objects, or undefined. */
export function objectVariants(s: TSchema): TSchema[] | undefined {
  if (!Array.isArray(s.anyOf)) return undefined;
  const all = s.anyOf as TSchema[];
  return all.every((x) => x.type === 'object') ? all : undefined;
}

/** A starting value for a new item: required keys only, each at its simplest valid-looking value. */
export function defaultFor(s: TSchema): unknown {
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  if (isStarUnion(s)) return [];
  if (Array.isArray(s.anyOf)) return defaultFor((s.anyOf as TSchema[])[0]);
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const k of (s.required as string[] | undefined) ?? [])
        out[k] = defaultFor((s.properties as Record<string, TSchema>)[k]);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    default:
      return '';
  }
}

export interface DiffLine {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Leaf-level differences between two JSON documents (config drift), by dotted path. */
export function jsonDiff(before: unknown, after: unknown, path = ''): DiffLine[] {
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object';
  if (isObj(before) && isObj(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    if (!Array.isArray(before)) keys.sort();
    return keys.flatMap((k) => jsonDiff(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const line: DiffLine = { path: path || '(root)' };
  if (before !== undefined) line.before = before;
  if (after !== undefined) line.after = after;
  return [line];
}
