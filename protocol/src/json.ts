/**
 * Safe JSON for untrusted bytes: strict UTF-8, a size cap, then an iterative walk that rejects
 * prototype-polluting keys, non-finite numbers (JSON.parse turns 1e400 into Infinity) and
 * nesting deeper than any contract payload needs. Pure; no I/O.
 */

export type RejectReason =
  | 'oversize'
  | 'utf8'
  | 'json'
  | 'depth'
  | 'forbidden-key'
  | 'non-finite'
  | 'topic'
  | 'schema'
  | 'agent-mismatch';

export class DecodeError extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'DecodeError';
  }
}

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_DEPTH = 16;
export const DEFAULT_MAX_BYTES = 256 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function bytesToText(bytes: Uint8Array | string, maxBytes = DEFAULT_MAX_BYTES): string {
  if (typeof bytes === 'string') {
    if (bytes.length > maxBytes) throw new DecodeError('oversize', `${bytes.length} chars > ${maxBytes}`);
    return bytes;
  }
  if (bytes.byteLength > maxBytes) throw new DecodeError('oversize', `${bytes.byteLength} bytes > ${maxBytes}`);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DecodeError('utf8', 'payload is not valid UTF-8');
  }
}

/** Throws DecodeError unless `value` is a plain JSON tree free of forbidden keys and non-finite numbers. */
export function inspectTree(value: unknown, maxDepth = MAX_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new DecodeError('non-finite', 'number out of range');
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) throw new DecodeError('depth', `nesting deeper than ${maxDepth}`);
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw new DecodeError('forbidden-key', `key "${key}" is not allowed`);
      stack.push([(v as Record<string, unknown>)[key], depth + 1]);
    }
  }
}

/** Parses untrusted bytes into a JSON value, or throws DecodeError with the reason. */
export function parseJson(bytes: Uint8Array | string, maxBytes = DEFAULT_MAX_BYTES): unknown {
  const text = bytesToText(bytes, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError('json', (err as Error).message.slice(0, 120));
  }
  inspectTree(value);
  return value;
}
