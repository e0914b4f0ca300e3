/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, arrays in order,
 * `undefined` members omitted (as JSON.stringify does). Signatures are computed over these bytes,
 * so the same document always signs to the same input whatever order its keys were written in.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonical: non-finite number');
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      }
      const rec = value as Record<string, unknown>;
      const keys = Object.keys(rec)
        .filter((k) => rec[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`canonical: cannot encode ${typeof value}`);
  }
}

/**
 * The configuration version: a short content hash of the document without its own `version`
 * field, so re-rendering unchanged inputs yields the same version and any edit a new one.
 */
export function contentVersion(document: Record<string, unknown>): string {
  const { version: _ignored, ...rest } = document;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex').slice(0, 16);
}
