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
  // Recursive on purpose: the depth is capped (16), and unlike an explicit stack of [value, depth]
  // pairs it allocates nothing per node; telemetry is thousands of nodes a message (issue 18).
  inspect(value, 0, maxDepth);
}

function inspect(v: unknown, depth: number, maxDepth: number): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DecodeError('non-finite', 'number out of range');
    return;
  }
  if (v === null || typeof v !== 'object') return;
  if (depth >= maxDepth) throw new DecodeError('depth', `nesting deeper than ${maxDepth}`);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) inspect(v[i], depth + 1, maxDepth);
    return;
  }
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    if (FORBIDDEN_KEYS.has(key)) throw new DecodeError('forbidden-key', `key "${key}" is not allowed`);
    inspect((v as Record<string, unknown>)[key], depth + 1, maxDepth);
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
