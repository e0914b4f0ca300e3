/**
 * Issue 19 "One console view": Socket.IO `/live` across center instances through
 * `@socket.io/redis-streams-adapter` (GWANJE_REDIS_URL). Every broadcast (an `alarm` of a site the
 * owner instance raised, a `reading`, ...) is appended to one Redis stream and read by every
 * instance, which hands it to its own sockets in that site's room: a console connected to any
 * instance gets every event of its sites.
 *
 * Why Redis streams and not `@socket.io/postgres-adapter`: only the streams adapter implements
 * connection-state recovery across servers (`persistSession`/`restoreSession`: the session under
 * `sio:session:<pid>`, the missed packets read back from the stream by offset); the PostgreSQL
 * adapter relays over NOTIFY, keeps no history, and a console reconnecting to another instance
 * would silently miss what happened while it was away. Redis 7 is a kept engine (no home-made bus).
 *
 * kill -9: Socket.IO persists a session only when the socket closes on the server that held it,
 * which a killed process never does. `LiveSessionKeeper` therefore writes each local socket's
 * session when it connects, when its rooms change and every third of the recovery window, so a
 * console whose instance was killed resumes on another instance with everything it missed. Only
 * the rooms and the narrowing are kept there, never the token (the reconnect re-runs the auth
 * middleware with the token the console sends again).
 *
 * Readings (up to 2 a second per sensor, thousands a second province-wide) do not go through the
 * stream: they would trim the alarms a reconnecting console needs out of it, and a missed reading
 * is superseded by the next. They travel in batches on a plain Redis pub/sub channel instead, and
 * each instance hands them to its own sockets.
 */

import { randomUUID } from 'node:crypto';
import { type LiveReading, redactUrl } from '@gwanje/protocol';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../logger.js';

/**
 * Stream length kept in Redis (approximate trimming): alarms, agent, camera and flood events and
 * the standing sets sent at connect. The window a console may be away is the shorter of
 * GWANJE_LIVE_RECOVERY_SEC and these many events.
 */
export const LIVE_STREAM_MAX_LEN = 100_000;
/** Attempts to reach Redis at start before the center refuses to start. */
const START_ATTEMPTS = 5;
const READINGS_CHANNEL = 'gwanje:live:readings';
/** Most readings held for the next batch; beyond it the oldest go (Redis away for long). */
const MAX_PENDING_READINGS = 50_000;

export interface LiveCluster {
  /** The adapter factory handed to `new Server({adapter})`. */
  readonly adapter: ReturnType<typeof createAdapter>;
  /** connectionStateRecovery.maxDisconnectionDuration (ms). */
  readonly recoveryMs: number;
  /** Queues a reading for the other instances (sent by `flushReadings`). */
  publishReading(r: LiveReading): void;
  /** Sends the queued readings as one message (the hub calls it every 100 ms). */
  flushReadings(): void;
  /** The other instances' readings, batch by batch. */
  onReadings(fn: (batch: LiveReading[]) => void): void;
  close(): Promise<void>;
}

/** Connects to Redis (a clear error naming GWANJE_REDIS_URL when it cannot) and makes the adapter. */
export async function connectLiveCluster(url: string, recoveryMs: number, log: Logger): Promise<LiveCluster> {
  let ready = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: 5000,
      // At start a few tries, then the start fails; once running, retry for ever (capped at 2 s):
      // the instance keeps serving its own consoles while Redis is away.
      reconnectStrategy: (retries: number, cause: Error) =>
        !ready && retries >= START_ATTEMPTS
          ? new Error(`live: cannot reach GWANJE_REDIS_URL ${redactUrl(url)}: ${cause.message}`)
          : Math.min(100 * 2 ** retries, 2000),
    },
  });
  client.on('error', (err: Error) => {
    if (ready) log.warn({ err: err.message }, 'live: redis link error (retrying)');
  });
  try {
    await client.connect();
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.startsWith('live:') ? msg : `live: cannot reach GWANJE_REDIS_URL ${redactUrl(url)}: ${msg}`);
  }
  const sub = client.duplicate();
  sub.on('error', (err: Error) => {
    if (ready) log.warn({ err: err.message }, 'live: redis readings link error (retrying)');
  });
  await sub.connect();
  const me = randomUUID();
  const listeners: Array<(batch: LiveReading[]) => void> = [];
  await sub.subscribe(READINGS_CHANNEL, (message: string) => {
    let parsed: { from?: unknown; readings?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'live: unreadable readings batch dropped');
      return;
    }
    if (parsed.from === me || !Array.isArray(parsed.readings)) return;
    for (const fn of listeners) fn(parsed.readings as LiveReading[]);
  });
  let pending: LiveReading[] = [];
  ready = true;
  log.info({ url: redactUrl(url) }, 'live: Socket.IO shared with the other instances through Redis');
  return {
    adapter: createAdapter(client, { streamName: 'gwanje:live', maxLen: LIVE_STREAM_MAX_LEN }),
    recoveryMs,
    publishReading: (r) => {
      pending.push(r);
      if (pending.length > MAX_PENDING_READINGS) pending = pending.slice(-MAX_PENDING_READINGS);
    },
    flushReadings: () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      client.publish(READINGS_CHANNEL, JSON.stringify({ from: me, readings: batch })).catch((err: Error) => {
        log.warn({ err: err.message, readings: batch.length }, 'live: readings batch not sent');
      });
    },
    onReadings: (fn) => void listeners.push(fn),
    close: async () => {
      ready = false;
      await sub.quit().catch(() => sub.destroy());
      await client.quit().catch(() => client.destroy());
    },
  };
}

/** What Socket.IO's session keeps of a socket (socket.io `Session` minus the missed packets). */
interface PersistedSession {
  sid: string;
  pid: string;
  rooms: string[];
  data: unknown;
}

/** Writes local sockets' recovery sessions so a killed instance's consoles can resume elsewhere. */
export class LiveSessionKeeper {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly nsp: Namespace,
    private readonly recoveryMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.persistAll(), Math.max(1000, Math.floor(this.recoveryMs / 3)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One socket, now (at connect and whenever its rooms change). */
  persist(socket: Socket): void {
    // `pid` is the private session id Socket.IO gives a socket when recovery is on (not in its typings).
    const pid = (socket as unknown as { pid?: string }).pid;
    if (!pid || !socket.connected) return;
    const session: PersistedSession = { sid: socket.id, pid, rooms: [...socket.rooms], data: socket.data };
    this.nsp.adapter.persistSession(session as Parameters<Namespace['adapter']['persistSession']>[0]);
  }

  private persistAll(): void {
    for (const s of this.nsp.sockets.values()) this.persist(s);
  }
}
