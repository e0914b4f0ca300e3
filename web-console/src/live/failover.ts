/**
 * Issue 19 (CONTRACT "Several center instances"): the console follows a list of center URLs.
 * Socket.IO's own reconnection (capped exponential backoff with jitter) stays in charge; before
 * each attempt the manager is pointed at the next center of the list, so a console whose center
 * died reconnects to a live one. The socket object is kept across the switch, so Socket.IO sends
 * its recovery session (private id and last offset) to the new center, which replays from the
 * shared Redis stream every event the console missed (connection-state recovery). Behind a load
 * balancer the list is the page's own origin and the balancer picks the instance.
 *
 * The manager's `uri` is private in socket.io-client's typings but is what every `open()` reads
 * (manager.js: `new Engine(this.uri, this.opts)`); writing it is the one supported-by-code way to
 * move a manager without dropping its sockets' recovery state.
 */
import type { Manager } from 'socket.io-client';

/** Normalised center URLs (origin only, no trailing slash); '' is the page's own origin. */
export function parseCenterList(raw: string | readonly string[] | undefined): string[] {
  const items = typeof raw === 'string' ? raw.split(/[\s,]+/) : [...(raw ?? [])];
  const out: string[] = [];
  for (const item of items) {
    const s = item.trim();
    if (s === '') continue;
    let origin: string;
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') continue;
      origin = u.origin;
    } catch {
      continue;
    }
    if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

export interface CenterRotation {
  /** The center the manager will use (or uses now). */
  current(): string;
  /** Called with every center switched to (the console shows it, and points its API calls there). */
  onSwitch(fn: (center: string) => void): void;
  stop(): void;
}

/**
 * Rotates `manager` over `centers` on every reconnect attempt (the first attempt retries the next
 * center already: any live instance serves every site). One center or none: nothing to rotate.
 */
export function rotateCenters(manager: Manager, centers: readonly string[], first = 0): CenterRotation {
  const list = centers.length > 0 ? [...centers] : [''];
  let index = ((first % list.length) + list.length) % list.length;
  const listeners: Array<(c: string) => void> = [];
  const move = () => {
    if (list.length < 2) return;
    index = (index + 1) % list.length;
    (manager as unknown as { uri: string }).uri = list[index];
    for (const fn of listeners) fn(list[index]);
  };
  manager.on('reconnect_attempt', move);
  return {
    current: () => list[index],
    onSwitch: (fn) => listeners.push(fn),
    stop: () => manager.off('reconnect_attempt', move),
  };
}
