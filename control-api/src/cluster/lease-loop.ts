/**
 * LeaseOwnership: the cluster case of `Ownership` (issue 19). Once a second (`tickMs`) each
 * instance, one statement at a time and all on the database's clock:
 *   1. refreshes its heartbeat in `cluster_instance`;
 *   2. renews the leases it holds (TTL `ttlMs`); a site missing from the answer was lost (it
 *      expired while this process stalled, and someone else may hold it now): its work is given up;
 *   3. reads every lease and every live instance (the snapshot `ownerOf` and `instances` answer from);
 *   4. takes free or expired sites up to its fair share (`fairShare`: 11/10/10 for 31 on 3), restoring
 *      each (SiteWork.take) before announcing it; or gives back what it holds beyond that share
 *      (SiteWork.give, then the row is freed) so an instance that joins gets work at once.
 * An instance that cannot reach the database for a whole TTL gives up every site by itself
 * (self-fencing): by then another may have taken them, and two consumers of one site is what the
 * leases exist to prevent. A `kill -9` stops the renewals; the others take over within
 * TTL + one tick (~4 s with the defaults), well inside CONTRACT's 10 s.
 */
import type { EventSink } from '../bus.js';
import type { Logger } from '../logger.js';
import type { InstanceRow, LeaseRow, LeaseTable } from './leases.js';
import type { InstanceInfo, Ownership, ReleaseReason, SiteOwner, SiteWork } from './ownership.js';

export interface LeaseOwnershipOptions {
  leases: LeaseTable;
  instanceId: string;
  publicUrl: string;
  /** The seeded sites (read at every tick: sites are data and may be added). */
  siteIds: () => Promise<string[]>;
  bus: EventSink;
  log: Logger;
  /** Monotonic-enough local clock for self-fencing (tests inject one). */
  now: () => number;
  tickMs?: number;
  ttlMs?: number;
}

export const DEFAULT_TICK_MS = 1_000;
export const DEFAULT_TTL_MS = 3_000;

interface Held {
  fencing: number;
  since: number;
}

export class LeaseOwnership implements Ownership {
  readonly clustered = true;
  readonly instanceId: string;
  private readonly held = new Map<string, Held>();
  private leases: LeaseRow[] = [];
  private live: InstanceRow[] = [];
  private work?: SiteWork;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastRenewed: number;
  private stopping = false;
  private readonly tickMs: number;
  private readonly ttlMs: number;

  constructor(private readonly o: LeaseOwnershipOptions) {
    this.instanceId = o.instanceId;
    this.tickMs = o.tickMs ?? DEFAULT_TICK_MS;
    this.ttlMs = o.ttlMs ?? DEFAULT_TTL_MS;
    this.lastRenewed = o.now();
  }

  serve(work: SiteWork): void {
    if (this.work) throw new Error('cluster: site work is already served');
    this.work = work;
  }

  ownerOf(siteId: string): SiteOwner | undefined {
    const mine = this.held.get(siteId);
    if (mine) return { siteId, instanceId: this.instanceId, publicUrl: this.o.publicUrl, ...mine };
    const l = this.leases.find((x) => x.siteId === siteId);
    if (!l?.ownerId || l.ownerId === this.instanceId) return undefined;
    const inst = this.live.find((i) => i.instanceId === l.ownerId);
    if (!inst) return undefined;
    return { siteId, instanceId: l.ownerId, publicUrl: inst.publicUrl, since: l.since, fencing: l.fencing };
  }

  isMine(siteId: string): boolean {
    return this.held.has(siteId);
  }

  holds(siteId: string, fencing: number): Promise<boolean> {
    return this.o.leases.holds(siteId, this.instanceId, fencing);
  }

  mySites(): string[] {
    return [...this.held.keys()].sort();
  }

  instances(): InstanceInfo[] {
    return this.live.map((i) => ({
      ...i,
      self: i.instanceId === this.instanceId,
      sites:
        i.instanceId === this.instanceId
          ? this.mySites().map((siteId) => ({ siteId, ...(this.held.get(siteId) as Held) }))
          : this.leases
              .filter((l) => l.ownerId === i.instanceId)
              .map((l) => ({ siteId: l.siteId, since: l.since, fencing: l.fencing })),
    }));
  }

  /** Runs the first tick (so `start()` returns owning its share) and then one per `tickMs`. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = undefined));
    }, this.tickMs);
  }

  /** Gives every site back (consumers stopped first) and leaves the registry. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
    for (const siteId of this.mySites()) await this.give(siteId, 'stopping');
    try {
      await this.o.leases.deregister(this.instanceId);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'cluster: could not leave the registry');
    }
  }

  /** One round of the loop; never throws (a failing database is logged and retried next tick). */
  async tick(): Promise<void> {
    const { leases, log } = this.o;
    try {
      await leases.heartbeat({ instanceId: this.instanceId, publicUrl: this.o.publicUrl, mode: 'cluster' });
      const kept = new Set((await leases.renew(this.instanceId, this.ttlMs)).map((l) => l.siteId));
      this.lastRenewed = this.o.now();
      for (const siteId of this.mySites()) if (!kept.has(siteId)) await this.give(siteId, 'lost');
      await this.snapshot();
      if (!this.stopping) await this.balance(await this.o.siteIds());
    } catch (err) {
      log.error({ err: (err as Error).message }, 'cluster: lease round failed');
      if (this.o.now() - this.lastRenewed >= this.ttlMs && this.held.size > 0) {
        log.error({ sites: this.held.size }, 'cluster: leases not renewed for a whole TTL; giving every site up');
        for (const siteId of this.mySites()) await this.give(siteId, 'lost', false);
      }
    }
  }

