/** The one HTTP client of the console: JSON in and out of `/api/v1` with the session's bearer token. */
import type { ErrorBody, LoginResponse } from '@gwanje/protocol/schemas/http.js';

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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = { error: { code: 'bad-json', message: `api: ${method} ${path}: response is not JSON` } };
    }
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/auth/login') onUnauthorized();
    const e: {
      code: string;
      message: string;
      field?: string;
      reason?: string;
      params?: Record<string, string | number>;
    } = isErrorBody(data) ? data.error : { code: String(res.status), message: res.statusText };
    const retry = Number(res.headers.get('retry-after'));
    throw new ApiError(
      res.status,
      e.code,
      e.message,
      e.field,
      e.reason,
      e.params,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return data as T;
}

export const login = (username: string, password: string): Promise<LoginResponse> =>
  api<LoginResponse>('POST', '/auth/login', { username, password });

export const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/**
 * Downloads a file the API makes (issue 21: evidence ZIP, CAP, CSV exports) with the bearer
 * token in the header, never in a URL (security review F6), and hands it to the browser as a
 * file named by the server's Content-Disposition.
 */
export async function download(path: string, fallbackName: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`/api/v1${path}`, { headers });
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    let message = res.statusText;
    try {
      const body: unknown = await res.json();
      if (isErrorBody(body)) message = body.error.message;
    } catch {
      // not JSON: keep the status text
    }
    throw new ApiError(res.status, String(res.status), message);
  }
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
