/**
 * One error shape for every response (CONTRACT "Errors"): `{"error":{"code","message"}}`, plus
 * `field` on a 400 that names the offending field. Whatever is thrown, the client gets a fitting
 * 4xx/5xx and the process carries on (HOUSE_STYLE "a bad request becomes an error response").
 */
import { type ApiErrorWhy, DecodeError, ValidationError } from '@gwanje/protocol';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AuthError } from '../auth/errors.js';
import { CommandError } from '../broker/commands.js';
import { NoOwnerError } from '../cluster/ownership.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** Extra, machine-readable keys of the error body (e.g. a rule problem's reason and params). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Issue 21: the stable reason of a refusal and the values its sentence needs (console i18n). */
export type Why = ApiErrorWhy;

const whyOf = (why?: Why): Record<string, unknown> | undefined =>
  why && { reason: why.reason, ...(why.params ? { params: why.params } : {}) };

/** A 400 naming the field; without a reason it is `field-invalid` (the console still says which field). */
export const badRequest = (field: string, msg: string, why?: Why): HttpError =>
  new HttpError(
    400,
    'bad-request',
    `${field}: ${msg}`,
    field,
    whyOf(why ?? { reason: 'field-invalid', params: { field } }),
  );
export const notFound = (what: string, why?: Why): HttpError =>
  new HttpError(404, 'not-found', `${what} not found`, undefined, whyOf(why));
export const forbidden = (msg: string, why?: Why): HttpError =>
  new HttpError(403, 'forbidden', msg, undefined, whyOf(why));
/** Any other status with a reason. */
export const refused = (status: number, code: string, msg: string, why: Why, field?: string): HttpError =>
  new HttpError(status, code, msg, field, whyOf(why));

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  field?: string,
  extra?: Record<string, unknown>,
): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { ...extra, code, message, ...(field ? { field } : {}) } });
}

function hasNumber(o: object, k: string): boolean {
  return typeof (o as Record<string, unknown>)[k] === 'number';
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message, err.field, err.extra);
    if (err instanceof AuthError) {
      if (err.retryAfterS !== undefined) res.setHeader('Retry-After', String(Math.max(1, err.retryAfterS)));
      const field = err.code === 'bad-request' ? err.message.slice(0, err.message.indexOf(':')) : undefined;
      return sendError(res, err.status, err.code, err.message, field || undefined);
    }
    if (err instanceof NoOwnerError) {
      // Issue 19: the site's owner is gone and no instance took it over in time; nothing was applied.
      res.setHeader('Retry-After', String(err.retryAfterS));
      return sendError(res, 503, 'unavailable', err.message, undefined, {
        reason: 'no-owner',
        params: { siteId: err.siteId },
      });
    }
    if (err instanceof CommandError) {
      // A command to an edge agent that is offline (not sent) or did not answer: not the center's fault.
      if (err.kind === 'refused') return sendError(res, 502, 'agent-error', err.message);
      res.setHeader('Retry-After', err.kind === 'offline' ? '10' : '2');
      return sendError(res, 503, 'unavailable', err.message, undefined, {
        reason: err.kind === 'offline' ? 'agent-offline' : 'agent-no-answer',
        params: { agentId: err.agentId },
      });
    }
    if (err instanceof ValidationError)
      return sendError(res, 400, 'bad-request', err.errors.join('; '), err.field, {
        reason: 'field-invalid',
        params: { field: err.field },
      });
    if (err instanceof DecodeError) return sendError(res, 400, 'bad-request', `body: ${err.message}`, 'body');
    if (err instanceof Error && err.name === 'AlarmActionError') {
      // detection's AlarmActionError codes: not-found, bad-args, invalid-state (ISA-18.2 state forbids it).
      const code = (err as Error & { code?: unknown }).code;
      const status = code === 'not-found' ? 404 : code === 'bad-args' ? 400 : 409;
      return sendError(res, status, typeof code === 'string' ? code : 'conflict', err.message);
    }
    // body-parser (express.raw) errors carry status and type.
    if (err instanceof Error && hasNumber(err, 'status')) {
      const status = (err as Error & { status: number }).status;
      const type = (err as Error & { type?: unknown }).type;
      if (status === 413) return sendError(res, 413, 'payload-too-large', 'body: larger than the limit');
      if (status >= 400 && status < 500) {
        return sendError(
          res,
          status,
          typeof type === 'string' ? type.replace(/\./g, '-') : 'bad-request',
          `body: ${err.message}`,
        );
      }
    }
    log.error(
      { err: err instanceof Error ? err.message : String(err), method: req.method, path: req.path },
      'http: unhandled error',
    );
    sendError(res, 500, 'internal', 'internal error');
  };
}
