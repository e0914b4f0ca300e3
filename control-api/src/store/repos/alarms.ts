/** Alarms (the CONTRACT alarm object plus protocol extensions) and their ISA-18.2 journal. */
import {
  type Alarm,
  AlarmFacts,
  type AlarmState,
  type JournalEntry,
  LatencyJournal,
  type Priority,
  type SourceKind,
} from '@gwanje/protocol';
import { Type } from '@sinclair/typebox';
import type { Kysely, Selectable } from 'kysely';
import type { StoredJson } from '../stored-json.js';
import type { AlarmJournalTable, AlarmsTable, Database } from '../tables.js';
import type { AlarmQuery, SiteScope } from '../types.js';
import { optInt, scopeSites } from './scope.js';

export const ALARM_LIST_DEFAULT_LIMIT = 500;
export const ALARM_LIST_MAX_LIMIT = 10_000;

/** Alarm fields with their own column; anything else goes to `extra` and comes back on read. */
const COLUMN_KEYS = new Set([
  'id',
  'siteId',
  'sourceId',
  'sourceKind',
  'type',
  'priority',
  'state',
  'raisedAt',
  'clearedAt',
  'ackedAt',
  'ackedBy',
  'value',
  'threshold',
  'message',
  'cameras',
  'active',
  'latched',
  'advisory',
  'chattering',
  'firstOut',
  'shelvedUntil',
  'updatedAt',
  'latency',
]);

function toColumns(a: Alarm, now: number): AlarmsTable {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (!COLUMN_KEYS.has(k) && v !== undefined) extra[k] = v;
  return {
    id: a.id,
    siteId: a.siteId,
    sourceId: a.sourceId,
    sourceKind: a.sourceKind,
    type: a.type,
    priority: a.priority,
    state: a.state,
    raisedAt: a.raisedAt,
    clearedAt: a.clearedAt ?? null,
    ackedAt: a.ackedAt ?? null,
    ackedBy: a.ackedBy ?? null,
    value: a.value ?? null,
    threshold: a.threshold ?? null,
    message: a.message,
    cameras: JSON.stringify(a.cameras ?? []),
    active: optInt(a.active),
    latched: optInt(a.latched),
    advisory: optInt(a.advisory),
    chattering: optInt(a.chattering),
    firstOut: optInt(a.firstOut),
    shelvedUntil: a.shelvedUntil ?? null,
    updatedAt: a.updatedAt ?? now,
    latency: a.latency ? JSON.stringify(a.latency) : null,
    extra: Object.keys(extra).length > 0 ? JSON.stringify(extra) : null,
  };
}

const Extra = Type.Record(Type.String(), Type.Unknown());
const CameraIds = Type.Array(Type.String());

/**
 * Optional fields are absent (not null) when unset, as CONTRACT's `?` marks. JSON columns go
 * through the shared decoder: a corrupt one reads as absent (cameras as none), logged and counted.
 */
function toAlarm(json: StoredJson, r: Selectable<AlarmsTable>): Alarm {
  const at = (column: string) => ({ table: 'alarms', column, key: r.id });
  const a: Alarm = {
    ...json.decode(Extra, r.extra, at('extra')),
    id: r.id,
    siteId: r.siteId,
    sourceId: r.sourceId,
    sourceKind: r.sourceKind as SourceKind,
    type: r.type,
    priority: Number(r.priority) as Priority,
    state: r.state as AlarmState,
    raisedAt: r.raisedAt,
    message: r.message,
    cameras: json.decode(CameraIds, r.cameras, at('cameras')) ?? [],
    updatedAt: r.updatedAt,
  };
  if (r.clearedAt !== null) a.clearedAt = r.clearedAt;
  if (r.ackedAt !== null) a.ackedAt = r.ackedAt;
  if (r.ackedBy !== null) a.ackedBy = r.ackedBy;
  if (r.value !== null) a.value = r.value;
  if (r.threshold !== null) a.threshold = r.threshold;
  if (r.active !== null) a.active = r.active === 1;
  if (r.latched !== null) a.latched = r.latched === 1;
  if (r.advisory !== null) a.advisory = r.advisory === 1;
  if (r.chattering !== null) a.chattering = r.chattering === 1;
  if (r.firstOut !== null) a.firstOut = r.firstOut === 1;
  if (r.shelvedUntil !== null) a.shelvedUntil = r.shelvedUntil;
  const latency = json.decode(LatencyJournal, r.latency, at('latency'));
  if (latency) a.latency = latency;
  return a;
}

