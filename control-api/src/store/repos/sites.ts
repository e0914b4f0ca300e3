/** Sites (one per municipal control center) and the per-site counts of `GET /api/v1/sites`. */
import type { Kysely } from 'kysely';
import type { Database } from '../tables.js';
import type { SiteRow, SiteScope, SiteSummary } from '../types.js';
import { scopeSites } from './scope.js';

export class SitesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async list(scope: SiteScope = '*'): Promise<SiteRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    let q = this.db.selectFrom('sites').selectAll().orderBy('siteId');
    if (sites !== '*') q = q.where('siteId', 'in', sites);
    return q.execute();
  }

  async get(siteId: string): Promise<SiteRow | undefined> {
    return this.db.selectFrom('sites').selectAll().where('siteId', '=', siteId).executeTakeFirst();
  }

  async upsert(site: SiteRow): Promise<void> {
    const { siteId, ...rest } = site;
    await this.db
      .insertInto('sites')
      .values(site)
      .onConflict((oc) => oc.column('siteId').doUpdateSet(rest))
      .execute();
  }

  async remove(siteId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sites').where('siteId', '=', siteId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Sites with counts of live agents, sensors, cameras and standing (not normal) alarms. */
  async summaries(scope: SiteScope = '*'): Promise<SiteSummary[]> {
    const sites = await this.list(scope);
    if (sites.length === 0) return [];
    const ids = sites.map((s) => s.siteId);
    const [agentRows, sensorRows, cameraRows, alarmRows] = await Promise.all([
      this.db
        .selectFrom('agents')
        .select((eb) => ['siteId', eb.fn.countAll<number>().as('n')])
        .where('siteId', 'in', ids)
        .where('revoked', '=', 0)
        .groupBy('siteId')
        .execute(),
      this.db
        .selectFrom('sensors')
        .select((eb) => ['siteId', eb.fn.countAll<number>().as('n')])
        .where('siteId', 'in', ids)
        .groupBy('siteId')
        .execute(),
      this.db
        .selectFrom('cameras')
        .select((eb) => ['siteId', eb.fn.countAll<number>().as('n')])
        .where('siteId', 'in', ids)
        .groupBy('siteId')
        .execute(),
      this.db
        .selectFrom('alarms')
        .select((eb) => ['siteId', eb.fn.countAll<number>().as('n')])
        .where('siteId', 'in', ids)
        .where('state', '!=', 'normal')
        .groupBy('siteId')
        .execute(),
    ]);
    const byId = (rows: { siteId: string; n: number | string }[]) => new Map(rows.map((r) => [r.siteId, Number(r.n)]));
    const agents = byId(agentRows);
    const sensors = byId(sensorRows);
    const cameras = byId(cameraRows);
    const alarms = byId(alarmRows);
    return sites.map((s) => ({
      ...s,
      agents: agents.get(s.siteId) ?? 0,
      sensors: sensors.get(s.siteId) ?? 0,
      cameras: cameras.get(s.siteId) ?? 0,
      activeAlarms: alarms.get(s.siteId) ?? 0,
    }));
  }
}
