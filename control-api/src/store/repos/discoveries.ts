/**
 * `sensor_discoveries` (migration 0005-run): sensors an agent adopted from their own description
 * (issue 17), for an admin to confirm. Kept beside the shared Database type rather than in it, so
 * the table is this feature's alone.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../tables.js';
import type { SiteScope } from '../types.js';
import { scopeSites } from './scope.js';

export interface SensorDiscoveriesTable {
  sensorId: string;
  siteId: string;
  agentId: string;
  metric: string;
  gas: string | null;
  unit: string;
  discoveredAt: number;
  confirmedAt: number | null;
  confirmedBy: string | null;
}

export type DiscoveryRow = SensorDiscoveriesTable;

type Db = Kysely<Database & { sensorDiscoveries: SensorDiscoveriesTable }>;

export class DiscoveriesRepo {
  private readonly db: Db;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Db;
  }

  /**
   * Records a discovery. A sensor reported again with the same description keeps its row (and
   * its confirmation); a changed description is a new discovery to confirm.
   */
  async record(row: Omit<DiscoveryRow, 'confirmedAt' | 'confirmedBy'>): Promise<'new' | 'changed' | 'same'> {
    const old = await this.get(row.sensorId);
    if (old && old.metric === row.metric && old.gas === row.gas && old.unit === row.unit && old.agentId === row.agentId)
      return 'same';
    const values = { ...row, confirmedAt: null, confirmedBy: null };
    await this.db
      .insertInto('sensorDiscoveries')
      .values(values)
      .onConflict((oc) => oc.column('sensorId').doUpdateSet(values))
      .execute();
    return old ? 'changed' : 'new';
  }

  get(sensorId: string): Promise<DiscoveryRow | undefined> {
    return this.db.selectFrom('sensorDiscoveries').selectAll().where('sensorId', '=', sensorId).executeTakeFirst();
  }

  /** Newest first, within the caller's sites. */
  async list(scope: SiteScope, siteId?: string): Promise<DiscoveryRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    let q = this.db.selectFrom('sensorDiscoveries').selectAll().orderBy('discoveredAt', 'desc');
    if (sites !== '*') q = q.where('siteId', 'in', sites);
    if (siteId) q = q.where('siteId', '=', siteId);
    return q.execute();
  }

  async confirm(sensorId: string, by: string, at: number): Promise<void> {
    await this.db
      .updateTable('sensorDiscoveries')
      .set({ confirmedAt: at, confirmedBy: by })
      .where('sensorId', '=', sensorId)
      .execute();
  }
}
