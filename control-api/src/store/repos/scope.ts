/** Helpers shared by the repositories: site scoping, 0/1 booleans, nested-safe transactions. */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../tables.js';
import type { SiteScope } from '../types.js';

/** A user sees the sites of its grant, or all ('*'). null when the scope admits nothing. */
export function scopeSites(scope: SiteScope): string[] | '*' | null {
  if (scope === '*' || scope.includes('*')) return '*';
  return scope.length === 0 ? null : scope;
}

export const bool = (v: number | null | undefined): boolean => v === 1;
export const int = (v: boolean | undefined): number => (v ? 1 : 0);
export const optInt = (v: boolean | undefined): number | null => (v === undefined ? null : v ? 1 : 0);

/** Runs fn in a transaction, or in the caller's when the repository already is inside one. */
export function inTransaction<T>(db: Kysely<Database>, fn: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((tx: Transaction<Database>) => fn(tx));
}
