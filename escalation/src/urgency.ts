/**
 * "Confirmed on camera" makes escalation more urgent (issue 23): when the video detector sees fire
 * on a camera linked to a standing flame or smoke detector alarm, the rest of that alarm's plan is
 * brought forward so its next step is due now, and every later step keeps its spacing after it
 * (as if the alarm had been raised that much earlier). Once per alarm, recorded in the escalation
 * row's facts with a compare-and-set (two instances or two announcements advance it once), and
 * journaled on the alarm by the caller. Never the other way: a camera that shows nothing changes
 * no step, and nothing here cancels, delays or lowers anything.
 */
import type { Kysely } from 'kysely';
import type { EscalationPolicy } from './policy.js';
import { type EscalationTables, num } from './store.js';

export interface Advanced {
  /** How much earlier every pending step is now due (ms, > 0). */
  byMs: number;
  /** Pending steps moved. */
  steps: number;
  /** Tier of the step now due. */
  nextTier: number;
}

export async function advanceOnCamera(
  db: Kysely<EscalationTables>,
  alarmId: string,
  policy: Pick<EscalationPolicy, 'onCameraConfirmed'>,
  cameraId: string,
  now: number,
): Promise<Advanced | undefined> {
  if ((policy.onCameraConfirmed ?? 'advance') !== 'advance') return undefined;
  const row = await db
    .selectFrom('escalation_alarm')
    .select(['facts', 'open'])
    .where('alarm_id', '=', alarmId)
    .executeTakeFirst();
  if (!row?.open) return undefined;
  const facts = JSON.parse(row.facts) as Record<string, unknown>;
  if (facts.cameraConfirmedAt !== undefined) return undefined;
  const marked = await db
    .updateTable('escalation_alarm')
    .set({ facts: JSON.stringify({ ...facts, cameraConfirmedAt: now, cameraConfirmedBy: cameraId }) })
    .where('alarm_id', '=', alarmId)
    .where('facts', '=', row.facts)
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) === 0) return undefined;
  const pending = await db
    .selectFrom('escalation_step')
    .select(['step_id', 'tier', 'due_at'])
    .where('alarm_id', '=', alarmId)
    .where('status', '=', 'pending')
    .orderBy('due_at')
    .execute();
  const next = pending[0];
  const byMs = next ? num(next.due_at) - now : 0;
  if (!next || byMs <= 0) return undefined;
  for (const s of pending) {
    await db
      .updateTable('escalation_step')
      .set({ due_at: num(s.due_at) - byMs })
      .where('step_id', '=', s.step_id)
      .where('status', '=', 'pending')
      .execute();
  }
  return { byMs, steps: pending.length, nextTier: num(next.tier) };
}
