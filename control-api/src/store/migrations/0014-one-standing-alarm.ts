/**
 * Issue 19: one standing alarm per condition, guaranteed by the database, not only by each
 * instance's memory: a partial unique index on the alarm's source, type and advisory slot over
 * every state but `normal` (the same key the ISA-18.2 state machine keeps standing alarms by).
 * Two center instances that both raised a condition (a split brain around a takeover) cannot both
 * store it; the second adopts the first (alarms/service.ts).
 *
 * Databases from before this fix may hold duplicates (the defect issue 19 reports: two alarms with
 * two ids for one condition): all but the oldest of each are closed first, journaled as such.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const oneStandingAlarmMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const dupes = await sql<{ id: string; state: string }>`
      select id, state from (
        select id, state, row_number() over (
          partition by source_id, type, coalesce(advisory, 0) order by raised_at, id) as n
        from alarms where state <> 'normal') ranked
      where n > 1`.execute(db);
    const now = Date.now();
    for (const d of dupes.rows) {
      await sql`update alarms set state = 'normal', cleared_at = coalesce(cleared_at, ${now}), updated_at = ${now}
        where id = ${d.id}`.execute(db);
      await sql`insert into alarm_journal (alarm_id, ts, action, actor, from_state, to_state, comment)
        values (${d.id}, ${now}, 'close', 'system', ${d.state}, 'normal',
          'duplicate of an older standing alarm of the same condition (issue 19)')`.execute(db);
    }
    await sql`create unique index alarms_one_standing on alarms (source_id, type, coalesce(advisory, 0))
      where state <> 'normal'`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`drop index if exists alarms_one_standing`.execute(db);
  },
};
