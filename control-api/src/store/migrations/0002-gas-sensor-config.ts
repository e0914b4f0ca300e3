/**
 * Issue 15: what the center knows of each sensor's configuration, and journal entries as data.
 * - sensors: the measuring range (from the agent's `sensors` report or an admin) and where it
 *   came from, the agent's calibration and rule overrides, the agent config version, when the
 *   agent last reported it, and whether an admin put it out of service (maintenance, bump test).
 * - alarm_journal: `facts`, JSON of what a system-made entry says (rendered by the console).
 * Additive columns only, so rows of an older center read unchanged.
 */
import type { Kysely, Migration } from 'kysely';

const SENSOR_COLUMNS: [string, 'double precision' | 'text' | 'bigint'][] = [
  ['range_min', 'double precision'],
  ['range_max', 'double precision'],
  ['range_source', 'text'],
  ['calibration', 'text'],
  ['agent_rules', 'text'],
  ['config_version', 'text'],
  ['reported_at', 'bigint'],
  ['out_of_service', 'text'],
];

export function gasSensorConfigMigration(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const [name, type] of SENSOR_COLUMNS) {
        await db.schema.alterTable('sensors').addColumn(name, type).execute();
      }
      await db.schema.alterTable('alarm_journal').addColumn('facts', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('alarm_journal').dropColumn('facts').execute();
      for (const [name] of SENSOR_COLUMNS) await db.schema.alterTable('sensors').dropColumn(name).execute();
    },
  };
}
