/**
 * Migrations run by Kysely's Migrator from an in-code provider (no files read at runtime, so the
 * same list works under tsx and in a bundle). Migrations name physical snake_case columns and
 * run on a plugin-free Kysely. Add a migration by appending to MIGRATIONS; never edit a shipped one.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Logger } from 'pino';
import type { DbDialect } from '../db.js';
import type { Database } from '../tables.js';
import { initialMigration } from './0001-initial.js';
import { secAgentsMigration } from './0003-sec-agents.js';

function migrations(dialect: DbDialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0003-sec-agents': secAgentsMigration(dialect),
  };
}

export async function migrateToLatest(db: Kysely<Database>, dialect: DbDialect, log: Logger): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info({ migration: r.migrationName }, 'store: migration applied');
    else if (r.status === 'Error') log.error({ migration: r.migrationName }, 'store: migration failed');
  }
  if (error) {
    throw new Error(`store: migration failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
