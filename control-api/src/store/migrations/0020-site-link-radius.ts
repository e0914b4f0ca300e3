/**
 * Issue 21: the radius, per site, within which a sensor placed on the plan is linked to cameras
 * whose field of view is not entered (fraction of the plan's width). No row: the center's default
 * (DEFAULT_LINK_RADIUS). Kept apart from `site_plans`: a site may place devices without a plan image.
 * And a sensor's zone on the plan (`device_positions.zone`, e.g. "Boiler room"): a PTZ camera with a
 * preset of that name is turned to it on the sensor's alarm (plans/presets.ts).
 */
import type { Kysely, Migration } from 'kysely';

export const siteLinkRadiusMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('site_link_settings')
      .addColumn('site_id', 'text', (c) => c.primaryKey())
      .addColumn('link_radius', 'real', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('device_positions').addColumn('zone', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('device_positions').dropColumn('zone').execute();
    await db.schema.dropTable('site_link_settings').ifExists().execute();
  },
};
