/**
 * What edge agents report on their `events` topic (CONTRACT: local-alarm, camera-event,
 * driver-error ...), kept apart from the people audit trail (security review F21: an agent
 * could fill that append-only trail without bound). Rows are pruned by age; ingest limits how
 * fast each agent may add them.
 */
import type { Kysely, Selectable } from 'kysely';
import type { AgentEventsTable, Database } from '../tables.js';
import type { SiteScope } from '../types.js';
import { scopeSites } from './scope.js';

/** One stored event (`detail`: the event as the agent sent it, JSON, at most 4,000 characters). */
export type AgentEventRow = Omit<Selectable<AgentEventsTable>, 'id'> & { id?: number };

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
  constructor(private readonly db: Kysely<Database>) {}

  async append(e: Omit<AgentEventRow, 'id'>): Promise<void> {
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
    return (await s.execute()).map((r) => ({ ...r, id: Number(r.id) }));
  }

  /** Deletes events older than `before`; returns how many. */
  async purgeBefore(before: number): Promise<number> {
    const r = await this.db.deleteFrom('agentEvents').where('ts', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
