/**
 * Issue 19: a console loaded from one center instance keeps working when that instance dies, by
 * moving to another of GWANJE_CENTER_URLS (web-console/src/live/failover.ts). For that the
 * browser must be allowed to reach the other instances from this page, and only those:
 *
 * - CSP `connect-src` lists their origins and their ws:/wss: forms (review I1 kept: no wildcard).
 * - CORS on `/api/v1` and `/video` for exactly those origins: bearer tokens only (no cookies, so
 *   no `Allow-Credentials`), the preflight answered here. Any other origin gets no CORS headers,
 *   so a foreign page still cannot read an answer.
 *
 * Without GWANJE_CENTER_URLS nothing changes: same-origin only, as before.
 */
import type { RequestHandler } from 'express';

/** `http://a:1 ws://a:1` etc. for CSP connect-src. */
export function peerConnectSources(origins: readonly string[]): string[] {
  const out: string[] = [];
  for (const o of origins) out.push(o, o.replace(/^http/, 'ws'));
  return out;
}

export function peerCors(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    const ours = req.path.startsWith('/api/v1/') || req.path.startsWith('/video/');
    if (!ours || typeof origin !== 'string' || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.append('Vary', 'Origin');
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, accept');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}
