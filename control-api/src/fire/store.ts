/** Fire-watch flags per camera (migration 0006-fire-watch), on the shared database, SQLite or PostgreSQL. */
import type { Kysely } from 'kysely';

interface FireWatchTables {
  camera_fire_watch: { camera_id: string; enabled: number; updated_at: number; updated_by: string };
}

export class FireWatchStore {
  constructor(private readonly db: Kysely<FireWatchTables>) {}

  async enabled(): Promise<string[]> {
    const rows = await this.db.selectFrom('camera_fire_watch').select('camera_id').where('enabled', '=', 1).execute();
    return rows.map((r) => r.camera_id);
  }

  async set(cameraId: string, enabled: boolean, by: string, now: number): Promise<void> {
    const row = { camera_id: cameraId, enabled: enabled ? 1 : 0, updated_at: now, updated_by: by };
    await this.db
      .insertInto('camera_fire_watch')
      .values(row)
      .onConflict((oc) => oc.column('camera_id').doUpdateSet({ enabled: row.enabled, updated_at: now, updated_by: by }))
      .execute();
  }
}

export type { FireWatchTables };
