/**
 * Camera rows with their stream health (`GET /api/v1/cameras` items, `health` per issue 20), read
 * by one shared poll for the whole console: every tile overlay and the camera list subscribe, the
 * poll runs only while someone does, every `POLL_MS`. One request serves every open view, however
 * many tiles show figures.
 */
import type { CameraHealthView, CameraView } from '@gwanje/protocol/schemas/http.js';
import { useEffect, useState } from 'react';
import { api } from '../api/http.js';

/** A `GET /api/v1/cameras` item as protocol defines it, with the `health` the center adds. */
export type CameraRow = CameraView & { health?: CameraHealthView };

export interface CameraRows {
  rows: CameraRow[] | undefined;
  error: string | undefined;
  /** Wall clock of the answer (for "n s ago" against the center's timestamps). */
  at: number;
}

const POLL_MS = 3000;
const listeners = new Set<(r: CameraRows) => void>();
let last: CameraRows = { rows: undefined, error: undefined, at: 0 };
let timer: ReturnType<typeof setTimeout> | undefined;

async function poll(): Promise<void> {
  try {
    const rows = await api<CameraRow[]>('GET', '/cameras');
    last = { rows: Array.isArray(rows) ? rows : [], error: undefined, at: Date.now() };
  } catch (err) {
    last = { ...last, error: err instanceof Error ? err.message : String(err), at: Date.now() };
  }
  for (const l of listeners) l(last);
  if (listeners.size > 0) timer = setTimeout(() => void poll(), POLL_MS);
  else timer = undefined;
}

/** The shared rows while `enabled`; undefined rows until the first answer. */
export function useCameraRows(enabled = true): CameraRows {
  const [state, setState] = useState<CameraRows>(last);
  useEffect(() => {
    if (!enabled) return;
    listeners.add(setState);
    if (timer === undefined) void poll();
    else setState(last);
    return () => {
      listeners.delete(setState);
    };
  }, [enabled]);
  return state;
}

/** "12 s ago" style age of an epoch-ms instant, or undefined before the first. */
export function ageSeconds(at: number | null | undefined, now: number): number | undefined {
  return at ? Math.max(0, Math.round((now - at) / 1000)) : undefined;
}
