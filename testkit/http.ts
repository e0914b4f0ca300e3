/** A JSON HTTP client for tests against a running center: bearer token, JSON body, parsed reply. */
export type JsonApi = <T>(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) => Promise<{ status: number; body: T }>;

/** `base` is read on every call (servers in tests often get their URL in a `before` hook). */
export function jsonApi(base: () => string): JsonApi {
  return async <T>(method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}
