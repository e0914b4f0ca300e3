/**
 * Work a crash left half done (issue 8 restart, issue 19 takeover): sends caught mid-send may or
 * may not have reached the carrier, so they are marked `unknown` and never resent (at most once
 * beats a duplicate call-out at 3 a.m.); steps caught mid-run go back to pending, which texts
 * nobody twice because notifications are unique per step and contact and every send inserts its
 * send-once row first (dispatch.ts).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { EscalationTables } from './store.js';

/** Of one site (a cluster member taking it over), or of every site (a single center's start). */
export async function recoverInterrupted(db: Kysely<EscalationTables>, log: Logger, siteId?: string): Promise<void> {
  let stuck = db
    .updateTable('sms_notification')
    .set({ status: 'unknown', error: 'interrupted by restart while sending' })
    .where('status', '=', 'sending');
  if (siteId !== undefined) stuck = stuck.where('site_id', '=', siteId);
  const n = Number((await stuck.executeTakeFirst()).numUpdatedRows);
  if (n > 0) log.warn({ count: n, siteId }, 'escalation: sends interrupted by restart marked unknown');
  let steps = db.updateTable('escalation_step').set({ status: 'pending' }).where('status', '=', 'running');
  if (siteId !== undefined)
    steps = steps.where('alarm_id', 'in', (eb) =>
      eb.selectFrom('escalation_alarm').select('alarm_id').where('site_id', '=', siteId),
    );
  await steps.execute();
}
