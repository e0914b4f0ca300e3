/**
 * Who is watching what, for as long as they may (security review F4, F14). Every live viewer
 * (MPEG-TS or MPEG1) is kept with the grant that opened it: it is closed when the grant's session
 * ends (`expiresAt`, on the injected clock) or when a re-check says it no longer holds (logout,
 * password change, user deleted, sites narrowed: the center calls `recheck(user)`), and it counts
 * against per-user caps, so one account cannot wake every camera or start a transcoder per camera.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { GatewayDeps, ViewerGrant, ViewKind } from './types.js';

/** WebSocket close code for "your session ended" (4000-4999: application codes, RFC 6455 §7.4.2). */
export const CLOSE_SESSION_ENDED = 4401;

export interface ViewerLimits {
  /** Live viewers (MPEG-TS and MPEG1) one user may hold at once. */
  perUser: number;
  /** MPEG1 (transcoded) viewers one user may hold at once. */
  mpeg1PerUser: number;
}

export interface OpenViewer {
  cameraId: string;
  grant: ViewerGrant;
  kind: Exclude<ViewKind, 'snapshot'>;
  /** Closes the WebSocket (code, reason). */
  close(code: number, reason: string): void;
}

interface Entry extends OpenViewer {
  timer?: unknown;
  endView?: () => void;
}

export class ViewerSessions {
  private readonly open = new Set<Entry>();
  /** Slots taken by viewers between authorization and the end of their handshake. */
  private readonly pending = new Map<string, { all: number; mpeg1: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: ViewerLimits,
    private readonly deps: Pick<GatewayDeps, 'recheckViewer' | 'onView'>,
    private readonly log: Logger,
  ) {}

  /** Viewers `user` holds (with those still in their handshake). */
  count(user: string, kind?: 'mpeg1'): number {
    let n = 0;
    for (const e of this.open) if (e.grant.user === user && (kind === undefined || e.kind === kind)) n++;
    const p = this.pending.get(user);
    return n + (p ? (kind ? p.mpeg1 : p.all) : 0);
  }

  /** Takes a slot for a viewer about to be upgraded; undefined when a cap says no. */
  reserve(user: string, kind: OpenViewer['kind']): (() => void) | undefined {
    if (this.count(user) >= this.limits.perUser) return undefined;
    if (kind === 'mpeg1' && this.count(user, 'mpeg1') >= this.limits.mpeg1PerUser) return undefined;
    const p = this.pending.get(user) ?? { all: 0, mpeg1: 0 };
    p.all++;
    if (kind === 'mpeg1') p.mpeg1++;
    this.pending.set(user, p);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      p.all--;
      if (kind === 'mpeg1') p.mpeg1--;
      if (p.all === 0) this.pending.delete(user);
    };
  }

  /** Tracks an opened viewer; returns what to call when its socket closes. */
  add(v: OpenViewer): () => void {
    const e: Entry = { ...v };
    e.endView = this.deps.onView?.(v.cameraId, v.grant, v.kind);
    if (v.grant.expiresAt !== undefined) {
      const ms = Math.max(0, v.grant.expiresAt - this.clock.now());
      e.timer = this.clock.setTimeout(() => this.end(e, 'session expired'), ms);
    }
    this.open.add(e);
    return () => this.forget(e);
  }

  /**
   * Re-checks every viewer of `user` (all viewers without one) against the current sessions and
   * rights; closes those that no longer hold. Returns how many were closed.
   */
  async recheck(user?: string): Promise<number> {
    const check = this.deps.recheckViewer;
    if (!check) return 0;
    const mine = [...this.open].filter((e) => user === undefined || e.grant.user === user);
    const verdicts = await Promise.all(
      mine.map((e) =>
        check(e.grant, e.cameraId).catch((err: Error) => {
          // A check that cannot run (database down) keeps the viewer: a failure is not a revocation.
          this.log.error({ cameraId: e.cameraId, err: err.message }, 'gateway: viewer re-check failed');
          return true;
        }),
      ),
    );
    let closed = 0;
    mine.forEach((e, i) => {
      if (verdicts[i] || !this.open.has(e)) return;
      this.end(e, 'session ended');
      closed++;
    });
    return closed;
  }

  /** Gateway shutdown: every view is recorded as ended. */
  clear(): void {
    for (const e of [...this.open]) this.forget(e);
  }

  private end(e: Entry, reason: string): void {
    this.log.info({ cameraId: e.cameraId, user: e.grant.user, reason }, 'gateway: viewer closed');
    this.forget(e);
    e.close(CLOSE_SESSION_ENDED, reason);
  }

  private forget(e: Entry): void {
    if (!this.open.delete(e)) return;
    if (e.timer !== undefined) this.clock.clearTimeout(e.timer);
    e.endView?.();
  }
}
