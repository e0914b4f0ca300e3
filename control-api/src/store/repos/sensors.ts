/** Sensors (with their last value) and cameras, as reported by agents and edited by admins. */
import { type Kysely, sql } from 'kysely';
import type { StoredJson } from '../stored-json.js';
import type { Database } from '../tables.js';
import type { CameraRow, SensorLast, SensorRow, SiteScope } from '../types.js';
import { inTransaction, scopeSites } from './scope.js';
import { decodeCamera, decodeSensor, encodeCamera, encodeSensor, type SensorColumns } from './sensor-columns.js';

/** What config/telemetry tells about a sensor; last value and state are kept on update. */
export type SensorUpsert = SensorColumns & { state?: string };

/**
 * Rows per statement of `updateLastMany`: at most 128, and always a power of two, so the
 * statement texts repeat (8 of them) and stay prepared; each statement is short (SQLite runs
 * synchronously on the event loop).
 */
const LAST_CHUNK = 128;
const chunkSize = (left: number): number => Math.min(LAST_CHUNK, 2 ** Math.floor(Math.log2(left)));

export class SensorsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly json: StoredJson,
  ) {}

  async list(scope: SiteScope = '*', opts: { siteId?: string; agentId?: string } = {}): Promise<SensorRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    let q = this.db.selectFrom('sensors').selectAll().orderBy('sensorId');
    if (sites !== '*') q = q.where('siteId', 'in', sites);
    if (opts.siteId) q = q.where('siteId', '=', opts.siteId);
    if (opts.agentId) q = q.where('agentId', '=', opts.agentId);
    return (await q.execute()).map((r) => decodeSensor(this.json, r));
  }

  async get(sensorId: string): Promise<SensorRow | undefined> {
    const r = await this.db.selectFrom('sensors').selectAll().where('sensorId', '=', sensorId).executeTakeFirst();
    return r && decodeSensor(this.json, r);
  }

  async upsert(s: SensorUpsert): Promise<void> {
    await this.upsertMany([s]);
  }

  async upsertMany(list: SensorUpsert[]): Promise<void> {
    if (list.length === 0) return;
    await inTransaction(this.db, async (tx) => {
      for (const s of list) {
        const row = encodeSensor(s);
        const { sensorId, state, ...rest } = row;
        await tx
          .insertInto('sensors')
          .values({ ...row, state: state ?? 'unknown', lastValue: null, lastTs: null })
          .onConflict((oc) => oc.column('sensorId').doUpdateSet(state ? { ...rest, state } : rest))
          .execute();
      }
    });
  }

  /**
   * First sight of a sensor (telemetry from an agent): inserts it when missing and never touches
   * an existing row, so rules and cameras set by an admin survive. true when inserted.
   */
  async register(s: SensorUpsert): Promise<boolean> {
    const r = await this.db
      .insertInto('sensors')
      .values({ ...encodeSensor(s), state: s.state ?? 'unknown', lastValue: null, lastTs: null })
      .onConflict((oc) => oc.column('sensorId').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Newest value of many sensors in statements of at most 128 sensors (UPDATE ... FROM, which both
   * SQLite >= 3.33 and PostgreSQL have). Within a call the newest ts per sensor wins; a reading
   * older than what is stored (a late replay) never overwrites a newer one.
   */
  async updateLastMany(list: SensorLast[]): Promise<void> {
    const newest = new Map<string, SensorLast>();
    for (const r of list) {
      const prev = newest.get(r.sensorId);
      if (!prev || prev.ts <= r.ts) newest.set(r.sensorId, r);
    }
    const rows = [...newest.values()];
    for (let i = 0, n = 0; i < rows.length; i += n) {
      // Other work (an alarm) gets the event loop between statements.
      if (i > 0) await new Promise((r) => setImmediate(r));
      n = chunkSize(rows.length - i);
      const chunk = rows.slice(i, i + n);
      // VALUES columns are column1..column4 in both dialects; casts give PostgreSQL the types.
      const values = sql.join(
        chunk.map(
          (r) =>
            sql`(CAST(${r.sensorId} AS text), CAST(${r.value} AS double precision), CAST(${r.ts} AS bigint), CAST(${r.state ?? null} AS text))`,
        ),
      );
      await sql`UPDATE sensors SET last_value = u.column2, last_ts = u.column3, state = COALESCE(u.column4, sensors.state)
        FROM (VALUES ${values}) AS u
        WHERE sensors.sensor_id = u.column1 AND (sensors.last_ts IS NULL OR sensors.last_ts <= u.column3)`.execute(
        this.db,
      );
    }
  }

  async setState(sensorId: string, state: string): Promise<boolean> {
    const r = await this.db.updateTable('sensors').set({ state }).where('sensorId', '=', sensorId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Out of service ({since, actor, reason}) or back in service (null); issue 15. */
  async setOutOfService(sensorId: string, outOfService: SensorRow['outOfService']): Promise<boolean> {
    const r = await this.db
      .updateTable('sensors')
      .set(encodeSensor({ outOfService: outOfService ?? null }))
      .where('sensorId', '=', sensorId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Per-sensor rule overrides, null to return to the defaults. */
  async setRules(sensorId: string, rules: SensorRow['rules']): Promise<boolean> {
    const r = await this.db
      .updateTable('sensors')
      .set(encodeSensor({ rules }))
      .where('sensorId', '=', sensorId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async remove(sensorId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sensors').where('sensorId', '=', sensorId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}

export class CamerasRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly json: StoredJson,
  ) {}

  async list(scope: SiteScope = '*', opts: { siteId?: string; agentId?: string } = {}): Promise<CameraRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    let q = this.db.selectFrom('cameras').selectAll().orderBy('cameraId');
    if (sites !== '*') q = q.where('siteId', 'in', sites);
    if (opts.siteId) q = q.where('siteId', '=', opts.siteId);
    if (opts.agentId) q = q.where('agentId', '=', opts.agentId);
    return (await q.execute()).map((r) => decodeCamera(this.json, r));
  }

  async get(cameraId: string): Promise<CameraRow | undefined> {
    const r = await this.db.selectFrom('cameras').selectAll().where('cameraId', '=', cameraId).executeTakeFirst();
    return r ? decodeCamera(this.json, r) : undefined;
  }

  /** Insert or update (from the agent's retained `cameras` message); state is kept on update. */
  async upsert(c: Omit<CameraRow, 'state'> & { state?: CameraRow['state'] }): Promise<void> {
    await this.upsertMany([c]);
  }

  async upsertMany(list: (Omit<CameraRow, 'state'> & { state?: CameraRow['state'] })[]): Promise<void> {
    if (list.length === 0) return;
    await inTransaction(this.db, async (tx) => {
      for (const c of list) {
        const row = { ...encodeCamera(c), state: c.state ?? 'idle' };
        const { cameraId, state, ...rest } = row;
        await tx
          .insertInto('cameras')
          .values(row)
          .onConflict((oc) => oc.column('cameraId').doUpdateSet(c.state ? { ...rest, state } : rest))
          .execute();
      }
    });
  }

  /**
   * An agent's retained `cameras` inventory, in one transaction (CONTRACT: a camera belongs to the
   * site and agent that first registered it; security review F1). Cameras another agent or site
   * owns (or added by an admin, agentId null) are left alone and returned as `foreign`; new ones
   * beyond `maxCameras` for this agent are left out as `overLimit`; the rest are inserted or
   * updated, and this agent's cameras it no longer reports are removed (`removed`). The update is
   * conditional on the owner too, so a race with a re-home cannot move a camera.
   */
  async replaceForAgent(
    siteId: string,
    agentId: string,
    list: (Omit<CameraRow, 'state' | 'agentId' | 'siteId'> & { state?: CameraRow['state'] })[],
    maxCameras = Number.POSITIVE_INFINITY,
  ): Promise<{ removed: string[]; foreign: string[]; overLimit: string[] }> {
    return inTransaction(this.db, async (tx) => {
      const ids = [...new Set(list.map((c) => c.cameraId))];
      const existing = ids.length
        ? await tx
            .selectFrom('cameras')
            .select(['cameraId', 'siteId', 'agentId'])
            .where('cameraId', 'in', ids)
            .execute()
        : [];
      const foreign = existing.filter((r) => r.agentId !== agentId || r.siteId !== siteId).map((r) => r.cameraId);
      const mine = list.filter((c) => !foreign.includes(c.cameraId));
      const keep = mine.slice(0, maxCameras);
      const overLimit = mine.slice(maxCameras).map((c) => c.cameraId);
      for (const c of keep) {
        const { cameraId, state, ...rest } = { ...encodeCamera(c), state: c.state ?? 'idle' };
        const row = { ...rest, cameraId, siteId, agentId, state };
        await tx
          .insertInto('cameras')
          .values(row)
          .onConflict((oc) =>
            oc
              .column('cameraId')
              .doUpdateSet(c.state ? { ...rest, state } : rest)
              .where('cameras.agentId', '=', agentId)
              .where('cameras.siteId', '=', siteId),
          )
          .execute();
      }
      const kept = new Set(keep.map((c) => c.cameraId));
      const removed = (await new CamerasRepo(tx, this.json).list('*', { agentId }))
        .filter((c) => c.siteId === siteId && !kept.has(c.cameraId))
        .map((c) => c.cameraId);
      if (removed.length > 0)
        await tx.deleteFrom('cameras').where('cameraId', 'in', removed).where('agentId', '=', agentId).execute();
      return { removed, foreign, overLimit };
    });
  }

  /**
   * Moves a camera to another agent (and its site): the explicit admin re-home (security review
   * F1). Returns the row before the move, or undefined when the camera does not exist.
   */
  async setOwner(cameraId: string, siteId: string, agentId: string): Promise<CameraRow | undefined> {
    return inTransaction(this.db, async (tx) => {
      const before = await new CamerasRepo(tx, this.json).get(cameraId);
      if (before) await tx.updateTable('cameras').set({ siteId, agentId }).where('cameraId', '=', cameraId).execute();
      return before;
    });
  }

  async setState(cameraId: string, state: CameraRow['state']): Promise<boolean> {
    const r = await this.db.updateTable('cameras').set({ state }).where('cameraId', '=', cameraId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async remove(cameraId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('cameras').where('cameraId', '=', cameraId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
