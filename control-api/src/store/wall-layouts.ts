/** Video walls per user (migration 0015-wall-layouts), on the shared database, SQLite or PostgreSQL. */
import type { WallConfig, WallView } from '@gwanje/protocol';
import type { Kysely } from 'kysely';

export interface WallLayoutTables {
  wall_layouts: { username: string; config: string; updated_at: number | string };
}

export class WallLayoutStore {
  constructor(private readonly db: Kysely<WallLayoutTables>) {}

  async get(username: string): Promise<WallView> {
    const row = await this.db
      .selectFrom('wall_layouts')
      .select(['config', 'updated_at'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row) return { config: null, updatedAt: null };
    return { config: JSON.parse(row.config) as WallConfig, updatedAt: Number(row.updated_at) };
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
