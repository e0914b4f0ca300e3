/**
 * Roles and the one permission table (issue 9 "People"). Each role holds its own permissions
 * plus every lower role's: viewer < operator < supervisor < admin. Every check in HTTP,
 * Socket.IO and video goes through `can()` and `maySee()`; nothing compares role names.
 */
import { ROLES, type Role } from '@gwanje/protocol';

export type Permission =
  | 'watch'
  | 'ack'
  | 'comment'
  | 'ptz'
  | 'shelve'
  | 'unshelve'
  | 'reset'
  | 'out-of-service'
  | 'rosters'
  | 'sops'
  | 'plans'
  | 'users'
  | 'agents'
  | 'rules'
  | 'config'
  | 'audit'
  /** Issue 19: the center instances and what each owns. */
  | 'cluster'
  /** Issue 21: the audit entries of one's own sites (the whole trail stays 'audit' + every site). */
  | 'audit-sites';

/** What each role adds on top of the role below it. */
const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['watch'],
  operator: ['ack', 'comment', 'ptz'],
  supervisor: ['shelve', 'unshelve', 'reset', 'out-of-service', 'rosters', 'audit-sites', 'sops'],
  admin: ['users', 'agents', 'rules', 'config', 'audit', 'plans', 'cluster'],
};

export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = (() => {
  const out = {} as Record<Role, Set<Permission>>;
  let acc: Permission[] = [];
  for (const role of ROLES) {
    acc = [...acc, ...GRANTS[role]];
    out[role] = new Set(acc);
  }
  return out;
})();

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export const roleRank = (role: Role): number => ROLES.indexOf(role);

/** The lowest role holding a permission (for error messages and docs). */
export function minimumRole(perm: Permission): Role {
  for (const role of ROLES) if (PERMISSIONS[role].has(perm)) return role;
  throw new Error(`auth: permission ${perm} is granted to no role`);
}

/** Who is calling: what `AuthService.verify` returns for a valid token. */
export interface Principal {
  username: string;
  role: Role;
  /** ['*'] = every site. */
  sites: string[];
  /** The session (token) id; agents authenticated by Basic credentials have none. */
  jti: string;
  /** When the session ends (ms); long-lived connections close then. */
  expiresAt?: number;
}

export function can(principal: Pick<Principal, 'role'>, perm: Permission): boolean {
  return PERMISSIONS[principal.role]?.has(perm) ?? false;
}

export const seesAllSites = (p: Pick<Principal, 'sites'>): boolean => p.sites.includes('*');

/** Site scope: a user sees the sites listed on them; ['*'] sees all. */
export function maySee(principal: Pick<Principal, 'sites'>, siteId: string): boolean {
  return seesAllSites(principal) || principal.sites.includes(siteId);
}

/** The site filter for list queries: '*' or the explicit list. */
export function siteFilter(principal: Pick<Principal, 'sites'>): string[] | '*' {
  return seesAllSites(principal) ? '*' : [...principal.sites];
}

/** Whether `granted` sites are within `holder`'s scope (an admin cannot grant beyond their own). */
export function withinScope(holder: Pick<Principal, 'sites'>, granted: readonly string[]): boolean {
  if (seesAllSites(holder)) return true;
  return !granted.includes('*') && granted.every((s) => holder.sites.includes(s));
}
