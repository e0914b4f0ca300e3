/**
 * Initial schema. Times are epoch-ms `bigint`, booleans `integer` 0/1 (see tables.ts). The only
 * dialect branches are auto-increment keys and the audit append-only guard.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DbDialect } from '../db.js';

export function initialMigration(dialect: DbDialect): Migration {
  const serialId = (db: Kysely<unknown>, table: string) =>
    dialect === 'postgres'
      ? db.schema.createTable(table).addColumn('id', 'bigserial', (c) => c.primaryKey())
      : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sites')
        .addColumn('site_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_ko', 'text', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('agents')
        .addColumn('agent_id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('mqtt_password_hash', 'text', (c) => c.notNull())
        .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('unknown'))
        .addColumn('last_seen', 'bigint')
        .addColumn('buffered', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'text')
        .addColumn('config_desired', 'text')
        .addColumn('config_applied', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('agents_site').on('agents').column('site_id').execute();

      // Telemetry de-duplication by (agentId, seq) (CONTRACT telemetry): its own narrow table so
      // the hot path never rewrites the agents row.
      await db.schema
        .createTable('agent_seq')
        .addColumn('agent_id', 'text', (c) => c.primaryKey())
        .addColumn('last_seq', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sensors')
        .addColumn('sensor_id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('gas', 'text')
        .addColumn('unit', 'text', (c) => c.notNull())
        .addColumn('name', 'text')
        .addColumn('rules', 'text')
        .addColumn('cameras', 'text')
        .addColumn('interval_ms', 'integer')
        .addColumn('last_value', 'double precision')
        .addColumn('last_ts', 'bigint')
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('unknown'))
        .execute();
      await db.schema.createIndex('sensors_site').on('sensors').column('site_id').execute();
      await db.schema.createIndex('sensors_agent').on('sensors').column('agent_id').execute();

      await db.schema
        .createTable('cameras')
        .addColumn('camera_id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('ptz', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('profiles', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('idle'))
        .execute();
      await db.schema.createIndex('cameras_site').on('cameras').column('site_id').execute();

      await db.schema
        .createTable('alarms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text', (c) => c.notNull())
        .addColumn('source_kind', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'bigint', (c) => c.notNull())
        .addColumn('cleared_at', 'bigint')
        .addColumn('acked_at', 'bigint')
        .addColumn('acked_by', 'text')
        .addColumn('value', 'double precision')
        .addColumn('threshold', 'double precision')
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('cameras', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('active', 'integer')
        .addColumn('latched', 'integer')
        .addColumn('advisory', 'integer')
        .addColumn('chattering', 'integer')
        .addColumn('first_out', 'integer')
        .addColumn('shelved_until', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('latency', 'text')
        .addColumn('extra', 'text')
        .execute();
      await db.schema.createIndex('alarms_raised').on('alarms').column('raised_at').execute();
      await db.schema.createIndex('alarms_site_state').on('alarms').columns(['site_id', 'state']).execute();
      await db.schema.createIndex('alarms_state').on('alarms').column('state').execute();

      await serialId(db, 'alarm_journal')
        .addColumn('alarm_id', 'text', (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text')
        .addColumn('comment', 'text')
        .execute();
      await db.schema.createIndex('alarm_journal_alarm').on('alarm_journal').columns(['alarm_id', 'ts']).execute();

      await db.schema
        .createTable('users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('sites', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('phone', 'text')
        .addColumn('lang', 'text', (c) => c.notNull().defaultTo('ko'))
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('tokens_valid_after', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('username').execute();

      await serialId(db, 'audit')
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_ts').on('audit').column('ts').execute();
      await db.schema.createIndex('audit_actor').on('audit').columns(['actor', 'ts']).execute();
      // The audit trail is append-only in the database itself, not just by API convention:
      // an UPDATE or DELETE fails whoever issues it.
      if (dialect === 'postgres') {
        await sql`CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'audit is append-only'; END $$`.execute(db);
        await sql`CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
          FOR EACH ROW EXECUTE FUNCTION audit_append_only()`.execute(db);
      } else {
        await sql`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
          BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END`.execute(db);
        await sql`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
          BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END`.execute(db);
      }

      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'postgres') await sql`DROP FUNCTION IF EXISTS audit_append_only() CASCADE`.execute(db);
      for (const t of [
        'settings',
        'audit',
        'sessions',
        'users',
        'alarm_journal',
        'alarms',
        'cameras',
        'sensors',
        'agent_seq',
        'agents',
        'sites',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
