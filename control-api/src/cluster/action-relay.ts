/**
 * ActionRelay (issue 19, "an action on any instance applies everywhere"): an operator's ack,
 * shelve, reset ... sent to an instance that does not own the alarm's site is carried to the
 * owner over PostgreSQL LISTEN/NOTIFY (the database every instance already shares: no second bus),
 * applied there to the owner's state machine, and the result comes back the same way. The owner
 * announces the change (`alarm.changed`), which reaches every console through the Socket.IO
 * adapter.
 *
 * Each instance listens on a dedicated connection (LISTEN needs one session; a pooled connection
 * would drop it). Requests and replies carry the addressee's instance id; a request to an owner
 * that died meanwhile times out and is sent again to whoever owns the site by then (the lease
 * takeover, at most a few seconds). When the site stays without a live owner for the takeover time
 * (TTL and two lease rounds: nobody took it over), the request fails with NoOwnerError (503
 * `no-owner`, Retry-After) rather than hanging: nobody can apply it now, and the operator should
 * know. A live owner that is slow to answer (a loaded host) is asked again for up to 12 s.
 */
import { randomUUID } from 'node:crypto';
import { type ActionArgs, type AlarmAction, AlarmActionError, type AlarmActionErrorCode } from '@gwanje/detection';
import type { Alarm } from '@gwanje/protocol';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { DEFAULT_TICK_MS, DEFAULT_TTL_MS } from './lease-loop.js';
import { NoOwnerError, type Ownership } from './ownership.js';

const REQUESTS = 'gwanje_alarm_actions';
const REPLIES = 'gwanje_alarm_replies';
/** How long one attempt waits for the owner's answer. */
const ATTEMPT_MS = 3_000;
/** How long a site may be without a live owner before a request gives up: a takeover's time. */
export const DEFAULT_OWNER_WAIT_MS = DEFAULT_TTL_MS + 2 * DEFAULT_TICK_MS;
/** How long a listed, live owner has to answer in all (several attempts). */
const ANSWER_MS = 12_000;

export interface ActionRequest {
  alarmId: string;
  action: AlarmAction;
  actor: string;
  args: ActionArgs;
}

interface Envelope {
  to: string;
  from: string;
  id: string;
  request?: ActionRequest;
  alarm?: Alarm;
  error?: { code?: AlarmActionErrorCode; message: string };
}

export type ActionHandler = (r: ActionRequest) => Promise<Alarm>;

export class ActionRelay {
  private listener?: pg.Client;
  private handler?: ActionHandler;
  private stopped = false;
  private readonly waiting = new Map<string, (e: Envelope) => void>();

  constructor(
    private readonly o: {
      url: string;
      db: Kysely<unknown>;
      ownership: Pick<Ownership, 'instanceId' | 'ownerOf'>;
      log: Logger;
      /** Bound on the wait for a live owner (default DEFAULT_OWNER_WAIT_MS). */
      ownerWaitMs?: number;
    },
  ) {}

  /** What the owner does with a request (the alarm service's `act`). */
  serve(handler: ActionHandler): void {
    this.handler = handler;
  }

  async start(): Promise<void> {
    const c = new pg.Client({ connectionString: this.o.url });
    c.on('notification', (n) => this.received(n.channel, n.payload));
    c.on('error', (err) => {
      this.o.log.warn({ err: err.message }, 'cluster: action listener connection failed; reconnecting');
      if (!this.stopped) setTimeout(() => void this.start().catch(() => undefined), 1_000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${REQUESTS}`);
    await c.query(`LISTEN ${REPLIES}`);
    this.listener = c;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Applies `r` at the owner of `siteId`; undefined when that owner is this instance (apply here).
   * Throws AlarmActionError as the owner did, or NoOwnerError when the site has been without a live
   * owner for the time a takeover takes, or a listed owner has not answered in ANSWER_MS.
   */
  async forward(siteId: string, r: ActionRequest): Promise<Alarm | undefined> {
    const waitMs = this.o.ownerWaitMs ?? DEFAULT_OWNER_WAIT_MS;
    const start = Date.now();
    let ownerless: number | undefined;
    for (;;) {
      const owner = this.o.ownership.ownerOf(siteId);
      if (owner?.instanceId === this.o.ownership.instanceId) return undefined;
      const now = Date.now();
      if (owner) {
        // A live owner (its heartbeat is fresh) may be slow on a loaded host: it gets longer.
        ownerless = undefined;
        const left = start + ANSWER_MS - now;
        if (left <= 0) break;
        const reply = await this.ask(owner.instanceId, r, Math.min(ATTEMPT_MS, left));
        if (reply?.error) throw new AlarmActionError(reply.error.code ?? 'not-found', reply.error.message);
        if (reply?.alarm) return reply.alarm;
      } else {
        ownerless ??= now;
        const left = ownerless + waitMs - now;
        if (left <= 0) break;
        await new Promise((res) => setTimeout(res, Math.min(250, left)));
      }
    }
    throw new NoOwnerError(siteId, Math.max(1, Math.ceil(waitMs / 1000)));
  }

  private async ask(to: string, request: ActionRequest, timeoutMs: number): Promise<Envelope | undefined> {
    const id = randomUUID();
    const answered = new Promise<Envelope | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(id, (e) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(e);
      });
    });
    await this.notify(REQUESTS, { to, from: this.o.ownership.instanceId, id, request });
    return answered;
  }

  private notify(channel: string, e: Envelope): Promise<unknown> {
    return sql`select pg_notify(${channel}, ${JSON.stringify(e)})`.execute(this.o.db);
  }

  private received(channel: string, payload: string | undefined): void {
    let e: Envelope;
    try {
      e = JSON.parse(payload ?? '') as Envelope;
    } catch (err) {
      this.o.log.warn({ channel, err: (err as Error).message }, 'cluster: unreadable relay message dropped');
      return;
    }
    if (e.to !== this.o.ownership.instanceId) return;
    if (channel === REPLIES) {
      this.waiting.get(e.id)?.(e);
      return;
    }
    if (!e.request || !this.handler) return;
    void this.handler(e.request).then(
      (alarm) => this.notify(REPLIES, { to: e.from, from: e.to, id: e.id, alarm }),
      (err: Error) =>
        this.notify(REPLIES, {
          to: e.from,
          from: e.to,
          id: e.id,
          error: { code: (err as Partial<AlarmActionError>).code, message: err.message.replace(/^detection: /, '') },
        }),
    );
  }
}
