/**
 * Query-string readers: each returns a typed value or throws a 400 naming the parameter.
 * Express 5's simple parser yields string | string[] | undefined; a repeated parameter is an error.
 */
import { ID_REGEX } from '@gwanje/protocol';
import type { Request } from 'express';
import { maySee, type Principal } from '../auth/permissions.js';
import { badRequest, forbidden } from './errors.js';

function one(req: Request, name: string): string | undefined {
  const v: unknown = (req.query as Record<string, unknown>)[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(name, 'must be given once');
  if (v.length > 512) throw badRequest(name, 'is too long');
  return v;
}

export function qString(req: Request, name: string): string | undefined {
  const v = one(req, name);
  return v === '' ? undefined : v;
}

export function qId(req: Request, name: string): string | undefined {
  const v = qString(req, name);
  if (v !== undefined && !ID_REGEX.test(v)) throw badRequest(name, 'must match ^[a-z0-9][a-z0-9-]{0,62}$');
  return v;
}

export function qInt(req: Request, name: string, min: number, max: number): number | undefined {
  const v = qString(req, name);
  if (v === undefined) return undefined;
  if (!/^-?\d{1,16}$/.test(v)) throw badRequest(name, 'must be an integer');
  const n = Number(v);
  if (n < min || n > max)
    throw badRequest(name, `must be between ${min} and ${max}`, {
      reason: 'number-out-of-range',
      params: { field: name, min, max },
    });
  return n;
}

/** Epoch ms bounded like protocol's EpochMs (years 2001..2285). */
export const qTime = (req: Request, name: string): number | undefined => qInt(req, name, 1e12, 1e13);

/** A `siteId` filter: must be in the caller's scope (403 otherwise, CONTRACT). */
export function qSite(req: Request, p: Principal): string | undefined {
  const siteId = qId(req, 'siteId');
  if (siteId !== undefined && !maySee(p, siteId)) throw outsideSites(siteId);
  return siteId;
}

/** 403 for a site the caller may not see, with the reason the console translates. */
export const outsideSites = (siteId: string) =>
  forbidden(`siteId: ${siteId} is outside your sites`, { reason: 'site-outside-scope', params: { siteId } });

const DAY_MS = 86_400_000;

/**
 * `from`/`to` (epoch ms): `to` defaults to now, `from` to `defaultSpan` before it; a 400 when
 * from is not before to or the span is longer than `maxSpan` (exports, SMS log, shift report).
 */
export function qWindow(req: Request, now: number, defaultSpan: number, maxSpan: number): { from: number; to: number } {
  const to = qTime(req, 'to') ?? now;
  const from = qTime(req, 'from') ?? to - defaultSpan;
  if (from >= to) throw badRequest('from', 'must be before to', { reason: 'time-order', params: { field: 'from' } });
  const days = Math.round(maxSpan / DAY_MS);
  if (to - from > maxSpan)
    throw badRequest('to', `the range may span at most ${days} days`, {
      reason: 'time-span',
      params: { field: 'to', days },
    });
  return { from, to };
}

/** A path id (`:id`), checked against the identifier pattern before any lookup. */
export function pathId(req: Request, name = 'id', pattern: RegExp = ID_REGEX): string {
  const v: unknown = req.params[name];
  if (typeof v !== 'string' || !pattern.test(v)) throw badRequest(name, 'is not a valid id');
  return v;
}
