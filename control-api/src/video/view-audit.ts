/**
 * Who watched which camera, when and for how long (PIPA: CCTV of public spaces is personal data,
 * and every access to it is accounted for; CONTRACT "Every opening of a live stream, a snapshot or
 * a clip is written to the audit trail"). A live stream writes `video.view` when it opens and
 * `video.view.end` with its duration when it closes. Snapshots (a tile refreshing every 2 s) and
 * clip downloads (a player's Range requests) are one viewing each while they keep coming: opened
 * by the first, ended `idleMs` after the last, with the count. Timers are injected.
 */
import type { AuditLog } from '../auth/audit.js';

export type ViewKind = 'live' | 'mpeg1' | 'snapshot' | 'clip';

export interface ViewRef {
  user: string;
  address?: string;
  cameraId: string;
  kind: ViewKind;
  /** `alarmId/clipId` for a clip. */
  clip?: string;
}

export interface ViewTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemTimers: ViewTimers = {
  now: Date.now,
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Viewing {
  ref: ViewRef;
  openedAt: number;
  lastAt: number;
  count: number;
  timer?: unknown;
}

export class ViewAudit {
  private readonly open = new Map<string, Viewing>();
  private readonly writing = new Set<Promise<void>>();
  private seq = 0;

  constructor(
    private readonly audit: Pick<AuditLog, 'record'>,
    private readonly timers: ViewTimers = systemTimers,
    /** A snapshot or clip viewing ends this long after its last request. */
    private readonly idleMs = 60_000,
  ) {}

  /** Records the start of a view; the returned function marks its end (live) or its last activity. */
  view(ref: ViewRef): () => void {
    const t = this.timers.now();
    const coalesced = ref.kind === 'snapshot' || ref.kind === 'clip';
    const key = coalesced ? `${ref.user}|${ref.kind}|${ref.cameraId}|${ref.clip ?? ''}` : `live#${++this.seq}`;
    const v = this.open.get(key);
    if (v) {
      v.count++;
      v.lastAt = t;
    } else {
      this.open.set(key, { ref, openedAt: t, lastAt: t, count: 1 });
      this.record({
        actor: ref.user,
        ip: ref.address ?? null,
        action: 'video.view',
        target: ref.cameraId,
        detail: { kind: ref.kind, ...(ref.clip ? { clip: ref.clip } : {}) },
      });
    }
    const viewing = this.open.get(key) as Viewing;
    if (!coalesced) return () => this.end(key);
    this.idle(key, viewing);
    return () => {
      viewing.lastAt = Math.max(viewing.lastAt, this.timers.now());
      this.idle(key, viewing);
    };
  }

  /** Center shutdown: every viewing still open is ended now, and written before the database closes. */
  async stop(): Promise<void> {
    for (const key of [...this.open.keys()]) this.end(key);
    await Promise.all([...this.writing]);
  }

  private record(ev: Parameters<AuditLog['record']>[0]): void {
    const p = this.audit.record(ev).finally(() => this.writing.delete(p));
    this.writing.add(p);
  }

  private idle(key: string, v: Viewing): void {
    if (v.timer !== undefined) this.timers.clearTimeout(v.timer);
    v.timer = this.timers.setTimeout(() => this.end(key), this.idleMs);
  }

  private end(key: string): void {
    const v = this.open.get(key);
    if (!v) return;
    this.open.delete(key);
    if (v.timer !== undefined) this.timers.clearTimeout(v.timer);
    const coalesced = v.ref.kind === 'snapshot' || v.ref.kind === 'clip';
    const endedAt = coalesced ? v.lastAt : this.timers.now();
    this.record({
      actor: v.ref.user,
      ip: v.ref.address ?? null,
      action: 'video.view.end',
      target: v.ref.cameraId,
      detail: {
        kind: v.ref.kind,
        ...(v.ref.clip ? { clip: v.ref.clip } : {}),
        openedAt: v.openedAt,
        durationMs: endedAt - v.openedAt,
        ...(coalesced ? { requests: v.count } : {}),
      },
    });
  }
}
