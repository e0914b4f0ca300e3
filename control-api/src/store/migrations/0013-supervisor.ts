/**
 * Issue 21 (supervisor screens): the audit trail gets the site an entry concerns, so a supervisor
 * can read the trail of their own sites and filter by site; and every config envelope pushed to an
 * agent is kept (secrets masked) so the console can show desired vs reported config as a diff.
 * Older audit rows keep a null site (the table is append-only: no backfill by UPDATE).
 */
import type { Kysely, Migration } from 'kysely';

export const supervisorMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('audit').addColumn('site_id', 'text').execute();
    await db.schema.createIndex('audit_site_ts').on('audit').columns(['site_id', 'ts']).execute();
    await db.schema
      .createTable('agent_config_push')
      .addColumn('agent_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('site_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('pushed_at', 'bigint', (c) => c.notNull())
      .addColumn('pushed_by', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('agent_config_push_pk', ['agent_id', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('agent_config_push').ifExists().execute();
    await db.schema.dropIndex('audit_site_ts').ifExists().execute();
    await db.schema.alterTable('audit').dropColumn('site_id').execute();
  },
};
