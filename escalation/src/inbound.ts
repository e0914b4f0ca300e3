/**
 * Replies from phones (security review F16). "ACK <6-digit code>" acknowledges that alarm as the
 * Gwanje user the sender's roster entry names, when a roster covering the alarm's site lists the
 * sender and that user may acknowledge there now (role with `ack`, the site in their sites). The
 * acknowledgement is journaled and audited as that user. A phone that sent `WRONG_CODE_LIMIT`
 * wrong codes within `WRONG_CODE_WINDOW_MS` is ignored, so codes cannot be guessed by SMS. Every
 * reply is kept in `sms_inbound` with its outcome.
 */
import type { Kysely } from 'kysely';
import type { InboundSms } from './providers/types.js';
import { normalizePhone, parseAckReply } from './reply.js';
import { contactByPhone, type Roster } from './roster.js';
import type { EscalationDeps } from './service.js';
import type { EscalationTables } from './store.js';

export const WRONG_CODE_LIMIT = 5;
export const WRONG_CODE_WINDOW_MS = 60 * 60_000;

export interface InboundContext {
  db: Kysely<EscalationTables>;
  rosters: Roster[];
  deps: Pick<EscalationDeps, 'now' | 'random' | 'log' | 'ackAlarm' | 'userMayAck' | 'audit'>;
}

export async function handleInbound(ctx: InboundContext, m: InboundSms): Promise<string> {
  const phone = normalizePhone(m.from);
  const { outcome, alarmId } = await outcomeOf(ctx, m, phone);
  const { deps } = ctx;
  const log = outcome === 'acked' ? deps.log.info.bind(deps.log) : deps.log.warn.bind(deps.log);
  log({ provider: m.provider, from: phone, outcome, alarmId }, 'escalation: inbound SMS');
  await ctx.db
    .insertInto('sms_inbound')
    .values({
      id: `${deps.now()}-${Math.floor((deps.random ?? Math.random)() * 1e9)}`,
      ts: deps.now(),
      provider: m.provider,
      from_phone: phone,
      text: m.text.slice(0, 500),
      outcome,
      alarm_id: alarmId,
    })
    .execute();
  return outcome;
}

async function outcomeOf(
  ctx: InboundContext,
  m: InboundSms,
  phone: string,
): Promise<{ outcome: string; alarmId: string | null }> {
  const none = (outcome: string) => ({ outcome, alarmId: null });
  const reply = parseAckReply(m.text);
  const senders = ctx.rosters.flatMap((r) => {
    const c = contactByPhone(r, phone, normalizePhone);
    return c ? [{ r, c }] : [];
  });
  if (senders.length === 0) return none('unknown-sender');
  if (!reply) return none('unparsed');
  if ((await recentWrongCodes(ctx, phone)) >= WRONG_CODE_LIMIT) return none('sender-throttled');
  const esc = await ctx.db
    .selectFrom('escalation_alarm')
    .selectAll()
    .where('code', '=', reply.code)
    .where('open', '=', 1)
    .executeTakeFirst();
  if (!esc) return none('wrong-code');
  const on = senders.find(({ r }) => r.siteIds === '*' || r.siteIds.includes(esc.site_id));
  if (!on) return none('not-on-roster-for-site');
  const username = on.c.username;
  if (!username) return none('no-user');
  if (!(await ctx.deps.userMayAck?.(username, esc.site_id, phone))) return none('user-may-not-ack');
  try {
    await ctx.deps.ackAlarm(esc.alarm_id, username, `SMS reply from ${phone} via ${m.provider}`);
  } catch (err) {
    return { outcome: `ack-failed: ${(err as Error).message}`.slice(0, 64), alarmId: esc.alarm_id };
  }
  await ctx.deps.audit?.({
    actor: username,
    action: 'alarm.ack',
    target: esc.alarm_id,
    detail: { via: 'sms', provider: m.provider, contact: on.c.id, roster: on.r.id, siteId: esc.site_id },
  });
  return { outcome: 'acked', alarmId: esc.alarm_id };
}

async function recentWrongCodes(ctx: InboundContext, phone: string): Promise<number> {
  const rows = await ctx.db
    .selectFrom('sms_inbound')
    .select('id')
    .where('from_phone', '=', phone)
    .where('outcome', '=', 'wrong-code')
    .where('ts', '>', ctx.deps.now() - WRONG_CODE_WINDOW_MS)
    .execute();
  return rows.length;
}
