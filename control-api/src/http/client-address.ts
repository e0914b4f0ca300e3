/**
 * Which address a request comes from (security review F11). Behind a TLS-terminating reverse
 * proxy every client arrives from the proxy's address: login throttles keyed on it would let one
 * attacker block everyone, and audit rows would all name the proxy. `GWANJE_TRUST_PROXY` names
 * the proxies (addresses, CIDR subnets, `loopback`/`linklocal`/`uniquelocal`) or a hop count; then
 * the client is read from `X-Forwarded-For` (proxy-addr, the same rule express applies), and
 * only as far back as trusted proxies wrote it: a client cannot forge its own address.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type TrustProxy = (addr: string, hop: number) => boolean;

export const TRUST_NONE: TrustProxy = () => false;

/**
 * GWANJE_TRUST_PROXY: unset, `false` or `0` trust no proxy; a whole number trusts that many hops;
 * otherwise a comma-separated list. Throws with a message naming what is wrong.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = raw?.trim();
  if (v === undefined || v === '' || v === 'false' || v === '0') return TRUST_NONE;
  if (v === 'true') {
    throw new Error('name the proxy addresses or a hop count; "true" would believe any client\'s X-Forwarded-For');
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new Error(`a hop count from 1 to 10, got ${v}`);
    return (_addr, hop) => hop < hops;
  }
  const list = v.split(',').map((x) => x.trim());
  try {
    return proxyaddr.compile(list);
  } catch (err) {
    throw new Error(`not an address, subnet or hop count: ${(err as Error).message}`);
  }
}

/** The client's address under `trust` (the socket's peer when no proxy is trusted). */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  try {
    return proxyaddr(req, trust);
  } catch {
    return req.socket.remoteAddress ?? 'unknown';
  }
}
