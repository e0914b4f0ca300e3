/**
 * Issue 20: cameras the center pulls itself (CONTRACT `POST /api/v1/cameras`, `source: direct`).
 * The camera row stays in `cameras` (agentId null); how to reach it lives here: the URL without
 * credentials, and the credentials sealed with the center's camera key (video/camera-secrets.ts),
 * so a copy of the database alone does not hand out every camera's password.
 */
import type { Kysely, Migration } from 'kysely';

export const directCamerasMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('camera_sources')
      .addColumn('camera_id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('profile_token', 'text')
      .addColumn('secret', 'text')
      .addColumn('lat', 'double precision')
      .addColumn('lon', 'double precision')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('camera_sources').ifExists().execute();
  },
};