const toEntry = (json: StoredJson, r: Selectable<AlarmJournalTable>): JournalEntry => {
  const e: JournalEntry = { alarmId: r.alarmId, ts: r.ts, action: r.action, actor: r.actor };
  if (r.fromState !== null) e.fromState = r.fromState as AlarmState;
  if (r.toState !== null) e.toState = r.toState as AlarmState;
  if (r.comment !== null) e.comment = r.comment;
  const facts = json.decode(AlarmFacts, r.facts, { table: 'alarm_journal', column: 'facts', key: r.alarmId });
  if (facts) e.facts = facts;
  return e;
};

export class AlarmsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly json: StoredJson,
    private readonly now: () => number = Date.now,
  ) {}

  /** Insert or replace the whole alarm (the alarm service persists every transition). */
  async upsert(alarm: Alarm): Promise<void> {
    const row = toColumns(alarm, this.now());
    const { id, ...rest } = row;
    await this.db
      .insertInto('alarms')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet(rest))
      .execute();
  }

  async get(id: string): Promise<Alarm | undefined> {
    const r = await this.db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toAlarm(this.json, r) : undefined;
  }

  /** Newest first (raisedAt, then id); from/to bound raisedAt, `to` exclusive. */
  async list(q: AlarmQuery = {}): Promise<Alarm[]> {
    const sites = scopeSites(q.siteIds ?? '*');
    if (sites === null) return [];
    if (q.states && q.states.length === 0) return [];
    const limit = Math.min(Math.max(1, q.limit ?? ALARM_LIST_DEFAULT_LIMIT), ALARM_LIST_MAX_LIMIT);
    let s = this.db.selectFrom('alarms').selectAll().orderBy('raisedAt', 'desc').orderBy('id', 'desc').limit(limit);
    if (sites !== '*') s = s.where('siteId', 'in', sites);
    if (q.states) s = s.where('state', 'in', q.states);
    if (q.from !== undefined) s = s.where('raisedAt', '>=', q.from);
    if (q.to !== undefined) s = s.where('raisedAt', '<', q.to);
    return (await s.execute()).map((r) => toAlarm(this.json, r));
  }

  /** Every alarm not in state normal (what an operator still has to see), newest first. */
  async active(siteIds: SiteScope = '*'): Promise<Alarm[]> {
    const sites = scopeSites(siteIds);
    if (sites === null) return [];
    let s = this.db
      .selectFrom('alarms')
      .selectAll()
      .where('state', '!=', 'normal')
      .orderBy('raisedAt', 'desc')
      .orderBy('id', 'desc');
    if (sites !== '*') s = s.where('siteId', 'in', sites);
    return (await s.execute()).map((r) => toAlarm(this.json, r));
  }
}

export class JournalRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly json: StoredJson,
  ) {}

  async append(e: JournalEntry): Promise<void> {
    await this.appendMany([e]);
  }

  async appendMany(list: JournalEntry[]): Promise<void> {
    if (list.length === 0) return;
    await this.db
      .insertInto('alarmJournal')
      .values(
        list.map((e) => ({
          alarmId: e.alarmId,
          ts: e.ts,
          action: e.action,
          actor: e.actor,
          fromState: e.fromState ?? null,
          toState: e.toState ?? null,
          comment: e.comment ?? null,
          facts: e.facts ? JSON.stringify(e.facts) : null,
        })),
      )
      .execute();
  }

  /** The alarm's journal, oldest first (the order things happened). */
  async forAlarm(alarmId: string): Promise<JournalEntry[]> {
    const rows = await this.db
      .selectFrom('alarmJournal')
      .selectAll()
      .where('alarmId', '=', alarmId)
      .orderBy('ts')
      .orderBy('id')
      .execute();
    return rows.map((r) => toEntry(this.json, r));
  }
}
