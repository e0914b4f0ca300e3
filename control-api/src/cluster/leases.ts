/**
 * The instance registry and the per-site lease table in PostgreSQL (issue 19). Every statement
 * reads the database's clock (`clock_timestamp()`), never the instance's, so hosts whose clocks
 * drift still agree on who holds what.
 *
 * Why a lease table rather than advisory locks on a dedicated connection: a lease row carries a
 * fencing token (it rises by one at each change of holder), the time it was taken (shown by
 * `GET /api/v1/cluster`) and a holder anyone can read with a plain SELECT; a lease is moved
 * deliberately (rebalancing when an instance joins) by one UPDATE; and it works through a
 * connection pooler. Advisory locks give none of these: they are visible only in `pg_locks`, carry
 * no token, and tie ownership to one TCP connection whose loss (a pooler, a network blip) silently
 * drops every site at once. The price is a takeover bounded by the lease time-to-live instead of
 * by the connection drop; with a 3 s TTL renewed every second that stays inside the 10 s promise.
 */
import { type Kysely, sql } from 'kysely';

export interface ClusterTables {
  cluster_instance: {
    instance_id: string;
    public_url: string;
    mode: string;
    started_at: number;
    heartbeat_at: number;
  };
  site_lease: {
    site_id: string;
    owner_id: string | null;
    fencing: number;
    since: number;
    expires_at: number;
  };
}

/** A registered center process. */
export interface InstanceRow {
  instanceId: string;
  publicUrl: string;
  /** `cluster` (PostgreSQL + external broker) or `single` (refuses company). */
  mode: string;
  startedAt: number;
  heartbeatAt: number;
}

/** A site's lease as stored. `ownerId` null: released, free to take. */
export interface LeaseRow {
  siteId: string;
  ownerId: string | null;
  fencing: number;
  since: number;
  expiresAt: number;
}

const DB_NOW = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

const num = (v: unknown): number => Number(v);

function toLease(r: Record<string, unknown>): LeaseRow {
  return {
    siteId: String(r.site_id),
    ownerId: r.owner_id === null ? null : String(r.owner_id),
    fencing: num(r.fencing),
    since: num(r.since),
    expiresAt: num(r.expires_at),
  };
}

export class LeaseTable {
  constructor(private readonly db: Kysely<ClusterTables>) {}

  /** The database's clock (epoch ms). */
  async now(): Promise<number> {
    const r = await sql<{ now: number }>`select ${DB_NOW} as now`.execute(this.db);
    return num(r.rows[0]?.now);
  }

  /** Registers this instance (or refreshes its heartbeat); returns the database time. */
  async heartbeat(i: Pick<InstanceRow, 'instanceId' | 'publicUrl' | 'mode'>): Promise<number> {
    const r = await sql<{ heartbeat_at: number }>`
      insert into cluster_instance (instance_id, public_url, mode, started_at, heartbeat_at)
      values (${i.instanceId}, ${i.publicUrl}, ${i.mode}, ${DB_NOW}, ${DB_NOW})
      on conflict (instance_id) do update set heartbeat_at = excluded.heartbeat_at
      returning heartbeat_at`.execute(this.db);
    return num(r.rows[0]?.heartbeat_at);
  }

  /** Instances whose heartbeat is younger than `ttlMs` (by the database's clock). */
  async liveInstances(ttlMs: number): Promise<InstanceRow[]> {
    const r = await sql<Record<string, unknown>>`
      select instance_id, public_url, mode, started_at, heartbeat_at from cluster_instance
      where heartbeat_at > ${DB_NOW} - ${ttlMs} order by started_at, instance_id`.execute(this.db);
    return r.rows.map((x) => ({
      instanceId: String(x.instance_id),
      publicUrl: String(x.public_url),
      mode: String(x.mode),
      startedAt: num(x.started_at),
      heartbeatAt: num(x.heartbeat_at),
    }));
  }

  /** Removes this instance's row and frees its leases (a clean stop). */
  async deregister(instanceId: string): Promise<void> {
    await sql`update site_lease set owner_id = null, expires_at = 0 where owner_id = ${instanceId}`.execute(this.db);
    await sql`delete from cluster_instance where instance_id = ${instanceId}`.execute(this.db);
  }

  /** Forgets instances silent for `olderThanMs` (rows of killed processes). */
  async prune(olderThanMs: number): Promise<void> {
    await sql`delete from cluster_instance where heartbeat_at < ${DB_NOW} - ${olderThanMs}`.execute(this.db);
  }

  /** Every lease row. */
  async all(): Promise<LeaseRow[]> {
    const r = await sql<Record<string, unknown>>`
      select site_id, owner_id, fencing, since, expires_at from site_lease order by site_id`.execute(this.db);
    return r.rows.map(toLease);
  }

  /** Extends every lease `owner` still holds; returns them (a site missing from the answer was lost). */
  async renew(owner: string, ttlMs: number): Promise<LeaseRow[]> {
    const r = await sql<Record<string, unknown>>`
      update site_lease set expires_at = ${DB_NOW} + ${ttlMs}
      where owner_id = ${owner} and expires_at > ${DB_NOW}
      returning site_id, owner_id, fencing, since, expires_at`.execute(this.db);
    return r.rows.map(toLease);
  }

  /**
   * Takes a site whose lease is free, released or expired; the fencing token rises by one.
   * Undefined when someone else holds it (the conditional upsert is atomic in PostgreSQL).
   */
  async claim(siteId: string, owner: string, ttlMs: number): Promise<LeaseRow | undefined> {
    const r = await sql<Record<string, unknown>>`
      insert into site_lease (site_id, owner_id, fencing, since, expires_at)
      values (${siteId}, ${owner}, 1, ${DB_NOW}, ${DB_NOW} + ${ttlMs})
      on conflict (site_id) do update
        set owner_id = excluded.owner_id, fencing = site_lease.fencing + 1,
            since = excluded.since, expires_at = excluded.expires_at
        where site_lease.owner_id is null or site_lease.expires_at <= ${DB_NOW}
      returning site_id, owner_id, fencing, since, expires_at`.execute(this.db);
    const row = r.rows[0];
    return row ? toLease(row) : undefined;
  }

  /** Gives a site back (only if `owner` still holds it with `fencing`): free for others at once. */
  async release(siteId: string, owner: string, fencing: number): Promise<void> {
    await sql`update site_lease set owner_id = null, expires_at = 0
      where site_id = ${siteId} and owner_id = ${owner} and fencing = ${fencing}`.execute(this.db);
  }

  /** Whether `owner` holds `siteId` with `fencing` right now (a guard before a fenced write). */
  async holds(siteId: string, owner: string, fencing: number): Promise<boolean> {
    const r = await sql<{ n: number }>`select count(*)::int as n from site_lease
      where site_id = ${siteId} and owner_id = ${owner} and fencing = ${fencing} and expires_at > ${DB_NOW}`.execute(
      this.db,
    );
    return num(r.rows[0]?.n) > 0;
  }
}
