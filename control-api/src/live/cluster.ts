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
 */

import { redactUrl } from '@gwanje/protocol';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '../logger.js';

/**
 * Stream length kept in Redis (approximate trimming). Readings share the stream with alarms, so
 * the window a console may be away is the shorter of GWANJE_LIVE_RECOVERY_SEC and these many
 * events (about 30 MB of Redis memory).
 */
export const LIVE_STREAM_MAX_LEN = 100_000;
/** Attempts to reach Redis at start before the center refuses to start. */
const START_ATTEMPTS = 5;

export interface LiveCluster {
  /** The adapter factory handed to `new Server({adapter})`. */
  readonly adapter: ReturnType<typeof createAdapter>;
  /** connectionStateRecovery.maxDisconnectionDuration (ms). */
  readonly recoveryMs: number;
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
  ready = true;
  log.info({ url: redactUrl(url) }, 'live: Socket.IO shared with the other instances through Redis');
  return {
    adapter: createAdapter(client, { streamName: 'gwanje:live', maxLen: LIVE_STREAM_MAX_LEN }),
    recoveryMs,
    close: async () => {
      ready = false;
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
