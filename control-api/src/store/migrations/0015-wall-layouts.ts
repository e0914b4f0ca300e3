/**
 * Issue 20: each user's video wall (layouts, saved layouts, tour) on the server, so it follows the
 * operator to another console. One row per user; the document is validated by protocol's
 * WallConfig before it is stored.
 */
import type { Kysely, Migration } from 'kysely';

export const wallLayoutsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('wall_layouts')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('wall_layouts').ifExists().execute();
  },
};
