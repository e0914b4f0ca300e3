/** The operator's session: token and user kept in sessionStorage (cleared with the tab, never localStorage). */
import type { LoginResponse, UserView } from '@gwanje/protocol/schemas/http.js';
import { clearTickets } from './tickets.js';

const KEY = 'gwanje.session';

export interface Session {
  token: string;
  user: UserView;
  /** Issue 19: every center instance, when the center lists them (GWANJE_CENTER_URLS). */
  centers?: string[];
}

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token === 'string' && s.user && typeof s.user.username === 'string') return s as Session;
  } catch (err) {
    console.warn('session: discarding unreadable stored session', err);
  }
  sessionStorage.removeItem(KEY);
  return null;
}

export function saveSession(res: LoginResponse): Session {
  const s: Session = { token: res.token, user: res.user, ...(res.centers?.length ? { centers: res.centers } : {}) };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  clearTickets();
}

/** Roles in increasing power (CONTRACT ROLES order). */
const RANK = { viewer: 0, operator: 1, supervisor: 2, admin: 3 } as const;
export const hasRole = (user: UserView, role: keyof typeof RANK): boolean => RANK[user.role] >= RANK[role];
