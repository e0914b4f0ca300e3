/**
 * Which center instance the console talks to (issue 19). '' is the page's own origin (one center,
 * or a load balancer in front of several). With a list of centers (the login answer's `centers`)
 * the live connection moves to another one when its center stops answering
 * (live/failover.ts), and the API, tickets and video follow it here.
 */
let base = '';

/** The current center's origin ('' = this page's origin). */
export const centerBase = (): string => base;

export function setCenterBase(origin: string): void {
  base = origin === location.origin ? '' : origin;
}

/** An absolute-or-relative URL of `path` on the current center. */
export const onCenter = (path: string): string => `${base}${path}`;

/** `ws:`/`wss:` URL of `path` on the current center. */
export function onCenterSocket(path: string): string {
  const u = new URL(onCenter(path), location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}
