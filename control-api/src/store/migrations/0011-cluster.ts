/**
 * Issue 19 (several center instances): the instance registry and the per-site leases.
 * `cluster_instance` is one row per running center process (its advertised URL, start and
 * heartbeat); `site_lease` gives each site to at most one live instance at a time, with a fencing
 * token that rises at every change of holder (cluster/leases.ts). Both exist on SQLite too (one
 * code path), where the single instance owns every site without a lease row.
 */
import type { Kysely, Migration } from 'kysely';

export const clusterMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('cluster_instance')
      .addColumn('instance_id', 'text', (c) => c.primaryKey())
      .addColumn('public_url', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('site_lease')
      .addColumn('site_id', 'text', (c) => c.primaryKey())
      .addColumn('owner_id', 'text')
      .addColumn('fencing', 'bigint', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('site_lease').ifExists().execute();
    await db.schema.dropTable('cluster_instance').ifExists().execute();
  },
};
