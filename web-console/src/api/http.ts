/** The one HTTP client of the console: JSON in and out of `/api/v1` with the session's bearer token. */

import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import type { ErrorBody } from '@gwanje/protocol/schemas/http.js';
import {
  type ApiAlarmActions,
  type ApiMutation,
  type MutationBody,
  type MutationPath,
  type MutationResponse,
  mutationRequest,
} from '@gwanje/protocol/schemas/mutations.js';
import type { PathParams } from '@gwanje/protocol/schemas/routes.js';
import { onCenter } from './center.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field a 400 names (CONTRACT error body `field`). */
    readonly field?: string,
    /** Why, as data the console translates (issue 15 rule problems: `reason` and `params`). */
    readonly reason?: string,
    readonly params?: Record<string, string | number>,
    /** Seconds to wait (Retry-After) on a 429. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

/** Called when the server says the token is no longer valid (401), so the app can return to login. */
let onUnauthorized: () => void = () => {};
let token: string | null = null;

export function configureApi(opts: { token: string | null; onUnauthorized?: () => void }): void {
  token = opts.token;
  if (opts.onUnauthorized) onUnauthorized = opts.onUnauthorized;
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && 'error' in v && typeof (v as ErrorBody).error?.message === 'string';
}

/** One request with the session's token; a non-2xx answer becomes an ApiError. */
async function send(method: string, path: string, body: unknown, accept: string): Promise<string> {
  const headers: Record<string, string> = { accept };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(onCenter(`/api/v1${path}`), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.ok) return text;
  if (res.status === 401 && path !== '/auth/login') onUnauthorized();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  throw refusal(res, data);
}

/** The ApiError of a refused answer: the center's error body (code, field, reason, params), else the status. */
function refusal(res: Response, data: unknown, fallback = res.statusText): ApiError {
  const e = isErrorBody(data) ? data.error : { code: String(res.status), message: fallback };
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    e.code,
    e.message,
    e.field,
    e.reason,
    e.params,
    Number.isFinite(retry) && retry > 0 ? retry : undefined,
  );
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await send(method, path, body, 'application/json');
  if (!text) return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(200, 'bad-json', `api: ${method} ${path}: response is not JSON`);
  }
}

/** GET a document that is not JSON (the printable shift report). */
export const apiText = (path: string, accept = 'text/html'): Promise<string> => send('GET', path, undefined, accept);

/**
 * A POST/PUT/PATCH/DELETE typed from protocol's route map (issue 18): `mutate('PATCH
 * /users/:username', { params: { username }, body })` sends the body the center validates with
 * the same schema and answers that route's response type.
 */
export function mutate<K extends ApiMutation>(
  key: K,
  args: { params?: PathParams<MutationPath<K>> } & (undefined extends MutationBody<K>
    ? { body?: MutationBody<K> }
    : { body: MutationBody<K> }),
): Promise<MutationResponse<K>> {
  const { method, path } = mutationRequest(key, args.params ?? ({} as PathParams<MutationPath<K>>));
  return api<MutationResponse<K>>(method, path, (args as { body?: unknown }).body);
}

/** The ISA-18.2 operator actions of the route map (`ack`, `shelve`, ...), and each one's body. */
export type AlarmActionName = keyof ApiAlarmActions extends `POST /alarms/:alarmId/${infer A}` ? A : never;
export type AlarmActionBody<A extends AlarmActionName> = ApiAlarmActions[`POST /alarms/:alarmId/${A}`]['body'];

/** `POST /alarms/{id}/{action}`: one route of the map per action, answering the alarm after it. */
export function alarmAction<A extends AlarmActionName>(
  alarmId: string,
  action: A,
  body: AlarmActionBody<A>,
): Promise<Alarm> {
  const { method, path } = mutationRequest(`POST /alarms/:alarmId/${action}` as 'POST /alarms/:alarmId/ack', {
    alarmId,
  });
  return api<Alarm>(method, path, body);
}

export const login = (username: string, password: string) =>
  mutate('POST /auth/login', { body: { username, password } });

export const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/** GET with the bearer token (never in a URL: review F6); a refused answer throws as `api` does. */
async function getOk(path: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(onCenter(`/api/v1${path}`), { headers });
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    const body: unknown = await res.json().catch(() => null);
    throw refusal(res, body, `api: GET ${path}: ${res.status} ${res.statusText}`);
  }
  return res;
}

/** GET of bytes (a site plan image) with the bearer token; errors as `api` throws them. */
export async function apiBlob(path: string): Promise<Blob> {
  return (await getOk(path)).blob();
}

/**
 * Downloads a file the API makes (issue 21: evidence ZIP, CAP, CSV exports) with the bearer
 * token in the header, never in a URL (security review F6), and hands it to the browser as a
 * file named by the server's Content-Disposition.
 */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await getOk(path);
  const disposition = res.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}

/** PUT of bytes (an uploaded plan); the JSON answer or an ApiError naming what the center refused. */
export async function apiUpload<T>(path: string, file: Blob): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': file.type || 'application/octet-stream',
  };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(onCenter(`/api/v1${path}`), { method: 'PUT', headers, body: file });
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw refusal(res, data);
  }
  return data as T;
}
