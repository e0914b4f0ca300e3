/**
 * Sending notifications: claim -> send with failover -> record; flood grouping and per-recipient
 * rate limits hold messages and send one summary per group. Every status change is guarded by
 * the previous status, which is what makes a step exactly-once across ticks and restarts.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { alarmSms, floodSummarySms } from './message.js';
import { type DeliveryReport, type SmsProvider, sendWithFailover } from './providers/types.js';
import type { AlarmFactsRow } from './service.js';
import { type EscalationTables, type NotificationRow, normalizeRow, num } from './store.js';

export interface DispatchOptions {
  /** How long flood-held messages wait to be summarised together. */
  groupWindowMs?: number;
  /** At most `max` messages per phone per `windowMs`; the rest are summarised. */
  ratePerRecipient?: { max: number; windowMs: number };
  maxAttempts?: number;
  retryMs?: number;
}

interface Deps {
  providers: SmsProvider[];
  log: Logger;
  now: () => number;
  site(siteId: string): { name: string; nameKo?: string } | undefined;
  isFlood(siteId: string): boolean;
  /**
   * Issue 19, a cluster member: whether this instance owns the site now. Only a site's owner sends
   * its notifications (a killed owner's are taken up by the next one, EscalationService.recoverSite).
   * Absent: every site (a single center).
   */
  owns?(siteId: string): boolean;
  options?: DispatchOptions;
}

export class Dispatcher {
  constructor(
    private readonly db: Kysely<EscalationTables>,
    private readonly deps: Deps,
  ) {}

  private get opts(): Required<DispatchOptions> {
    return {
      groupWindowMs: 30_000,
      ratePerRecipient: { max: 6, windowMs: 10 * 60_000 },
      maxAttempts: 4,
      retryMs: 5_000,
      ...this.deps.options,
    };
  }

  private async facts(alarmId: string): Promise<(AlarmFactsRow & { code: string }) | undefined> {
    const row = await this.db
      .selectFrom('escalation_alarm')
      .select(['facts', 'code'])
      .where('alarm_id', '=', alarmId)
      .executeTakeFirst();
    return row ? { ...(JSON.parse(row.facts) as AlarmFactsRow), code: row.code } : undefined;
  }

  private async recentlySent(phone: string, now: number): Promise<number> {
    const r = await this.db
      .selectFrom('sms_notification')
      .select((eb) => eb.fn.count<number>('message_id').distinct().as('n'))
      .where('phone', '=', phone)
      .where('submitted_at', '>', now - this.opts.ratePerRecipient.windowMs)
      .executeTakeFirst();
    return num(r?.n ?? 0);
  }

  async sendDue(): Promise<void> {
    const now = this.deps.now();
    const due = await this.db
      .selectFrom('sms_notification')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_try_at', '<=', now)
      .orderBy('due_at')
      .execute();
    for (const raw of due) {
      const n = normalizeRow(raw);
      if (this.deps.owns && !this.deps.owns(n.site_id)) continue;
      if (!(await this.claim(n.id, 'pending'))) continue;
      if (this.deps.isFlood(n.site_id)) {
        await this.hold(n.id, `flood:${n.site_id}:${n.phone}`);
        continue;
      }
      if ((await this.recentlySent(n.phone, now)) >= this.opts.ratePerRecipient.max) {
        await this.hold(n.id, `rate:${n.site_id}:${n.phone}`);
        continue;
      }
      const f = await this.facts(n.alarm_id);
      if (!f) {
        await this.db
          .updateTable('sms_notification')
          .set({ status: 'cancelled', error: 'escalation record missing' })
          .where('id', '=', n.id)
          .execute();
        continue;
      }
      const site = this.deps.site(f.siteId);
      const msg = alarmSms(
        { ...f, siteName: site?.name ?? f.siteId, siteNameKo: site?.nameKo },
        n.lang === 'en' ? 'en' : 'ko',
      );
      await this.deliver([n], msg.text, msg.kind, now);
    }
  }

  private async hold(id: string, group: string): Promise<void> {
    await this.db
      .updateTable('sms_notification')
      .set({ status: 'held', group_id: group })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .execute();
  }

  /**
   * Inserts the send-once row of each notification before its text goes out (issue 19); the rows
   * whose (alarm, step, contact) was already sent are marked `unknown` and left out.
   */
  private async claimSends(rows: NotificationRow[], now: number): Promise<NotificationRow[]> {
    const mine: NotificationRow[] = [];
    for (const r of rows) {
      const ins = await this.db
        .insertInto('escalation_send')
        .values({
          alarm_id: r.alarm_id,
          step_id: r.step_id,
          contact_id: r.contact_id,
          notification_id: r.id,
          claimed_at: now,
        })
        .onConflict((oc) => oc.columns(['alarm_id', 'step_id', 'contact_id']).doNothing())
        .executeTakeFirst();
      if (Number(ins.numInsertedOrUpdatedRows ?? 0) > 0) {
        mine.push(r);
        continue;
      }
      await this.db
        .updateTable('sms_notification')
        .set({ status: 'unknown', error: 'this step was already sent to this contact' })
        .where('id', '=', r.id)
        .where('status', '=', 'sending')
        .execute();
      this.deps.log.warn({ notification: r.id }, 'escalation: step already sent to this contact; not sent again');
    }
    return mine;
  }

  /** A send that failed outright may be retried: its send-once rows go. */
  private async releaseSends(rows: NotificationRow[]): Promise<void> {
    for (const r of rows)
      await this.db
        .deleteFrom('escalation_send')
        .where('alarm_id', '=', r.alarm_id)
        .where('step_id', '=', r.step_id)
        .where('contact_id', '=', r.contact_id)
        .where('notification_id', '=', r.id)
        .execute();
  }

