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
import { gasSensorConfigMigration } from './0002-gas-sensor-config.js';
import { secAgentsMigration } from './0003-sec-agents.js';
import { sensorDiscoveriesMigration } from './0005-run-sensor-discoveries.js';
import { fireWatchMigration } from './0006-fire-watch.js';
import { directCamerasMigration } from './0010-direct-cameras.js';
import { clusterMigration } from './0011-cluster.js';
import { sitePlansMigration } from './0012-site-plans.js';
import { supervisorMigration } from './0013-supervisor.js';
import { oneStandingAlarmMigration } from './0014-one-standing-alarm.js';
import { wallLayoutsMigration } from './0015-wall-layouts.js';
import { sopChecklistsMigration } from './0018-sop-checklists.js';
import { siteLinkRadiusMigration } from './0020-site-link-radius.js';

function migrations(dialect: DbDialect): Record<string, Migration> {
  return {
    '0001-initial': initialMigration(dialect),
    '0002-gas-sensor-config': gasSensorConfigMigration(),
    '0005-run-sensor-discoveries': sensorDiscoveriesMigration,
    '0006-fire-watch': fireWatchMigration,
    '0003-sec-agents': secAgentsMigration(dialect),
    '0010-direct-cameras': directCamerasMigration,
    '0011-cluster': clusterMigration,
    '0012-site-plans': sitePlansMigration(dialect),
    '0013-supervisor': supervisorMigration,
    '0014-one-standing-alarm': oneStandingAlarmMigration,
    '0015-wall-layouts': wallLayoutsMigration,
    '0018-sop-checklists': sopChecklistsMigration,
    '0020-site-link-radius': siteLinkRadiusMigration,
  };
}

export async function migrateToLatest(db: Kysely<Database>, dialect: DbDialect, log: Logger): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  // Migrations are numbered per branch of work (0002-gas, 0005-run, ...) and may land in any order:
  // a database that already ran a later-numbered one still takes an earlier one merged after it.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info({ migration: r.migrationName }, 'store: migration applied');
    else if (r.status === 'Error') log.error({ migration: r.migrationName }, 'store: migration failed');
  }
  if (error) {
    throw new Error(`store: migration failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
