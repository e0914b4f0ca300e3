/**
 * Module `store`: relational state (SQLite or PostgreSQL, migrated) and the time-series store
 * (InfluxDB 1.x or the embedded one). Opening them creates nothing anyone depends on yet. The data
 * directory (database, keys, clips, time series) is the center user's only: 0700 (F17).
 */
import type { Kysely } from 'kysely';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { securePrivateDir } from './data-dir.js';
import { type Db, openDatabase } from './db.js';
import { DiscoveriesRepo } from './repos/discoveries.js';
import { Repositories } from './repositories.js';
import { createTimeSeriesStore } from './timeseries.js';
import type { TimeSeriesStore } from './types.js';

export class StoreModule implements CenterModule {
  readonly name = 'store';
  private opened?: { db: Db; repos: Repositories; timeseries: TimeSeriesStore; discoveries: DiscoveriesRepo };

  constructor(private readonly ctx: CenterContext) {}

  get db(): Db {
    return started(this.name, 'db', this.opened?.db);
  }
  get repos(): Repositories {
    return started(this.name, 'repos', this.opened?.repos);
  }
  get timeseries(): TimeSeriesStore {
    return started(this.name, 'timeseries', this.opened?.timeseries);
  }
  get discoveries(): DiscoveriesRepo {
    return started(this.name, 'discoveries', this.opened?.discoveries);
  }
  /** The same database without the Kysely plugins, for modules with their own tables (escalation, fire). */
  raw<T>(): Kysely<T> {
    return this.db.kysely.withoutPlugins() as unknown as Kysely<T>;
  }

  async start(): Promise<void> {
    const { settings: s, log } = this.ctx;
    securePrivateDir(s.dataDir, log.child({ module: 'store' }));
    const db = await openDatabase({ url: s.databaseUrl, dataDir: s.dataDir, log });
    db.json.onCorrupt(({ table, column }) => this.ctx.metrics.storedJsonCorrupt.inc({ table, column }));
    try {
      const timeseries = createTimeSeriesStore({
        influxUrl: s.influxUrl,
        dataDir: s.dataDir,
        log: log.child({ module: 'timeseries' }),
        now: this.ctx.now,
      });
      await timeseries.start();
      this.opened = {
        db,
        repos: new Repositories(db, undefined, this.ctx.now),
        timeseries,
        discoveries: new DiscoveriesRepo(db.kysely),
      };
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const o = this.opened;
    this.opened = undefined;
    if (!o) return;
    try {
      await o.timeseries.stop();
    } finally {
      await o.db.close();
    }
  }
}