  private async snapshot(): Promise<void> {
    const before = new Map(this.leases.map((l) => [l.siteId, l]));
    this.live = await this.o.leases.liveInstances(this.ttlMs);
    this.leases = await this.o.leases.all();
    for (const l of this.leases) {
      const was = before.get(l.siteId);
      if (was && was.ownerId === l.ownerId && was.fencing === l.fencing) continue;
      const publicUrl = this.live.find((i) => i.instanceId === l.ownerId)?.publicUrl;
      this.o.bus.emit('site.moved', { siteId: l.siteId, ownerId: l.ownerId, publicUrl, fencing: l.fencing });
    }
  }

  private async balance(sites: string[]): Promise<void> {
    const share = fairShare(sites.length, this.live, this.instanceId);
    if (this.held.size > share) {
      // Give back the excess, newest first (they have the least state built up here).
      const excess = this.mySites().sort((a, b) => (this.held.get(b)?.since ?? 0) - (this.held.get(a)?.since ?? 0));
      for (const siteId of excess.slice(0, this.held.size - share)) await this.give(siteId, 'rebalance');
      return;
    }
    if (this.held.size >= share) return;
    const taken = new Map(this.leases.map((l) => [l.siteId, l]));
    const alive = new Set(this.live.map((i) => i.instanceId));
    const dbNow = await this.o.leases.now();
    const free = sites.filter((s) => {
      const l = taken.get(s);
      if (!l?.ownerId) return true;
      return l.expiresAt <= dbNow || !alive.has(l.ownerId);
    });
    // Start at a place that depends on our id, so instances starting together rarely contend.
    const offset = free.length > 0 ? hash(this.instanceId) % free.length : 0;
    const order = [...free.slice(offset), ...free.slice(0, offset)];
    for (const siteId of order) {
      if (this.held.size >= share || this.stopping) break;
      const got = await this.o.leases.claim(siteId, this.instanceId, this.ttlMs);
      if (got) await this.take(got);
    }
  }

  private async take(l: LeaseRow): Promise<void> {
    const { log, bus } = this.o;
    this.held.set(l.siteId, { fencing: l.fencing, since: l.since });
    try {
      await this.work?.take(l.siteId, l.fencing);
    } catch (err) {
      log.error({ siteId: l.siteId, err: (err as Error).message }, 'cluster: site not taken up; lease given back');
      // Freed, not left to expire: renewals go by holder, so a row kept would be renewed forever.
      await this.give(l.siteId, 'lost', true);
      return;
    }
    // Restoring may take a while: keep every lease alive meanwhile.
    await this.o.leases.renew(this.instanceId, this.ttlMs);
    this.lastRenewed = this.o.now();
    log.info({ siteId: l.siteId, fencing: l.fencing }, 'cluster: site owned');
    bus.emit('site.owned', { siteId: l.siteId, instanceId: this.instanceId, fencing: l.fencing, since: l.since });
  }

  private async give(siteId: string, reason: ReleaseReason, freeRow = reason !== 'lost'): Promise<void> {
    const held = this.held.get(siteId);
    if (!held) return;
    this.held.delete(siteId);
    try {
      await this.work?.give(siteId);
    } catch (err) {
      this.o.log.error({ siteId, err: (err as Error).message }, 'cluster: site work did not stop cleanly');
    }
    if (freeRow) {
      try {
        await this.o.leases.release(siteId, this.instanceId, held.fencing);
      } catch (err) {
        this.o.log.warn({ siteId, err: (err as Error).message }, 'cluster: lease not freed; it expires by itself');
      }
    }
    this.o.log.info({ siteId, reason }, 'cluster: site released');
    this.o.bus.emit('site.released', { siteId, instanceId: this.instanceId, reason });
  }
}

/**
 * This instance's share: n/k sites each, the first n mod k instances (oldest first, the order
 * every instance reads) one more, so 31 sites on 3 instances are 11/10/10, not 11/11/9.
 */
export function fairShare(sites: number, live: readonly { instanceId: string }[], self: string): number {
  const k = Math.max(1, live.length);
  const rank = live.findIndex((i) => i.instanceId === self);
  if (rank < 0) return Math.ceil(sites / k);
  return Math.floor(sites / k) + (rank < sites % k ? 1 : 0);
}

/** FNV-1a: a stable small number from an id. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