  /** Sends one text for one or more notification rows (a summary covers a whole group). */
  private async deliver(all: NotificationRow[], text: string, kind: 'SMS' | 'LMS', now: number): Promise<void> {
    const rows = await this.claimSends(all, now);
    if (rows.length === 0) return;
    const first = rows[0];
    const ids = rows.map((r) => r.id);
    try {
      const res = await sendWithFailover(this.deps.providers, { to: first.phone, text, kind, ref: first.id });
      for (const r of rows) {
        await this.db
          .updateTable('sms_notification')
          .set({
            status: rows.length > 1 || r.group_id ? 'grouped' : 'submitted',
            provider: res.provider,
            message_id: res.messageId,
            text,
            kind,
            submitted_at: now,
            lateness_ms: now - r.due_at,
            attempts: r.attempts + 1,
            error: res.errors.length ? res.errors.join(' | ').slice(0, 1000) : null,
          })
          .where('id', '=', r.id)
          .execute();
      }
      this.deps.log.info(
        { to: first.phone, provider: res.provider, messageId: res.messageId, rows: ids.length },
        'escalation: SMS submitted',
      );
    } catch (err) {
      await this.releaseSends(rows);
      const attempts = first.attempts + 1;
      const final = attempts >= this.opts.maxAttempts;
      for (const r of rows) {
        await this.db
          .updateTable('sms_notification')
          .set({
            status: final ? 'failed' : r.group_id ? 'held' : 'pending',
            attempts,
            failed_at: final ? now : null,
            next_try_at: now + this.opts.retryMs * 2 ** (attempts - 1),
            error: (err as Error).message.slice(0, 1000),
          })
          .where('id', '=', r.id)
          .execute();
      }
      this.deps.log.warn(
        { to: first.phone, attempts, final, err: (err as Error).message },
        'escalation: SMS send failed',
      );
    }
  }

  /** Sends one summary per held group once its window has passed (and, for rate groups, the limit allows). */
  async flushGroups(): Promise<void> {
    const now = this.deps.now();
    const held = (
      await this.db
        .selectFrom('sms_notification')
        .selectAll()
        .where('status', '=', 'held')
        .where('next_try_at', '<=', now)
        .orderBy('due_at')
        .execute()
    )
      .map(normalizeRow)
      .filter((n) => !this.deps.owns || this.deps.owns(n.site_id));
    const groups = new Map<string, NotificationRow[]>();
    for (const n of held) groups.set(n.group_id ?? n.id, [...(groups.get(n.group_id ?? n.id) ?? []), n]);
    for (const [group, groupRows] of groups) {
      const oldest = Math.min(...groupRows.map((r) => r.due_at));
      if (oldest + this.opts.groupWindowMs > now) continue;
      if (
        group.startsWith('rate:') &&
        (await this.recentlySent(groupRows[0].phone, now)) >= this.opts.ratePerRecipient.max
      )
        continue;
      const first = await this.facts(groupRows[0].alarm_id);
      if (!first) continue;
      // Claimed like a pending row (held -> sending), so two instances never both send a summary.
      const rows = await this.claimHeld(groupRows);
      if (rows.length === 0) continue;
      const alarmIds = [...new Set(rows.map((r) => r.alarm_id))];
      const site = this.deps.site(first.siteId);
      const lang = rows[0].lang === 'en' ? 'en' : 'ko';
      const siteName = site?.name ?? first.siteId;
      const msg =
        alarmIds.length === 1
          ? alarmSms({ ...first, siteName, siteNameKo: site?.nameKo }, lang)
          : floodSummarySms(
              { siteName, siteNameKo: site?.nameKo, count: alarmIds.length, first: { ...first, siteName } },
              lang,
            );
      await this.deliver(rows, msg.text, msg.kind, now);
    }
  }

  /** Takes a notification to `sending` if it is still in `from`: one claimer wins. */
  private async claim(id: string, from: 'pending' | 'held'): Promise<boolean> {
    const claimed = await this.db
      .updateTable('sms_notification')
      .set({ status: 'sending' })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) > 0;
  }

  private async claimHeld(rows: NotificationRow[]): Promise<NotificationRow[]> {
    const mine: NotificationRow[] = [];
    for (const r of rows) if (await this.claim(r.id, 'held')) mine.push(r);
    return mine;
  }

  async onReport(r: DeliveryReport): Promise<void> {
    const now = this.deps.now();
    const messageId = r.messageId;
    if (!messageId) return;
    if (r.status === 'delivered') {
      await this.db
        .updateTable('sms_notification')
        .set({ status: 'delivered', delivered_at: now })
        .where('message_id', '=', messageId)
        .where('status', 'in', ['submitted', 'grouped'])
        .execute();
    } else if (r.status === 'failed') {
      await this.db
        .updateTable('sms_notification')
        .set({ status: 'failed', failed_at: now, error: `delivery report: ${r.detail ?? 'failed'}` })
        .where('message_id', '=', messageId)
        .where('status', 'in', ['submitted', 'grouped'])
        .execute();
    }
  }

  async journal(alarmId: string): Promise<NotificationRow[]> {
    const rows = await this.db
      .selectFrom('sms_notification')
      .selectAll()
      .where('alarm_id', '=', alarmId)
      .orderBy('due_at')
      .orderBy('id')
      .execute();
    return rows.map(normalizeRow);
  }
}
