/**
 * What edge agents report on their `events` topic (CONTRACT: local-alarm, camera-event,
 * driver-error ...), kept apart from the people audit trail (security review F21: an agent
 * could fill that append-only trail without bound). Rows are pruned by age; ingest limits how
 * fast each agent may add them.
 */
import { AgentEvent } from '@gwanje/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { StoredJson } from '../stored-json.js';
import type { AgentEventsTable, Database } from '../tables.js';
import type { SiteScope } from '../types.js';
import { scopeSites } from './scope.js';

/** What `append` stores (`detail`: the event as the agent sent it, JSON text cut at `AGENT_EVENT_DETAIL_MAX`). */
export type AgentEventRecord = Omit<Selectable<AgentEventsTable>, 'id'>;

/** One stored event as read: `event` decoded (null when the stored text was cut at the limit). */
export type AgentEventRow = Omit<AgentEventRecord, 'detail'> & { id: number; event: AgentEvent | null };

/** Stored event text is cut here (security review F21: an agent cannot grow a row without bound). */
export const AGENT_EVENT_DETAIL_MAX = 4000;

export interface AgentEventQuery {
  agentId?: string;
  siteId?: string;
  type?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export const AGENT_EVENTS_MAX_LIMIT = 1000;

export class AgentEventsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly json: StoredJson,
  ) {}

  async append(e: AgentEventRecord): Promise<void> {
    await this.db.insertInto('agentEvents').values(e).execute();
  }

  /** Newest first, within the scoped sites; `to` exclusive. */
  async list(scope: SiteScope, q: AgentEventQuery = {}): Promise<AgentEventRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    const limit = Math.min(Math.max(1, q.limit ?? 200), AGENT_EVENTS_MAX_LIMIT);
    let s = this.db.selectFrom('agentEvents').selectAll().orderBy('ts', 'desc').orderBy('id', 'desc').limit(limit);
    if (sites !== '*') s = s.where('siteId', 'in', sites);
    if (q.siteId !== undefined) s = s.where('siteId', '=', q.siteId);
    if (q.agentId !== undefined) s = s.where('agentId', '=', q.agentId);
    if (q.type !== undefined) s = s.where('type', '=', q.type);
    if (q.from !== undefined) s = s.where('ts', '>=', q.from);
    if (q.to !== undefined) s = s.where('ts', '<', q.to);
    return (await s.execute()).map(({ detail, ...r }) => ({
      ...r,
      id: Number(r.id),
      // Text cut at the limit on write is expected (shown as received time and type only).
      event:
        this.json.decode(
          AgentEvent,
          detail,
          { table: 'agent_events', column: 'detail', key: String(r.id) },
          AGENT_EVENT_DETAIL_MAX,
        ) ?? null,
    }));
  }

  /** Deletes events older than `before`; returns how many. */
  async purgeBefore(before: number): Promise<number> {
    const r = await this.db.deleteFrom('agentEvents').where('ts', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
