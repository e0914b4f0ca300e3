/**
 * Who owns which site (issue 19): the stable API other modules use.
 *
 * - `ownerOf(siteId)`: the instance holding the site (its id, advertised `GWANJE_PUBLIC_URL`,
 *   since when, fencing token), from the last lease snapshot (at most one lease tick old).
 * - `isMine(siteId)`, `mySites()`: this instance's sites.
 * - `instances()`: live instances and what each owns (`GET /api/v1/cluster`).
 * - `serve(work)`: the one place that takes a site's work up (`take`: restore its state, then
 *   start consuming it) and puts it down (`give`); both are awaited, so a site is never consumed
 *   before its state is restored nor released before its consumer stopped.
 * - bus events (bus.ts): `site.owned` / `site.released` for this instance's own changes, and
 *   `site.moved` whenever any site changes holder anywhere in the cluster.
 *
 * `SoleOwnership` is the single-instance case (SQLite or the embedded broker): this instance owns
 * every site, always, and nothing is ever taken or given. `LeaseOwnership` (lease-loop.ts) is the
 * cluster case.
 */

export interface SiteOwner {
  siteId: string;
  instanceId: string;
  publicUrl: string;
  /** When the holder took the site (epoch ms, database clock). */
  since: number;
  /** Rises by one at each change of holder: a write carrying an older token is stale. */
  fencing: number;
}

export interface InstanceInfo {
  instanceId: string;
  publicUrl: string;
  startedAt: number;
  heartbeatAt: number;
  /** This very process. */
  self: boolean;
  sites: { siteId: string; since: number; fencing: number }[];
}

/** What a site's owner runs: restore then consume (`take`), stop consuming then forget (`give`). */
export interface SiteWork {
  take(siteId: string, fencing: number): Promise<void>;
  give(siteId: string): Promise<void>;
}

export type ReleaseReason = 'rebalance' | 'lost' | 'stopping';

/**
 * No live instance took the site in the time a takeover takes (its owner died and the others
 * cannot take it up, e.g. the broker is unreachable): the request is not applied anywhere. The
 * API answers 503 with reason `no-owner` and Retry-After.
 */
export class NoOwnerError extends Error {
  override readonly name = 'NoOwnerError';
  constructor(
    readonly siteId: string,
    readonly retryAfterS: number,
  ) {
    super(`cluster: no center instance owns site ${siteId} right now`);
  }
}

export interface Ownership {
  /** true when several instances may share the work (PostgreSQL and an external broker). */
  readonly clustered: boolean;
  readonly instanceId: string;
  ownerOf(siteId: string): SiteOwner | undefined;
  isMine(siteId: string): boolean;
  mySites(): string[];
  instances(): InstanceInfo[];
  /** Registers the work a site's owner does (one registrant: the ingest module). */
  serve(work: SiteWork): void;
  /**
   * Whether this instance still holds the site with this fencing token, asked of the database now
   * (not the last snapshot): a consumer reconnects only while this is true.
   */
  holds(siteId: string, fencing: number): Promise<boolean>;
}

/** Single instance: owner of every site from start to stop. */
export class SoleOwnership implements Ownership {
  readonly clustered = false;

  constructor(
    readonly instanceId: string,
    private readonly publicUrl: string,
    private readonly startedAt: number,
    /** The seeded sites (read once at start). */
    private readonly sites: () => string[],
    private readonly now: () => number,
  ) {}

  ownerOf(siteId: string): SiteOwner {
    return { siteId, instanceId: this.instanceId, publicUrl: this.publicUrl, since: this.startedAt, fencing: 0 };
  }

  isMine(_siteId: string): boolean {
    return true;
  }

  mySites(): string[] {
    return this.sites();
  }

  instances(): InstanceInfo[] {
    const sites = this.sites().map((siteId) => ({ siteId, since: this.startedAt, fencing: 0 }));
    return [
      {
        instanceId: this.instanceId,
        publicUrl: this.publicUrl,
        startedAt: this.startedAt,
        heartbeatAt: this.now(),
        self: true,
        sites,
      },
    ];
  }

  /** Nothing to hand over: the module table's own start restores every site (issue 15). */
  serve(_work: SiteWork): void {}

  async holds(_siteId: string, _fencing: number): Promise<boolean> {
    return true;
  }
}
