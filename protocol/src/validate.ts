/**
 * One Ajv instance; every schema compiled once at first use and cached. Errors are reported as
 * `path: message` lines (HOUSE_STYLE "Configuration"), the same format the HTTP 400s use.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const ajv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false }));

const cache = new WeakMap<TSchema, ValidateFunction>();

export function compiled(schema: TSchema): ValidateFunction {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  return fn;
}

/** Formats Ajv errors as `path: message`, path being a JSON pointer-ish dotted path ('' = root). */
export function formatErrors(errors: ErrorObject[] | null | undefined, root = ''): string[] {
  if (!errors) return [];
  const out = new Set<string>();
  for (const e of errors) {
    let path = root + e.instancePath.replace(/\//g, '.').replace(/^\./, root ? '.' : '');
    if (e.keyword === 'required') path = path ? `${path}.${e.params.missingProperty}` : e.params.missingProperty;
    if (e.keyword === 'additionalProperties') {
      const key = e.params.additionalProperty;
      out.add(`${path ? `${path}.` : ''}${key}: unknown key`);
      continue;
    }
    // Unions produce one error per branch; the literal branches read better collapsed.
    const msg = e.keyword === 'const' ? `must be ${JSON.stringify(e.params.allowedValue)}` : (e.message ?? 'invalid');
    out.add(`${path || '(root)'}: ${msg}`);
  }
  return collapseUnions([...out]);
}

function collapseUnions(lines: string[]): string[] {
  const byPath = new Map<string, string[]>();
  for (const l of lines) {
    const i = l.indexOf(': ');
    const p = l.slice(0, i);
    const arr = byPath.get(p) ?? [];
    arr.push(l.slice(i + 2));
    byPath.set(p, arr);
  }
  const out: string[] = [];
  for (const [p, msgs] of byPath) {
    const consts = msgs.filter((m) => m.startsWith('must be "') || /^must be \d/.test(m));
    if (consts.length > 1) {
      const rest = msgs.filter((m) => !consts.includes(m) && m !== 'must match a schema in anyOf');
      out.push(`${p}: must be one of ${consts.map((c) => c.slice(8)).join(', ')}`);
      for (const r of rest) out.push(`${p}: ${r}`);
    } else {
      for (const m of msgs) if (m !== 'must match a schema in anyOf' || msgs.length === 1) out.push(`${p}: ${m}`);
    }
  }
  return out;
}

export class ValidationError extends Error {
  constructor(
    readonly errors: string[],
    readonly field: string,
  ) {
    super(errors.join('; '));
    this.name = 'ValidationError';
  }
}

/** Validates and returns the typed value, or throws ValidationError listing every `path: message`. */
export function check<T extends TSchema>(schema: T, value: unknown): Static<T> {
  const fn = compiled(schema);
  if (fn(value)) return value as Static<T>;
  const errors = formatErrors(fn.errors);
  const field = errors[0]?.slice(0, errors[0].indexOf(':')) ?? '(root)';
  throw new ValidationError(errors, field);
}

/** Non-throwing form: `{ok:true,value}` or `{ok:false,errors}`. */
export function validate<T extends TSchema>(
  schema: T,
  value: unknown,
): { ok: true; value: Static<T> } | { ok: false; errors: string[] } {
  const fn = compiled(schema);
  if (fn(value)) return { ok: true, value: value as Static<T> };
  return { ok: false, errors: formatErrors(fn.errors) };
}
