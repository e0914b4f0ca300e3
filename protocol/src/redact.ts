/**
 * Keeping credentials out of logs, events, audit rows and error messages (review F12). Camera
 * and broker URLs carry them as userinfo (`rtsp://user:pass@host/...`, RFC 3986 section 3.2.1)
 * and tools such as ffmpeg repeat those URLs in their errors, sometimes percent-decoded. Pure.
 */

const MASK = '***';

/** The URL with its password replaced, for logs and errors; '(invalid url)' when it does not parse. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = MASK;
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

/**
 * `scheme://userinfo@` anywhere in a text. The userinfo runs to the last `@` before the host, so
 * a decoded password holding `@` or `:` is still covered; it stops at white space, quotes and
 * `/`, which cannot stand in an authority.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]{1,15}:\/\/)[^\s/?#@'"<>]*(?:@[^\s/?#@'"<>]*)*@/gi;

/** The forms a secret can take in a tool's output: as given, percent-decoded and percent-encoded. */
function formsOf(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  try {
    forms.add(decodeURIComponent(secret));
  } catch {
    // not percent-encoded text: the raw form covers it
  }
  return [...forms].filter((f) => f.length >= 3);
}

/**
 * Masks the userinfo of every URL in `text`, then every occurrence of the given secrets (in their
 * raw, decoded and encoded forms): a password that a tool printed outside a URL, or inside one
 * the pattern cannot see (a decoded `/` in it), is masked too.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(USERINFO, `$1${MASK}@`);
  for (const s of secrets) for (const f of formsOf(s)) out = out.replaceAll(f, MASK);
  return out;
}

/** The secrets a URL carries: its userinfo password (raw and decoded) and, with a password, the user. */
export function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return u.password ? [u.password] : [];
  } catch {
    return [];
  }
}

/** `redactText` over every string inside a JSON-like value (objects, arrays), returning a copy. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, secrets);
    return out as T;
  }
  return value;
}

/** Keys whose values are secrets wherever they appear in a configuration document. */
const SECRET_KEY = /pass(word)?|secret|token|private|credential|api[-_]?key|psk/i;

/**
 * A copy of a configuration document with every secret masked (issue 21: the console shows
 * desired vs reported config as a diff, and the center keeps the pushed documents): values under
 * secret-looking keys become `***` and URLs lose their userinfo password. Pure.
 */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== null && typeof value !== 'object') return MASK;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  return redactDeep(value);
}
