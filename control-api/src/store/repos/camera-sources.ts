/**
 * Direct cameras (issue 20): the `cameras` row (agentId null: no agent owns it) and how the center
 * reaches it (`camera_sources`), written together. Agents' inventories never touch these rows
 * (replaceForAgent leaves cameras it does not own alone).
 */
import type { Kysely } from 'kysely';
import type { CameraSourcesTable, Database } from '../tables.js';
import type { CameraRow, SiteScope } from '../types.js';
import { inTransaction, scopeSites } from './scope.js';
import { encodeCamera } from './sensor-columns.js';

export type CameraSourceRow = CameraSourcesTable;

export interface DirectCameraRow {
  camera: CameraRow;
  source: CameraSourceRow;
}

export class CameraSourcesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async get(cameraId: string): Promise<CameraSourceRow | undefined> {
    return this.db.selectFrom('cameraSources').selectAll().where('cameraId', '=', cameraId).executeTakeFirst();
  }

  /** Sources of the cameras in scope (for the camera list). */
  async list(scope: SiteScope): Promise<CameraSourceRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    let q = this.db
      .selectFrom('cameraSources')
      .innerJoin('cameras', 'cameras.cameraId', 'cameraSources.cameraId')
      .selectAll('cameraSources');
    if (sites !== '*') q = q.where('cameras.siteId', 'in', sites);
    return q.execute();
  }

  /**
   * Registers direct cameras, all or none: any id already taken (by an agent's camera or another
   * direct one) rejects the whole batch with the ids that clash.
   */
  async insert(rows: DirectCameraRow[]): Promise<{ taken: string[] }> {
    return inTransaction(this.db, async (tx) => {
      const ids = rows.map((r) => r.camera.cameraId);
      const existing = ids.length
        ? await tx.selectFrom('cameras').select('cameraId').where('cameraId', 'in', ids).execute()
        : [];
      if (existing.length > 0) return { taken: existing.map((r) => r.cameraId) };
      for (const { camera, source } of rows) {
        await tx.insertInto('cameras').values(encodeCamera(camera)).execute();
        await tx.insertInto('cameraSources').values(source).execute();
      }
      return { taken: [] };
    });
  }

  /** Changes a direct camera's name and source; false when it is not a direct camera. */
  async update(name: string, source: CameraSourceRow): Promise<boolean> {
    return inTransaction(this.db, async (tx) => {
      const r = await tx
        .updateTable('cameraSources')
        .set(source)
        .where('cameraId', '=', source.cameraId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await tx.updateTable('cameras').set({ name }).where('cameraId', '=', source.cameraId).execute();
      return true;
    });
  }

  /** Inventory facts learnt from the device (ONVIF profiles, PTZ) once it answers. */
  async describe(cameraId: string, d: { ptz: boolean; profiles: CameraRow['profiles'] }): Promise<void> {
    await this.db
      .updateTable('cameras')
      .set(encodeCamera(d))
      .where('cameraId', '=', cameraId)
      .where('agentId', 'is', null)
      .execute();
  }

  /** Removes a camera and its source (either kind of camera). */
  async remove(cameraId: string): Promise<boolean> {
    return inTransaction(this.db, async (tx) => {
      await tx.deleteFrom('cameraSources').where('cameraId', '=', cameraId).execute();
      const r = await tx.deleteFrom('cameras').where('cameraId', '=', cameraId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    });
  }
}
