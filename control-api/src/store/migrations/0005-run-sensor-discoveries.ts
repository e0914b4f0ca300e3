/**
 * Issue 17: field sensors an edge agent adopted from their own description (`events`
 * `sensor-discovered`), listed for an admin to confirm. Its own table, so the sensors table (and
 * whoever extends it) is not touched; a sensor's readings register it in `sensors` as before.
 */
import type { Kysely, Migration } from 'kysely';

export const sensorDiscoveriesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sensor_discoveries')
      .addColumn('sensor_id', 'text', (c) => c.primaryKey())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('metric', 'text', (c) => c.notNull())
      .addColumn('gas', 'text')
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('discovered_at', 'bigint', (c) => c.notNull())
      .addColumn('confirmed_at', 'bigint')
      .addColumn('confirmed_by', 'text')
      .execute();
    await db.schema.createIndex('sensor_discoveries_site').on('sensor_discoveries').column('site_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('sensor_discoveries').execute();
  },
};
