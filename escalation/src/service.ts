/**
 * EscalationService: when a gas or flame alarm stays unacknowledged, text the right people in
 * the right order, once each, even across restarts. Planned steps and notifications are rows;
 * every transition is an UPDATE guarded by the previous status, so two ticks (or a restart in
 * between) can never send one step twice. A message caught mid-send by a crash is marked
 * 'unknown' and not resent (at most once beats a duplicate call-out at 3 a.m.).
 */
import type { Alarm } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Dispatcher, type DispatchOptions } from './dispatch.js';
import { handleInbound } from './inbound.js';
import { DEFAULT_POLICY, type EscalationPolicy, matchPolicy, planSteps, tierStopped } from './policy.js';
import type { DeliveryReport, InboundSms, SmsProvider } from './providers/types.js';
import { recoverInterrupted } from './recovery.js';
import { newAckCode, normalizePhone } from './reply.js';
import { dutyBoard, type Roster, tierRecipients } from './roster.js';
import {
  type EscalationTables,
  listNotifications,
  migrateEscalation,
  type NotificationQuery,
  type NotificationRow,
  num,
  readConfigIfChanged,
} from './store.js';
import { advanceOnCamera } from './urgency.js';

export interface EscalationDeps {
  db: Kysely<unknown>;
  providers: SmsProvider[];
  log: Logger;
  now: () => number;
  random?: () => number;
  /** Acknowledgement codes (default crypto.randomInt); tests inject a sequence. */
  randomInt?: (max: number) => number;
  ackAlarm(alarmId: string, actor: string, comment: string): Promise<void>;
  /**
   * May this Gwanje user acknowledge alarms of this site now (role with `ack`, site in scope), and
   * is `phone` the number on their user record? An SMS acknowledgement is made as that user (F16);
   * absent, no SMS reply acknowledges anything.
   */
  userMayAck?(username: string, siteId: string, phone: string): Promise<boolean>;
  /** Writes `alarm.ack` to the audit trail for an SMS acknowledgement. */
  audit?(ev: { actor: string; action: 'alarm.ack'; target: string; detail: Record<string, unknown> }): Promise<void>;
  site(siteId: string): { name: string; nameKo?: string } | undefined;
  isFlood(siteId: string): boolean;
  sensor?(sensorId: string): { gas?: string; unit?: string } | undefined;
  /**
   * Writes an entry to the alarm's journal (AlarmService.annotate): the plan brought forward
   * because the alarm was confirmed on camera. Absent, only the log says so.
   */
  journal?(alarmId: string, action: string, comment: string): void;
  /**
   * Issue 19, a cluster member: whether this instance owns the site now. Given, only the owner
   * runs a site's steps and sends its messages, and a start resets nothing (another instance may
   * be mid-send): what a killed owner left half done is taken up by the next owner
   * (`recoverSite`). Absent: a single center, owner of everything.
   */
  owns?(siteId: string): boolean;
  /** How late a step ran after it was due, in ms (gwanje_escalation_lateness_seconds). */
  onStepLate?(ms: number): void;
  options?: DispatchOptions & { tickMs?: number };
}

export interface AlarmFactsRow {
  siteId: string;
  sourceId: string;
  type: string;
  priority: number;
  value?: number;
  gas?: string;
  unit?: string;
  raisedAt: number;
}

