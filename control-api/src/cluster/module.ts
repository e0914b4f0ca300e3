/**
 * Module `cluster` (issue 19): who this instance is and which sites it owns.
 *
 * - PostgreSQL and an external broker (`GWANJE_DATABASE_URL=postgres://...`, `GWANJE_MQTT_URL`):
 *   several instances share the sites through leases (lease-loop.ts). Registration happens here;
 *   claiming starts in `cluster-claims`, last in the module table, once every module that takes a
 *   site up (ingest, alarms) is in place.
 * - Otherwise (SQLite, or the embedded broker): one instance owns every site (SoleOwnership), and a
 *   second one refuses to start with a clear error: on SQLite through a lock file in the data
 *   directory, on PostgreSQL through the instance registry (a live instance of any mode).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { ActionRelay } from './action-relay.js';
import { DataDirLock } from './data-dir-lock.js';
import { DEFAULT_TTL_MS, LeaseOwnership } from './lease-loop.js';
import { type ClusterTables, LeaseTable } from './leases.js';
import { type Ownership, SoleOwnership } from './ownership.js';

export const CLUSTER_NEEDS =
  'several center instances need GWANJE_DATABASE_URL=postgres://..., GWANJE_MQTT_URL (an external broker) and GWANJE_INFLUX_URL';

export class ClusterModule implements CenterModule {
  readonly name = 'cluster';
  readonly instanceId = `${hostname().slice(0, 40)}-${randomBytes(3).toString('hex')}`;
  /** The seeded sites, read once every module started (module `auth` seeds them). */
  private sites: string[] = [];
  private made?: {
    ownership: Ownership;
    relay?: ActionRelay;
    leases?: LeaseTable;
    lock?: DataDirLock;
    heartbeat?: NodeJS.Timeout;
  };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
  ) {}

  get ownership(): Ownership {
    return started(this.name, 'ownership', this.made?.ownership);
  }

  /** Carries alarm actions to the owner of their site (cluster only; action-relay.ts). */
  get relay(): ActionRelay {
    return started(this.name, 'relay', this.made?.relay);
  }

  /** Whether this center runs as a cluster member (PostgreSQL and an external broker). */
  get clustered(): boolean {
    return this.store.db.dialect === 'postgres' && this.ctx.settings.mqttUrl !== undefined;
  }

  async start(): Promise<void> {
    const { settings: s, log, bus, now } = this.ctx;
    const child = log.child({ module: 'cluster' });
    const db = this.store.db;
    const leases = db.dialect === 'postgres' ? new LeaseTable(this.store.raw<ClusterTables>()) : undefined;
    if (this.clustered && leases) {
      const single = (await leases.liveInstances(DEFAULT_TTL_MS)).find((i) => i.mode !== 'cluster');
      if (single)
        throw new Error(
          `cluster: instance ${single.instanceId} (${single.publicUrl}) runs this database as a single instance (embedded broker); stop it first`,
        );
      await leases.prune(24 * 3600_000);
      const ownership = new LeaseOwnership({
        leases,
        instanceId: this.instanceId,
        publicUrl: s.publicUrl,
        siteIds: async () => (await this.store.repos.sites.list()).map((x) => x.siteId),
        bus,
        log: child,
        now,
      });
      await leases.heartbeat({ instanceId: this.instanceId, publicUrl: s.publicUrl, mode: 'cluster' });
      const relay = new ActionRelay({ url: s.databaseUrl as string, db: this.store.raw(), ownership, log: child });
      await relay.start();
      this.made = { ownership, leases, relay };
      child.info({ instanceId: this.instanceId, publicUrl: s.publicUrl }, 'cluster: joined');
      return;
    }
    // Single instance. Refuse company first, then own everything.
    let lock: DataDirLock | undefined;
    if (leases) {
      const other = (await leases.liveInstances(DEFAULT_TTL_MS))[0];
      if (other)
        throw new Error(
          `cluster: another center (${other.instanceId}, ${other.publicUrl}) runs on this database; ${CLUSTER_NEEDS}`,
        );
    } else {
      lock = DataDirLock.acquire(s.dataDir, CLUSTER_NEEDS);
    }
    const ownership = new SoleOwnership(this.instanceId, s.publicUrl, now(), () => this.sites, now);
    this.made = { ownership, leases, lock };
    if (leases) {
      // Registered with a heartbeat so a second instance on this database sees us and refuses.
      const beat = () =>
        leases
          .heartbeat({ instanceId: this.instanceId, publicUrl: s.publicUrl, mode: 'single' })
          .catch((err: Error) => child.warn({ err: err.message }, 'cluster: heartbeat failed'));
      await beat();
      this.made.heartbeat = setInterval(beat, 1_000);
    }
  }

  /** Starts claiming sites (module `cluster-claims`); a single instance only reads the site list. */
  async claim(): Promise<void> {
    this.sites = (await this.store.repos.sites.list()).map((x) => x.siteId);
    const o = this.made?.ownership;
    if (o instanceof LeaseOwnership) await o.start();
  }

  /** Gives every site back, consumers first (module `cluster-claims` stopping). */
  async unclaim(): Promise<void> {
    const o = this.made?.ownership;
    if (o instanceof LeaseOwnership) await o.stop();
  }

  async stop(): Promise<void> {
    const m = this.made;
    this.made = undefined;
    if (!m) return;
    clearInterval(m.heartbeat);
    await m.relay?.stop();
    m.lock?.release();
    if (m.leases && !(m.ownership instanceof LeaseOwnership))
      await m.leases
        .deregister(this.instanceId)
        .catch((err: Error) => this.ctx.log.warn({ err: err.message }, 'cluster: could not leave the registry'));
  }
}

/** Module `cluster-claims`: the lease loop, started last so every site's work is in place. */
export class ClusterClaimsModule implements CenterModule {
  readonly name = 'cluster-claims';
  constructor(private readonly cluster: ClusterModule) {}
  start(): Promise<void> {
    return this.cluster.claim();
  }
  stop(): Promise<void> {
    return this.cluster.unclaim();
  }
}
