/**
 * Issue 19: an instance's liveness session. Each cluster member keeps one dedicated PostgreSQL
 * connection open for its whole life and registers that backend's pid and start time with its
 * heartbeat. A `kill -9` closes the socket, PostgreSQL ends the backend at once, and the others see
 * the instance gone at their next lease round instead of after the heartbeat's time-to-live
 * (cluster/leases.ts). Null on rows of instances that registered none (single instances, a
 * pooler): those are judged by their heartbeat alone, as before.
 */
import type { Kysely, Migration } from 'kysely';

export const instanceLivenessMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('cluster_instance').addColumn('liveness_pid', 'integer').execute();
    await db.schema.alterTable('cluster_instance').addColumn('liveness_start', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('cluster_instance').dropColumn('liveness_start').execute();
    await db.schema.alterTable('cluster_instance').dropColumn('liveness_pid').execute();
  },
};