export class EscalationService {
  private db!: Kysely<EscalationTables>;
  private policies: EscalationPolicy[] = [DEFAULT_POLICY];
  private rosters: Roster[] = [];
  private timer?: NodeJS.Timeout;
  private ticking = false;
  /** The config rows' keys and update times last read (loadConfig). */
  private configSeen = '';
  private dispatcher!: Dispatcher;
  /** One alarm's changes are handled in order (a raise and its camera confirmation can arrive together). */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: EscalationDeps) {}

  async start(opts: { timer?: boolean } = {}): Promise<void> {
    this.db = this.deps.db as unknown as Kysely<EscalationTables>;
    await migrateEscalation(this.deps.db);
    this.dispatcher = new Dispatcher(this.db, this.deps);
    await this.loadConfig();
    if (!this.deps.owns) await recoverInterrupted(this.db, this.deps.log);
    const events = {
      inbound: (m: InboundSms) => void this.onInbound(m),
      report: (r: DeliveryReport) => void this.onReport(r),
    };
    for (const p of this.deps.providers) await p.start(events);
    if (opts.timer !== false) {
      this.timer = setInterval(() => void this.tick(), this.deps.options?.tickMs ?? 1000);
      this.timer.unref();
    }
  }

  /**
   * Issue 19: this instance took the site over (a killed or departed owner). Its steps caught
   * mid-run go back to pending (their notifications are unique per step and contact, so a step
   * run twice texts nobody twice) and its sends caught mid-send are marked unknown, never resent.
   */
  recoverSite(siteId: string): Promise<void> {
    return recoverInterrupted(this.db, this.deps.log, siteId);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const p of this.deps.providers) await p.stop();
  }

  /**
   * Policies and rosters from the database, read again when a row changed: with several center
   * instances (issue 19) an admin's edit lands on one of them, and the site's next owner must run
   * the chain by the same policy (a step of an unknown policy is cancelled) and roster.
   */
  private async loadConfig(): Promise<void> {
    const cfg = await readConfigIfChanged(this.db, this.configSeen);
    if (!cfg) return;
    if (cfg.policies) this.policies = JSON.parse(cfg.policies);
    if (cfg.rosters) this.rosters = JSON.parse(cfg.rosters);
    this.configSeen = cfg.seen;
  }

  getPolicies(): EscalationPolicy[] {
    return this.policies;
  }

  getRosters(): Roster[] {
    return this.rosters;
  }

  async setPolicies(policies: EscalationPolicy[]): Promise<void> {
    await this.saveConfig('policies', policies);
    this.policies = policies;
  }

  async setRosters(rosters: Roster[]): Promise<void> {
    await this.saveConfig('rosters', rosters);
    this.rosters = rosters;
  }

  private async saveConfig(key: string, value: unknown): Promise<void> {
    const row = { key, value: JSON.stringify(value), updated_at: this.deps.now() };
    await this.db
      .insertInto('escalation_config')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
      .execute();
  }

  /** "Who is on duty now", per roster and role. */
  dutyNow(siteId?: string): Array<{ roster: string; duty: ReturnType<typeof dutyBoard> }> {
    const now = this.deps.now();
    return this.rosters
      .filter((r) => !siteId || r.siteIds === '*' || r.siteIds.includes(siteId))
      .map((r) => ({ roster: r.id, duty: dutyBoard(r, now) }));
  }

  /** Called with every alarm change (the same stream that feeds Socket.IO); per alarm, in order. */
  onAlarm(alarm: Alarm): Promise<void> {
    const next = (this.chains.get(alarm.id) ?? Promise.resolve()).then(() => this.handle(alarm));
    const tail = next.catch(() => {});
    this.chains.set(alarm.id, tail);
    void tail.then(() => {
      if (this.chains.get(alarm.id) === tail) this.chains.delete(alarm.id);
    });
    return next;
  }

  private async handle(alarm: Alarm): Promise<void> {
    const existing = await this.db
      .selectFrom('escalation_alarm')
      .selectAll()
      .where('alarm_id', '=', alarm.id)
      .executeTakeFirst();
    if (!existing) {
      if (alarm.state !== 'unack') return;
      const policy = matchPolicy(this.policies, alarm);
      if (!policy) return;
      await this.open(alarm, policy);
      await this.urgency(alarm, policy);
      return;
    }
    if (!existing.open) return;
    const policy = this.policies.find((p) => p.id === existing.policy_id);
    if (policy) await this.urgency(alarm, policy);
    const closing = alarm.state === 'normal';
    const pending = await this.db
      .selectFrom('escalation_step')
      .select(['step_id', 'tier'])
      .where('alarm_id', '=', alarm.id)
      .where('status', '=', 'pending')
      .execute();
    for (const step of pending) {
      const tier = policy?.tiers[num(step.tier)];
      if (closing || !tier || tierStopped(tier, alarm)) await this.cancelStep(step.step_id);
    }
    if (closing)
      await this.db.updateTable('escalation_alarm').set({ open: 0 }).where('alarm_id', '=', alarm.id).execute();
  }

  private async open(alarm: Alarm, policy: EscalationPolicy): Promise<void> {
    const taken = await this.db.selectFrom('escalation_alarm').select('code').where('open', '=', 1).execute();
    const code = newAckCode(new Set(taken.map((t) => t.code)), this.deps.randomInt);
    const sensor = alarm.sourceKind === 'sensor' ? this.deps.sensor?.(alarm.sourceId) : undefined;
    const facts: AlarmFactsRow = {
      siteId: alarm.siteId,
      sourceId: alarm.sourceId,
      type: alarm.type,
      priority: alarm.priority,
      value: alarm.value,
      gas: sensor?.gas,
      unit: sensor?.unit,
      raisedAt: alarm.raisedAt,
    };
    const inserted = await this.db
      .insertInto('escalation_alarm')
      .values({
        alarm_id: alarm.id,
        site_id: alarm.siteId,
        policy_id: policy.id,
        code,
        open: 1,
        facts: JSON.stringify(facts),
        created_at: this.deps.now(),
      })
      .onConflict((oc) => oc.column('alarm_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return;
    for (const s of planSteps(policy, alarm)) {
      await this.db
        .insertInto('escalation_step')
        .values({
          step_id: s.stepId,
          alarm_id: s.alarmId,
          tier: s.tier,
          rep: s.rep,
          due_at: s.dueAt,
          status: 'pending',
          done_at: null,
          lateness_ms: null,
        })
        .onConflict((oc) => oc.column('step_id').doNothing())
        .execute();
    }
    this.deps.log.info({ alarmId: alarm.id, policy: policy.id, code }, 'escalation: opened');
  }

  /** Confirmed on camera: the rest of the plan brought forward once (urgency.ts), journaled. */
  private async urgency(alarm: Alarm, policy: EscalationPolicy): Promise<void> {
    const seen = alarm.confirmedOnCamera;
    // An acknowledged, shelved or closed alarm has nothing left to hurry (its steps are cancelled).
    const handled =
      alarm.ackedAt !== undefined || ['acked', 'normal', 'shelved', 'out-of-service'].includes(alarm.state);
    if (!seen || handled) return;
    const moved = await advanceOnCamera(this.db, alarm.id, policy, seen.cameraId, this.deps.now());
    if (!moved) return;
    const sec = Math.round(moved.byMs / 1000);
    const comment = `confirmed on camera ${seen.cameraId}: escalation brought forward by ${sec} s (${moved.steps} pending steps, next: tier ${moved.nextTier} now)`;
    this.deps.log.warn({ alarmId: alarm.id, cameraId: seen.cameraId, byMs: moved.byMs }, `escalation: ${comment}`);
    this.deps.journal?.(alarm.id, 'escalation-advanced', comment);
  }

  private async cancelStep(stepId: string): Promise<void> {
    await this.db
      .updateTable('escalation_step')
      .set({ status: 'cancelled' })
      .where('step_id', '=', stepId)
      .where('status', '=', 'pending')
      .execute();
    await this.db
      .updateTable('sms_notification')
      .set({ status: 'cancelled' })
      .where('step_id', '=', stepId)
      .where('status', 'in', ['pending', 'held'])
      .execute();
  }

  /** Runs due steps, sends due notifications, flushes flood/rate groups. Safe to call concurrently. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.loadConfig();
      await this.runDueSteps();
      await this.dispatcher.sendDue();
      await this.dispatcher.flushGroups();
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, 'escalation: tick failed');
    } finally {
      this.ticking = false;
    }
  }

  private async runDueSteps(): Promise<void> {
    const now = this.deps.now();
    const due = await this.db
      .selectFrom('escalation_step')
      .innerJoin('escalation_alarm', 'escalation_alarm.alarm_id', 'escalation_step.alarm_id')
      .selectAll('escalation_step')
      .select('escalation_alarm.site_id')
      .where('escalation_step.status', '=', 'pending')
      .where('escalation_step.due_at', '<=', now)
      .orderBy('escalation_step.due_at')
      .execute();
    const owns = this.deps.owns;
    for (const step of due) {
      if (owns && !owns(step.site_id)) continue;
      const claimed = await this.db
        .updateTable('escalation_step')
        .set({ status: 'running' })
        .where('step_id', '=', step.step_id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      const esc = await this.db
        .selectFrom('escalation_alarm')
        .selectAll()
        .where('alarm_id', '=', step.alarm_id)
        .executeTakeFirst();
      const tier = this.policies.find((p) => p.id === esc?.policy_id)?.tiers[num(step.tier)];
      if (!esc?.open || !tier) {
        await this.db
          .updateTable('escalation_step')
          .set({ status: 'cancelled' })
          .where('step_id', '=', step.step_id)
          .execute();
        continue;
      }
      const contacts = tierRecipients(this.rosters, tier.recipients, esc.site_id, now);
      if (contacts.length === 0) this.deps.log.warn({ step: step.step_id }, 'escalation: nobody on duty for this tier');
      for (const c of contacts) {
        await this.db
          .insertInto('sms_notification')
          .values({
            id: `${step.step_id}:${c.id}`,
            alarm_id: step.alarm_id,
            site_id: esc.site_id,
            step_id: step.step_id,
            tier: num(step.tier),
            contact_id: c.id,
            contact_name: c.name,
            phone: normalizePhone(c.phone),
            lang: c.lang,
            status: 'pending',
            provider: null,
            message_id: null,
            text: null,
            kind: null,
            attempts: 0,
            due_at: num(step.due_at),
            next_try_at: now,
            submitted_at: null,
            delivered_at: null,
            failed_at: null,
            lateness_ms: null,
            error: null,
            group_id: null,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      await this.db
        .updateTable('escalation_step')
        .set({ status: 'done', done_at: now, lateness_ms: now - num(step.due_at) })
        .where('step_id', '=', step.step_id)
        .execute();
      this.deps.onStepLate?.(now - num(step.due_at));
    }
  }

  /** A reply from a phone: "ACK <code>" (inbound.ts). */
  onInbound(m: InboundSms): Promise<string> {
    return handleInbound({ db: this.db, rosters: this.rosters, deps: this.deps }, m);
  }

  async onReport(r: DeliveryReport): Promise<void> {
    await this.dispatcher.onReport(r);
  }

  /** The SMS log across alarms, filtered and paged (issue 21). */
  notificationLog(q: NotificationQuery): Promise<NotificationRow[]> {
    return listNotifications(this.db, q);
  }

  /** The notification journal of one alarm. */
  async notifications(alarmId: string) {
    return this.dispatcher.journal(alarmId);
  }
}
