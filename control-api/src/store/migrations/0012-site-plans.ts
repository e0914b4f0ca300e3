/**
 * Issue 21 part B: the site plan (one image per site, in the database so every center instance of
 * a cluster serves it) and where each sensor and camera sits on it. Positions have their own table,
 * so an agent's inventory, which rewrites its cameras, never moves a device an admin placed.
 */
import type { Kysely, Migration } from 'kysely';
import type { DbDialect } from '../db.js';

export function sitePlansMigration(dialect: DbDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('site_plans')
        .addColumn('site_id', 'text', (c) => c.primaryKey())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('image', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('device_positions')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('x', 'real', (c) => c.notNull())
        .addColumn('y', 'real', (c) => c.notNull())
        .addColumn('direction', 'real')
        .addColumn('fov', 'real')
        .addColumn('range', 'real')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('device_positions_pk', ['kind', 'device_id'])
        .execute();
      await db.schema.createIndex('device_positions_site').on('device_positions').column('site_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('device_positions').ifExists().execute();
      await db.schema.dropTable('site_plans').ifExists().execute();
    },
  };
}
