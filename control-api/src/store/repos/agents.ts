/** Edge agents (broker identities) and the telemetry sequence numbers used to drop duplicates. */
import type { Kysely, Selectable } from 'kysely';
import type { AgentsTable, Database } from '../tables.js';
import type { AgentRow, SiteScope } from '../types.js';
import { bool, scopeSites } from './scope.js';

export interface AgentCreate {
  agentId: string;
  siteId: string;
  name?: string | null;
  mqttPasswordHash: string;
  /** Fast verifier of the machine secret (security review F9). */
  mqttPasswordCheck?: string | null;
  createdAt: number;
}

export interface AgentStatusUpdate {
  state: AgentRow['state'];
  lastSeen?: number;
  buffered?: number;
  version?: string | null;
}

type Joined = Selectable<AgentsTable> & { lastSeq: number | null };

const toRow = (r: Joined): AgentRow => ({
  agentId: r.agentId,
  siteId: r.siteId,
  name: r.name,
  mqttPasswordHash: r.mqttPasswordHash,
  mqttPasswordCheck: r.mqttPasswordCheck,
  revoked: bool(r.revoked),
  state: r.state as AgentRow['state'],
  lastSeq: r.lastSeq === null ? null : Number(r.lastSeq),
  lastSeen: r.lastSeen,
  buffered: r.buffered,
  version: r.version,
  configDesired: r.configDesired,
  configApplied: r.configApplied,
  createdAt: r.createdAt,
});

export class AgentsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  private base() {
    return this.db
      .selectFrom('agents')
      .leftJoin('agentSeq', 'agentSeq.agentId', 'agents.agentId')
      .selectAll('agents')
      .select('agentSeq.lastSeq');
  }

  /** Agents of the scoped sites, revoked ones included (flagged), ordered by agentId. */
  async list(scope: SiteScope = '*', opts: { siteId?: string; includeRevoked?: boolean } = {}): Promise<AgentRow[]> {
    const sites = scopeSites(scope);
    if (sites === null) return [];
    let q = this.base().orderBy('agents.agentId');
    if (sites !== '*') q = q.where('agents.siteId', 'in', sites);
    if (opts.siteId) q = q.where('agents.siteId', '=', opts.siteId);
    if (opts.includeRevoked === false) q = q.where('agents.revoked', '=', 0);
    return (await q.execute()).map(toRow);
  }

  async get(agentId: string): Promise<AgentRow | undefined> {
    const r = await this.base().where('agents.agentId', '=', agentId).executeTakeFirst();
    return r ? toRow(r) : undefined;
  }

  /** Registers an agent; false when the agentId is already taken (revoked or not). */
  async create(a: AgentCreate): Promise<boolean> {
    const r = await this.db
      .insertInto('agents')
      .values({
        agentId: a.agentId,
        siteId: a.siteId,
        name: a.name ?? null,
        mqttPasswordHash: a.mqttPasswordHash,
        mqttPasswordCheck: a.mqttPasswordCheck ?? null,
        revoked: 0,
        state: 'unknown',
        buffered: 0,
        createdAt: a.createdAt,
      })
      .onConflict((oc) => oc.column('agentId').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Replaces the broker password hash (and its fast check) and lifts a revocation (re-issued credentials). */
  async setPassword(
    agentId: string,
    mqttPasswordHash: string,
    mqttPasswordCheck: string | null = null,
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('agents')
      .set({ mqttPasswordHash, mqttPasswordCheck, revoked: 0 })
      .where('agentId', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Adds the fast check to credentials issued before it existed (after a successful slow check). */
  async setPasswordCheck(agentId: string, mqttPasswordCheck: string): Promise<boolean> {
    const r = await this.db
      .updateTable('agents')
      .set({ mqttPasswordCheck })
      .where('agentId', '=', agentId)
      .where('mqttPasswordCheck', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Revokes the broker credentials (DELETE /api/v1/agents/{id}); false when unknown. */
  async revoke(agentId: string): Promise<boolean> {
    const r = await this.db
      .updateTable('agents')
      .set({ revoked: 1, state: 'offline' })
      .where('agentId', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async updateStatus(agentId: string, s: AgentStatusUpdate): Promise<boolean> {
    const r = await this.db
      .updateTable('agents')
      .set({
        state: s.state,
        ...(s.lastSeen !== undefined ? { lastSeen: s.lastSeen } : {}),
        ...(s.buffered !== undefined ? { buffered: s.buffered } : {}),
        ...(s.version !== undefined ? { version: s.version } : {}),
      })
      .where('agentId', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setConfig(agentId: string, c: { desired?: string | null; applied?: string | null }): Promise<boolean> {
    const r = await this.db
      .updateTable('agents')
      .set({
        ...(c.desired !== undefined ? { configDesired: c.desired } : {}),
        ...(c.applied !== undefined ? { configApplied: c.applied } : {}),
      })
      .where('agentId', '=', agentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Highest telemetry seq accepted from an agent (CONTRACT telemetry: seq survives restarts). */
  async setLastSeq(agentId: string, lastSeq: number): Promise<void> {
    await this.setLastSeqMany([{ agentId, lastSeq }]);
  }

  /** Batched form for the ingest flush; one upsert per agent, in one transaction. */
  async setLastSeqMany(entries: { agentId: string; lastSeq: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const latest = new Map<string, number>();
    for (const e of entries) latest.set(e.agentId, Math.max(e.lastSeq, latest.get(e.agentId) ?? -1));
    const values = [...latest].map(([agentId, lastSeq]) => ({ agentId, lastSeq }));
    await this.db
      .insertInto('agentSeq')
      .values(values)
      .onConflict((oc) => oc.column('agentId').doUpdateSet((eb) => ({ lastSeq: eb.ref('excluded.lastSeq') })))
      .execute();
  }

  async lastSeqs(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('agentSeq').selectAll().execute();
    return new Map(rows.map((r) => [r.agentId, Number(r.lastSeq)]));
  }
}
