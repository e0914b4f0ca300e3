/** Video walls per user (migration 0015-wall-layouts), on the shared database, SQLite or PostgreSQL. */
import { WallConfig, type WallView } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import type { StoredJson } from './stored-json.js';

export interface WallLayoutTables {
  wall_layouts: { username: string; config: string; updated_at: number | string };
}

export class WallLayoutStore {
  constructor(
    private readonly db: Kysely<WallLayoutTables>,
    private readonly json: StoredJson,
  ) {}

  async get(username: string): Promise<WallView> {
    const row = await this.db
      .selectFrom('wall_layouts')
      .select(['config', 'updated_at'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row) return { config: null, updatedAt: null };
    // A corrupt layout reads as none (logged, counted): the console starts from its default wall.
    const config = this.json.decode(WallConfig, row.config, { table: 'wall_layouts', column: 'config', key: username });
    return { config: config ?? null, updatedAt: Number(row.updated_at) };
  }

  async put(username: string, config: WallConfig, now: number): Promise<void> {
    const row = { username, config: JSON.stringify(config), updated_at: now };
    await this.db
      .insertInto('wall_layouts')
      .values(row)
      .onConflict((oc) => oc.column('username').doUpdateSet({ config: row.config, updated_at: now }))
      .execute();
  }
}
