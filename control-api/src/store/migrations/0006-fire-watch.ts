/**
 * Issue 23: cameras an admin has marked "fire watch" (the video fire detector runs on them all the
 * time and raises fire-suspected). Its own table, so the cameras table that agents' inventories
 * rewrite stays as it is; a camera that goes away leaves a row that matches nothing.
 */
import type { Kysely, Migration } from 'kysely';

export const fireWatchMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('camera_fire_watch')
      .addColumn('camera_id', 'text', (c) => c.primaryKey())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('camera_fire_watch').ifExists().execute();
  },
};
