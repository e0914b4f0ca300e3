/**
 * The narrow storage ports the security layer needs. `Repositories` (store/) satisfies them
 * through `portsFromRepositories` (adapter.ts); tests may also pass an in-memory implementation.
 * Keeping them narrow means auth never reaches into tables it has no business with.
 */
import type { AgentRow, AuditQuery, AuditRow, SessionRow, UserRow } from '../store/types.js';

export type { AgentRow, AuditRow, SessionRow, UserRow };

export interface UserStore {
  get(username: string): Promise<UserRow | undefined>;
  list(): Promise<UserRow[]>;
  /** Throws if the username exists. */
  create(row: UserRow): Promise<void>;
  update(username: string, patch: Partial<Omit<UserRow, 'username' | 'createdAt'>>): Promise<void>;
  delete(username: string): Promise<boolean>;
}

export interface SessionStore {
  create(row: SessionRow): Promise<void>;
  get(jti: string): Promise<SessionRow | undefined>;
  revoke(jti: string, at: number): Promise<void>;
  /** Revokes every unrevoked session of one user (logout everywhere). */
  revokeAll(username: string, at: number): Promise<void>;
  /** Deletes sessions that expired before `before`. */
  purgeExpired(before: number): Promise<number>;
}

export type AuditFilter = AuditQuery;

export interface AuditStore {
  append(row: AuditRow): Promise<void>;
  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditRow[]>;
}

export type AgentCredentialRow = Pick<
  AgentRow,
  'agentId' | 'siteId' | 'name' | 'mqttPasswordHash' | 'mqttPasswordCheck' | 'revoked' | 'createdAt'
>;

export interface AgentStore {
  get(agentId: string): Promise<AgentRow | undefined>;
  list(): Promise<AgentRow[]>;
  /** Inserts, or replaces the credential fields of an existing (revoked) agent. */
  upsertCredentials(row: AgentCredentialRow): Promise<void>;
  /** Marks the credentials revoked (the row stays, for history and re-issue). */
  revoke(agentId: string): Promise<void>;
  /** Stores the fast check of credentials issued before it existed (security review F9). */
  setPasswordCheck?(agentId: string, check: string): Promise<void>;
}

export interface SettingsStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<boolean>;
}

export interface AuthPorts {
  users: UserStore;
  sessions: SessionStore;
  audit: AuditStore;
  agents: AgentStore;
  settings: SettingsStore;
}
