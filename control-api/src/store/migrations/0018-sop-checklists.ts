/**
 * Issue 21 part B: SOP checklists per alarm type and site, configured by supervisors. `site_id`
 * '*' holds the province-wide checklist of a type, used where a site has none of its own. Ticks
 * are not stored here: each is an entry of the alarm's journal (action `sop-step`).
 */
import type { Kysely, Migration } from 'kysely';

export const sopChecklistsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sop_checklists')
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('alarm_type', 'text', (c) => c.notNull())
      .addColumn('steps', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('sop_checklists_pk', ['site_id', 'alarm_type'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('sop_checklists').ifExists().execute();
  },
};
