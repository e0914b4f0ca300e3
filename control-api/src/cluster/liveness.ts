/**
 * LivenessSession (issue 19): one PostgreSQL connection a cluster member keeps open for its whole
 * life and does nothing on. Its backend (pid and start time) is registered with the instance's
 * heartbeat (leases.ts); when the process dies the kernel closes the socket, PostgreSQL ends the
 * backend, and the other instances see this one gone at their next lease round (about a second)
 * instead of after the heartbeat's time-to-live.
 *
 * If the session drops while the process lives (the database restarted, a network cut), the
 * others may already treat this instance as dead and claim its sites: `onLost` tells the lease
 * loop to give them up first, and the session is reopened with backoff; the next heartbeat
 * registers the new backend.
 */
import pg from 'pg';
import type { Logger } from '../logger.js';
import { BACKEND_START_SQL, type LivenessBackend } from './leases.js';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export class LivenessSession {
  private client?: pg.Client;
  private backend?: LivenessBackend;
  private stopped = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly o: {
      url: string;
      log: Logger;
      /** The session is gone while the process lives: the lease loop fences itself. */
      onLost: () => void;
    },
  ) {}

  /** The registered backend, undefined while the session is (re)opening. */
  current(): LivenessBackend | undefined {
    return this.backend;
  }

  /** Opens the session; rejects if the database cannot be reached now (the module's start fails). */
  async start(): Promise<void> {
    await this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    this.backend = undefined;
    await c?.end().catch(() => undefined);
  }

  private async open(): Promise<void> {
    const c = new pg.Client({ connectionString: this.o.url, application_name: 'gwanje-liveness' });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    let row: { pid: number; start: string } | undefined;
    try {
      await c.connect();
      const r = await c.query<{ pid: number; start: string }>(
        `select pid, ${BACKEND_START_SQL} as start from pg_stat_activity where pid = pg_backend_pid()`,
      );
      row = r.rows[0];
      if (!row) throw new Error('cluster: the liveness session cannot see its own backend in pg_stat_activity');
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    this.client = c;
    this.backend = { pid: Number(row.pid), start: Number(row.start) };
    this.retryMs = RETRY_MIN_MS;
  }

  private lost(c: pg.Client): void {
    if (this.stopped || this.client !== c) return;
    this.client = undefined;
    this.backend = undefined;
    this.o.log.error({}, 'cluster: liveness session to PostgreSQL lost; giving sites up and reopening it');
    this.o.onLost();
    this.retry();
  }

  private retry(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.open().catch((err: Error) => {
        this.o.log.warn({ err: err.message, retryMs: this.retryMs }, 'cluster: liveness session not reopened yet');
        this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
        this.retry();
      });
    }, this.retryMs);
    this.retryTimer.unref();
  }
}
