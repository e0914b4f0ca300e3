/**
 * Config envelopes pushed to agents (0013-supervisor, issue 21), kept with their secrets masked
 * so the console can show desired vs reported config as a diff. One row per (agent, version):
 * a re-push of the same version refreshes who and when.
 */
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { StoredJson } from '../stored-json.js';

export interface ConfigPushTables {
  agent_config_push: {
    agent_id: string;
    version: string;
    site_id: string;
    key_id: string;
    document: string;
    pushed_at: number;
    pushed_by: string;
  };
}

export interface ConfigPush {
  agentId: string;
  version: string;
  siteId: string;
  keyId: string;
  /** Secrets masked (protocol `maskSecrets`). */
  document: unknown;
  pushedAt: number;
  pushedBy: string;
}

const HISTORY = 20;

type Row = ConfigPushTables['agent_config_push'];

/** Any JSON: the document was checked against the config schema when it was pushed. */
const AnyJson = Type.Unknown();

const fromRow = (json: StoredJson, r: Row): ConfigPush => ({
  agentId: r.agent_id,
  version: r.version,
  siteId: r.site_id,
  keyId: r.key_id,
  // A corrupt document reads as null (logged, counted): the history still lists the push.
  document:
    json.decode(AnyJson, r.document, {
      table: 'agent_config_push',
      column: 'document',
      key: `${r.agent_id}@${r.version}`,
    }) ?? null,
  // PostgreSQL returns bigint as a string.
  pushedAt: Number(r.pushed_at),
  pushedBy: r.pushed_by,
});

export class ConfigPushRepo {
  constructor(
    private readonly db: Kysely<ConfigPushTables>,
    private readonly json: StoredJson,
  ) {}

  async record(p: ConfigPush): Promise<void> {
    const row = {
      agent_id: p.agentId,
      version: p.version,
      site_id: p.siteId,
      key_id: p.keyId,
      document: JSON.stringify(p.document),
      pushed_at: p.pushedAt,
      pushed_by: p.pushedBy,
    };
    await this.db
      .insertInto('agent_config_push')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['agent_id', 'version']).doUpdateSet({
          document: row.document,
          key_id: row.key_id,
          pushed_at: row.pushed_at,
          pushed_by: row.pushed_by,
        }),
      )
      .execute();
  }

  /** The latest pushes of one agent, newest first. */
  async history(agentId: string): Promise<ConfigPush[]> {
    const rows = await this.db
      .selectFrom('agent_config_push')
      .selectAll()
      .where('agent_id', '=', agentId)
      .orderBy('pushed_at', 'desc')
      .limit(HISTORY)
      .execute();
    return rows.map((r) => fromRow(this.json, r));
  }

  async get(agentId: string, version: string): Promise<ConfigPush | undefined> {
    const r = await this.db
      .selectFrom('agent_config_push')
      .selectAll()
      .where('agent_id', '=', agentId)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!r) return undefined;
    return fromRow(this.json, r);
  }
}
