/**
 * Persistence of escalations (own migration set, so the module plugs into the shared database
 * without touching the core schema): configuration documents, per-alarm escalation, planned
 * steps, and the notification journal. One Kysely code path for SQLite and PostgreSQL.
 * Uniqueness of (step, contact) is what makes "never twice for the same tier" hold across restarts.
 */
import { type Kysely, type Migration, Migrator, sql } from 'kysely';

export interface EscalationTables {
  escalation_config: { key: string; value: string; updated_at: number };
  escalation_alarm: {
    alarm_id: string;
    site_id: string;
    policy_id: string;
    code: string;
    open: number;
    facts: string;
    created_at: number;
  };
  escalation_step: {
    step_id: string;
    alarm_id: string;
    tier: number;
    rep: number;
    due_at: number;
    status: 'pending' | 'running' | 'done' | 'cancelled';
    done_at: number | null;
    lateness_ms: number | null;
  };
  sms_notification: {
    id: string;
    alarm_id: string;
    site_id: string;
    step_id: string;
    tier: number;
    contact_id: string;
    contact_name: string;
    phone: string;
    lang: string;
    status: NotificationStatus;
    provider: string | null;
    message_id: string | null;
    text: string | null;
    kind: string | null;
    attempts: number;
    due_at: number;
    next_try_at: number;
    submitted_at: number | null;
    delivered_at: number | null;
    failed_at: number | null;
    lateness_ms: number | null;
    error: string | null;
    group_id: string | null;
  };
  /**
   * One row per SMS actually handed to a provider (issue 19): inserted before the send, keyed by
   * (alarm, step, contact), so two center instances (or one instance after a reset) can never
   * both send the same step of an alarm to the same person. Removed again only when the send
   * failed outright and is to be retried.
   */
  escalation_send: {
    alarm_id: string;
    step_id: string;
    contact_id: string;
    notification_id: string;
    claimed_at: number;
  };
  sms_inbound: {
    id: string;
    ts: number;
    provider: string;
    from_phone: string;
    text: string;
    outcome: string;
    alarm_id: string | null;
  };
}

