/**
 * Security review of December (issue 16, part A): the fast verifier of agents' machine secrets
 * (F9) and the agent-events table that keeps what agents report out of the people audit trail,
 * with retention and a per-agent rate limit applied by ingest (F21).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { DbDialect } from '../db.js';

export function secAgentsMigration(dialect: DbDialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // `hmac-sha256$key$mac` of the broker password (auth/password.ts machineSecretCheck); null
      // for credentials issued before it existed, which keep the scrypt check until re-issued.
      await db.schema.alterTable('agents').addColumn('mqtt_password_check', 'text').execute();

      const table =
        dialect === 'postgres'
          ? db.schema.createTable('agent_events').addColumn('id', 'bigserial', (c) => c.primaryKey())
          : db.schema.createTable('agent_events').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await table
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('source_id', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('agent_events_ts').on('agent_events').column('ts').execute();
      await db.schema.createIndex('agent_events_agent').on('agent_events').columns(['agent_id', 'ts']).execute();
      await db.schema.createIndex('agent_events_site').on('agent_events').columns(['site_id', 'ts']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('agent_events').ifExists().execute();
      await sql`ALTER TABLE agents DROP COLUMN mqtt_password_check`.execute(db);
    },
  };
}
