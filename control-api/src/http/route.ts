/**
 * The route table mechanics: every API route is declared once as a `RouteSpec` naming its
 * method, path, who may call it and its body schema. `mount` wraps each handler with the same
 * steps (authenticate, permission, parse + validate body) so no route can skip them, and the
 * authorization matrix test compares the mounted routes with its own table.
 */
import { check, DecodeError, EmptyBody, parseJson } from '@gwanje/protocol';
import type { Static, TSchema } from '@sinclair/typebox';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AuthError } from '../auth/errors.js';
import type { MediaScope } from '../auth/media-tickets.js';
import { can, minimumRole, type Permission, type Principal } from '../auth/permissions.js';
import type { HttpDeps } from './deps.js';
import { badRequest, HttpError } from './errors.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** 'public': no token; 'any': any valid token; otherwise a permission of the role table. */
export type Access = 'public' | 'any' | Permission;

export interface Ctx<B = unknown> {
  req: Request;
  res: Response;
  deps: HttpDeps;
  principal: Principal;
  body: B;
  /** The request body as bytes, for `rawBodyLimit` routes (empty otherwise). */
  raw: Buffer;
  ip: string;
}

export interface RouteSpec<S extends TSchema = TSchema> {
  method: Method;
  path: string;
  access: Access;
  /** JSON body schema (POST/PATCH). Absent: the request must have no body. */
  body?: S;
  /**
   * The body is bytes, not JSON (an uploaded image, issue 21), up to this many bytes; the handler
   * gets it as `ctx.raw` and checks it itself.
   */
  rawBodyLimit?: number;
  /** Query parameters the route reads; any other is a 400 (a typo must not silently widen a list). */
  query?: readonly string[] | 'any';
  /**
   * Media a browser loads by URL (<video src>, a link) cannot carry a header: also accept
   * `?token=`, as CONTRACT's /video routes do.
   */
  tokenInQuery?: boolean;
  /**
   * Also accept `?ticket=`: a media ticket (CONTRACT `POST /api/v1/video/tickets`) for the camera
   * or clip this returns from the request. How a console opens media without its API token in a URL.
   */
  ticket?: (req: Request) => MediaScope;
  /** Also accept a text body of this content type (e.g. text/csv): handed over as a string. */
  textBody?: RegExp;
  /** Extra middleware before the guard (e.g. the login rate limit). */
  before?: express.RequestHandler[];
  /** Returns the JSON to send with 200, or `{status, json}`; `undefined` when it answered itself. */
  handle(ctx: Ctx<Static<S>>): Promise<unknown>;
}

export const route = <S extends TSchema>(spec: RouteSpec<S>): RouteSpec => spec as unknown as RouteSpec;

export class Reply {
  constructor(
    readonly status: number,
    readonly json?: unknown,
  ) {}
}

const ANONYMOUS: Principal = { username: 'anonymous', role: 'viewer', sites: [], jti: '' };

export function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(h.trim());
  return m?.[1];
}

async function authenticate(deps: HttpDeps, req: Request, spec: RouteSpec): Promise<Principal> {
  const { token: q, ticket } = req.query as Record<string, unknown>;
  const token = bearer(req) ?? (spec.tokenInQuery && typeof q === 'string' && q.length <= 4096 ? q : undefined);
  if (token) return deps.auth.verify(token);
  if (spec.ticket && typeof ticket === 'string' && ticket.length <= 2048)
    return deps.auth.verifyMediaTicket(ticket, spec.ticket(req));
  throw new AuthError('unauthorized', 'auth: Authorization: Bearer <token> required');
}

function checkQuery(spec: RouteSpec, req: Request): void {
  if (spec.query === 'any') return;
  for (const key of Object.keys(req.query as object)) {
    if (key === 'token' && spec.tokenInQuery) continue;
    if (key === 'ticket' && spec.ticket) continue;
    if (!spec.query?.includes(key)) throw badRequest(key.slice(0, 64), 'unknown query parameter');
  }
}

function parseBody(spec: RouteSpec, req: Request): unknown {
  const raw: unknown = req.body;
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  // A route without a schema takes no body, or an empty JSON object (clients often send `{}`).
  const schema = spec.body ?? EmptyBody;
  if (bytes.length === 0) return spec.body ? check(schema, {}) : undefined;
  const type = req.headers['content-type'] ?? '';
  if (spec.textBody?.test(type)) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw badRequest('body', 'is not UTF-8 text');
    }
  }
  if (!/^application\/json\b/i.test(type))
    throw new HttpError(415, 'unsupported-media-type', 'body: send application/json');
  // parseJson: strict UTF-8, no __proto__/constructor/prototype keys, no non-finite numbers, depth cap.
  let value: unknown;
  try {
    value = parseJson(bytes, bytes.length);
  } catch (err) {
    if (err instanceof DecodeError) throw badRequest('body', err.message);
    throw err;
  }
  return check(schema, value);
}

export function mount(router: Router, deps: HttpDeps, specs: RouteSpec[], bodyLimit: number): void {
  const raw = express.raw({ type: () => true, limit: bodyLimit });
  for (const spec of specs) {
    const handler = async (req: Request, res: Response): Promise<void> => {
      let principal = ANONYMOUS;
      if (spec.access !== 'public') {
        principal = await authenticate(deps, req, spec);
        if (spec.access !== 'any' && !can(principal, spec.access)) {
          throw new AuthError('forbidden', `auth: ${spec.access} needs role ${minimumRole(spec.access)} or above`);
        }
      }
      checkQuery(spec, req);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const body = spec.rawBodyLimit ? undefined : parseBody(spec, req);
      const out = await spec.handle({ req, res, deps, principal, body, raw, ip: req.ip ?? 'unknown' });
      if (res.headersSent) return;
      if (out instanceof Reply) {
        if (out.json === undefined) res.status(out.status).end();
        else res.status(out.status).json(out.json);
      } else if (out !== undefined) res.json(out);
    };
    const chain: express.RequestHandler[] = [...(spec.before ?? [])];
    // Bodies are read as bytes (capped) so parseJson, not a lenient parser, decides what is JSON.
    if (spec.rawBodyLimit) chain.push(express.raw({ type: () => true, limit: spec.rawBodyLimit }));
    else if (spec.method !== 'get') chain.push(raw);
    router[spec.method](spec.path, ...chain, (req: Request, res: Response, next: NextFunction) => {
      handler(req, res).catch(next);
    });
  }
}