export const NOTIFICATION_STATUSES = [
  'pending',
  'held',
  'sending',
  'submitted',
  'delivered',
  'failed',
  'unknown',
  'grouped',
  'cancelled',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export type NotificationRow = EscalationTables['sms_notification'];

const bigint = 'bigint' as const;

const migrations: Record<string, Migration> = {
  '001_escalation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('escalation_config')
        .ifNotExists()
        .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('escalation_alarm')
        .ifNotExists()
        .addColumn('alarm_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('site_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('policy_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('code', 'varchar(8)', (c) => c.notNull())
        .addColumn('open', 'integer', (c) => c.notNull())
        .addColumn('facts', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('escalation_step')
        .ifNotExists()
        .addColumn('step_id', 'varchar(160)', (c) => c.primaryKey())
        .addColumn('alarm_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('tier', 'integer', (c) => c.notNull())
        .addColumn('rep', 'integer', (c) => c.notNull())
        .addColumn('due_at', bigint, (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('done_at', bigint)
        .addColumn('lateness_ms', bigint)
        .execute();
      await db.schema
        .createIndex('escalation_step_due')
        .ifNotExists()
        .on('escalation_step')
        .columns(['status', 'due_at'])
        .execute();
      await db.schema
        .createTable('sms_notification')
        .ifNotExists()
        .addColumn('id', 'varchar(240)', (c) => c.primaryKey())
        .addColumn('alarm_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('site_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('step_id', 'varchar(160)', (c) => c.notNull())
        .addColumn('tier', 'integer', (c) => c.notNull())
        .addColumn('contact_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('contact_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('phone', 'varchar(32)', (c) => c.notNull())
        .addColumn('lang', 'varchar(4)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('provider', 'varchar(32)')
        .addColumn('message_id', 'varchar(128)')
        .addColumn('text', 'text')
        .addColumn('kind', 'varchar(4)')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('due_at', bigint, (c) => c.notNull())
        .addColumn('next_try_at', bigint, (c) => c.notNull())
        .addColumn('submitted_at', bigint)
        .addColumn('delivered_at', bigint)
        .addColumn('failed_at', bigint)
        .addColumn('lateness_ms', bigint)
        .addColumn('error', 'text')
        .addColumn('group_id', 'varchar(240)')
        .execute();
      await db.schema
        .createIndex('sms_notification_status')
        .ifNotExists()
        .on('sms_notification')
        .columns(['status', 'next_try_at'])
        .execute();
      await db.schema
        .createIndex('sms_notification_msg')
        .ifNotExists()
        .on('sms_notification')
        .column('message_id')
        .execute();
      await db.schema
        .createTable('sms_inbound')
        .ifNotExists()
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('ts', bigint, (c) => c.notNull())
        .addColumn('provider', 'varchar(32)', (c) => c.notNull())
        .addColumn('from_phone', 'varchar(32)', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('outcome', 'varchar(64)', (c) => c.notNull())
        .addColumn('alarm_id', 'varchar(128)')
        .execute();
    },
  },
  // Escalation's own migration set (not the core's numbered ones): named to sort after 001.
  '002_send_claims': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('escalation_send')
        .ifNotExists()
        .addColumn('alarm_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('step_id', 'varchar(160)', (c) => c.notNull())
        .addColumn('contact_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('notification_id', 'varchar(240)', (c) => c.notNull())
        .addColumn('claimed_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('escalation_send_once', ['alarm_id', 'step_id', 'contact_id'])
        .execute();
    },
  },
};

export async function migrateEscalation(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'gwanje_escalation_migration',
    migrationLockTableName: 'gwanje_escalation_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new Error(`escalation: migration failed: ${(error as Error).message}`);
}

/**
 * The configuration documents (JSON text) when any row changed since `seen` (their keys and
 * update times), with the new `seen`; undefined when nothing changed.
 */
export async function readConfigIfChanged(
  db: Kysely<EscalationTables>,
  seen: string,
): Promise<{ seen: string; policies?: string; rosters?: string } | undefined> {
  const stamps = await db.selectFrom('escalation_config').select(['key', 'updated_at']).execute();
  const now = stamps.map((r) => `${r.key}@${r.updated_at}`).join(',');
  if (now === seen) return undefined;
  const rows = await db.selectFrom('escalation_config').selectAll().execute();
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  return { seen: now, policies: value('policies'), rosters: value('rosters') };
}

/** PostgreSQL returns bigint columns as strings: every time value goes through this. */
export const num = (v: unknown): number => (v === null || v === undefined ? Number.NaN : Number(v));

export function normalizeRow(r: NotificationRow): NotificationRow {
  const t = (v: number | null) => (v === null ? null : num(v));
  return {
    ...r,
    due_at: num(r.due_at),
    next_try_at: num(r.next_try_at),
    submitted_at: t(r.submitted_at),
    delivered_at: t(r.delivered_at),
    failed_at: t(r.failed_at),
    lateness_ms: t(r.lateness_ms),
    attempts: num(r.attempts),
    tier: num(r.tier),
  };
}

export interface NotificationQuery {
  siteIds: string[] | '*';
  alarmId?: string;
  status?: NotificationStatus;
  /** Due time window, epoch ms; `to` exclusive. */
  from?: number;
  to?: number;
  /** Paging: rows due strictly before this (the last row's `dueAt` of the previous page) ... */
  beforeDue?: number;
  /** ... and, on the same due time, with an id below this one. */
  beforeId?: string;
  limit: number;
}

/** The SMS log across alarms (issue 21), newest first, keyset-paged on (due_at, id). */
export async function listNotifications(
  db: Kysely<EscalationTables>,
  q: NotificationQuery,
): Promise<NotificationRow[]> {
  let s = db.selectFrom('sms_notification').selectAll().orderBy('due_at', 'desc').orderBy('id', 'desc').limit(q.limit);
  if (q.siteIds !== '*') {
    if (q.siteIds.length === 0) return [];
    s = s.where('site_id', 'in', q.siteIds);
  }
  if (q.alarmId !== undefined) s = s.where('alarm_id', '=', q.alarmId);
  if (q.status !== undefined) s = s.where('status', '=', q.status);
  if (q.from !== undefined) s = s.where('due_at', '>=', q.from);
  if (q.to !== undefined) s = s.where('due_at', '<', q.to);
  const { beforeDue, beforeId } = q;
  if (beforeDue !== undefined) {
    s = s.where((eb) =>
      eb.or([
        eb('due_at', '<', beforeDue),
        ...(beforeId !== undefined ? [eb.and([eb('due_at', '=', beforeDue), eb('id', '<', beforeId)])] : []),
      ]),
    );
  }
  return (await s.execute()).map(normalizeRow);
}

export { sql };
