/**
 * RTSP authentication (RFC 2326 §D.2, which borrows HTTP's): Basic (RFC 7617) and Digest
 * (RFC 7616: MD5 or SHA-256, qop=auth or the RFC 2069 form without qop). Cameras answer 401 with
 * WWW-Authenticate; the client retries once with credentials. Pure apart from the random cnonce.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

export interface Challenge {
  scheme: 'basic' | 'digest';
  params: Record<string, string>;
}

/** Parses one WWW-Authenticate value: `Digest realm="x", nonce="y", qop="auth"`. */
export function parseChallenge(value: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(value);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (scheme !== 'basic' && scheme !== 'digest') return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2]); p; p = re.exec(m[2])) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme, params };
}

/** Digest beats Basic; among Digest, SHA-256 beats MD5; unknown algorithms are skipped. */
export function pickChallenge(values: string[]): Challenge | undefined {
  const parsed = values.map(parseChallenge).filter((c): c is Challenge => c !== undefined);
  const digest = parsed.filter((c) => c.scheme === 'digest' && hashName(c.params.algorithm) !== undefined);
  digest.sort(
    (a, b) => (hashName(b.params.algorithm) === 'sha256' ? 1 : 0) - (hashName(a.params.algorithm) === 'sha256' ? 1 : 0),
  );
  return digest[0] ?? parsed.find((c) => c.scheme === 'basic');
}

function hashName(algorithm: string | undefined): 'md5' | 'sha256' | undefined {
  const a = (algorithm ?? 'MD5').toUpperCase();
  if (a === 'MD5') return 'md5';
  if (a === 'SHA-256') return 'sha256';
  return undefined; // -sess variants and others: not offered by cameras in practice
}

/** Builds Authorization header values for successive requests under one challenge (nc counts up). */
export class Authenticator {
  private nc = 0;

  constructor(
    private readonly challenge: Challenge,
    private readonly creds: Credentials,
    private readonly cnonce = randomBytes(8).toString('hex'),
  ) {}

  header(method: string, uri: string): string {
    const { username, password } = this.creds;
    if (this.challenge.scheme === 'basic') {
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    const p = this.challenge.params;
    const alg = hashName(p.algorithm) ?? 'md5';
    const h = (s: string) => createHash(alg).update(s).digest('hex');
    const realm = p.realm ?? '';
    const nonce = p.nonce ?? '';
    const ha1 = h(`${username}:${realm}:${password}`);
    const ha2 = h(`${method}:${uri}`);
    const qop = (p.qop ?? '')
      .split(',')
      .map((s) => s.trim())
      .includes('auth')
      ? 'auth'
      : undefined;
    const fields = [`username="${username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`];
    if (qop) {
      const nc = (++this.nc).toString(16).padStart(8, '0');
      fields.push(`response="${h(`${ha1}:${nonce}:${nc}:${this.cnonce}:${qop}:${ha2}`)}"`);
      fields.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${this.cnonce}"`);
    } else {
      fields.push(`response="${h(`${ha1}:${nonce}:${ha2}`)}"`);
    }
    if (p.algorithm) fields.push(`algorithm=${p.algorithm}`);
    if (p.opaque !== undefined) fields.push(`opaque="${p.opaque}"`);
    return `Digest ${fields.join(', ')}`;
  }
}
