/**
 * Socket.IO namespace `/live` (CONTRACT) on the center's port, path `/socket.io`. The engine is
 * not attached to the HTTP server: the center's one dispatcher (http/dispatch.ts) hands it its
 * requests and upgrades (security review F10). A socket authenticates with `auth: {token}`, joins
 * the rooms of the sites it may see and receives the standing alarm set first (`alarms:snapshot`),
 * then `alarm`, `reading` (at most 2/s per sensor), `agent` and `camera`.
 *
 * Rights are the user's as they are now, not as they were at connect (F5): a session change
 * (logout, password, deletion, role or sites) re-verifies the user's sockets and narrows or closes
 * them, and a socket is closed when its session expires. `subscribe {siteIds}` narrows to sites
 * the user may see at that moment, never '*', and at most `SUBSCRIBE_LIMIT` times a window (F14).
 *
 * Several instances (issue 19, live/cluster.ts): with `cluster` the namespace's adapter is Redis
 * streams, every broadcast reaches the sockets of every instance, a console that reconnects (to
 * any instance) within the recovery window gets the events it missed, and a session change on one
 * instance re-checks that user's sockets on all of them. The standing set a socket gets at connect
 * is itself a broadcast to the socket's own room, so it carries a stream offset and a console has
 * something to resume from even before its first alarm.
 */
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type Alarm,
  type ClientToServerEvents,
  type FloodState,
  LIVE_NAMESPACE,
  type LiveAgent,
  type LiveCamera,
  type LivePresetRecall,
  type LiveReading,
  type ServerToClientEvents,
  siteRoom,
} from '@gwanje/protocol';
import { Server as Engine } from 'engine.io';
import { type Namespace, Server, type Socket } from 'socket.io';
import { liveScope } from '../auth/gates.js';
import { attachUpgrades, centerRequestListener, SOCKET_IO_PATH } from '../http/dispatch.js';
import type { Logger } from '../logger.js';
import type { CenterMetrics } from '../metrics.js';
import { type LiveCluster, LiveSessionKeeper } from './cluster.js';
import { TrailingThrottle } from './throttle.js';

export interface LiveViewer {
  username: string;
  /** ['*'] = every site. */
  sites: string[];
  /** When the session ends (ms): the socket is closed then. */
  expiresAt?: number;
}

export interface LiveDeps {
  log: Logger;
  metrics: CenterMetrics;
  verify(token: string): Promise<LiveViewer>;
  /** The standing alarm set (for a socket that (re)connects). */
  activeAlarms(): Alarm[];
  now?: () => number;
  /** Minimum interval between `reading` events per sensor (CONTRACT: 2 per second). */
  readingIntervalMs?: number;
  /** Issue 19: shared with the other instances through Redis (unset: this instance only). */
  cluster?: LiveCluster;
}

/** Socket.IO keeps this in a recovery session (Redis with a cluster): plain data, no secrets. */
interface SocketData {
  viewer: LiveViewer;
  /** What the client narrowed to with `subscribe` (undefined: everything it may see). */
  requested?: string[];
  siteIds: string[] | '*';
  /** When its recent `subscribe` calls came (rate limit). */
  subscribes: number[];
}

/** What this process alone keeps of a socket. */
interface LocalSocketState {
  /** Kept to re-check the session when the user's sessions change (logout, revocation, rights). */
  token: string;
  expiry?: NodeJS.Timeout;
}

/** Server-to-server event (Socket.IO `serverSideEmit`): a user's sessions changed on another instance. */
const SESSIONS_CHANGED = 'gwanje:sessions.changed';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Room every all-sites socket joins, so a site added later reaches it without a rejoin. */
const ALL_SITES_ROOM = 'site:*';
/** `subscribe` calls allowed per socket per window; each re-sends the standing set (F14). */
export const SUBSCRIBE_LIMIT = 5;
export const SUBSCRIBE_WINDOW_MS = 10_000;
/** What a console sends is a subscribe of a few dozen ids: 16 KiB per message is ample. */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

export class LiveHub {
  private io?: Server;
  private engine?: Engine;
  private nsp?: Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  private readonly throttle: TrailingThrottle<LiveReading>;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly local = new Map<string, LocalSocketState>();
  private keeper?: LiveSessionKeeper;

  constructor(private readonly deps: LiveDeps) {
    this.now = deps.now ?? Date.now;
    this.throttle = new TrailingThrottle(deps.readingIntervalMs ?? 500);
    this.init();
  }

  private init(): void {
    // Not attached to a server (the dispatcher routes /socket.io/ to it), so no `path` here.
    const engine = new Engine({ cors: { origin: false }, maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES });
    const cluster = this.deps.cluster;
    const io = new Server({
      path: SOCKET_IO_PATH,
      serveClient: false,
      cors: { origin: false },
      ...(cluster
        ? {
            adapter: cluster.adapter,
            // Middlewares run again on a recovered connection: the token is checked every time.
            connectionStateRecovery: { maxDisconnectionDuration: cluster.recoveryMs, skipMiddlewares: false },
          }
        : {}),
    });
    io.bind(engine);
    this.engine = engine;
    this.io = io;
    // Only /live serves anyone; the default namespace accepts no socket (review I3).
    io.use((_socket, next) => next(new Error('live: connect to the /live namespace')));
    const nsp = io.of(LIVE_NAMESPACE) as unknown as NonNullable<LiveHub['nsp']>;
    this.nsp = nsp;
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token === '') return next(new Error('live: auth.token is required'));
      this.deps.verify(token).then(
        (viewer) => {
          socket.data.viewer = viewer;
          socket.data.subscribes ??= [];
          this.local.set(socket.id, { token, expiry: this.local.get(socket.id)?.expiry });
          next();
        },
        (err: Error) => {
          this.deps.log.info({ err: err.message }, 'live: connection refused');
          next(new Error('live: invalid or expired token'));
        },
      );
    });
    nsp.on('connection', (socket) => this.onConnection(socket));
    if (cluster) {
      cluster.onReadings((batch) => {
        for (const r of batch) if (typeof r?.siteId === 'string') this.readingToLocal(r);
      });
      this.keeper = new LiveSessionKeeper(nsp as unknown as Namespace, cluster.recoveryMs);
      // A logout or a rights change on another instance re-checks this instance's sockets too (F5).
      (nsp as unknown as Namespace).on(SESSIONS_CHANGED, (ev: { username?: unknown }) => {
        if (typeof ev?.username === 'string') void this.recheckUser(ev.username);
      });
    }
  }

  /** Socket.IO's HTTP requests (long-polling), from the center's dispatcher. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    this.engine?.handleRequest(req, res);
  }

  /** Socket.IO's WebSocket upgrades, from the center's dispatcher. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.engine?.handleUpgrade(req, socket, head);
  }

  /** A server of its own (tests): Socket.IO first, the server's other request listeners after. */
  attach(server: HttpServer): void {
    const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
    server.removeAllListeners('request');
    const app = (req: IncomingMessage, res: ServerResponse) => {
      for (const l of others) l(req, res);
    };
    server.on('request', centerRequestListener({ socketIo: this, app }));
    attachUpgrades(server, { socketIo: this });
  }

  /**
   * A user's sessions changed (`sessions.changed` on the bus): every socket of that user re-checks its
   * token; one whose session ended is disconnected, the others keep only the sites they may
   * still see (and had asked for).
   */
  async sessionsChanged(ev: { username: string }): Promise<void> {
    if (this.deps.cluster) (this.nsp as unknown as Namespace | undefined)?.serverSideEmit(SESSIONS_CHANGED, ev);
    await this.recheckUser(ev.username);
  }

  private async recheckUser(username: string): Promise<void> {
    const sockets = this.nsp ? [...this.nsp.sockets.values()] : [];
    await Promise.all(sockets.filter((s) => s.data.viewer?.username === username).map((s) => this.recheck(s)));
  }

  private async recheck(socket: LiveSocket): Promise<void> {
    const token = this.local.get(socket.id)?.token;
    let viewer: LiveViewer;
    try {
      if (token === undefined) throw new Error('live: socket has no token');
      viewer = await this.deps.verify(token);
    } catch (err) {
      this.deps.log.info(
        { username: socket.data.viewer.username, err: (err as Error).message },
        'live: session ended, socket closed',
      );
      socket.disconnect(true);
      return;
    }
    socket.data.viewer = viewer;
    this.setRooms(socket, liveScope(viewer, socket.data.requested));
  }

  start(): void {
    this.timer = setInterval(() => this.flushReadings(), 100);
    this.keeper?.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.keeper?.stop();
    const io = this.io;
    this.io = undefined;
    if (io) {
      io.of(LIVE_NAMESPACE).disconnectSockets(true);
      this.engine?.close();
    }
  }

  private onConnection(socket: LiveSocket): void {
    // A recovered socket (issue 19) keeps the narrowing it had asked for.
    this.setRooms(socket, liveScope(socket.data.viewer, socket.data.requested));
    this.deps.metrics.liveSockets.inc();
    this.expireAt(socket);
    socket.on('disconnect', () => {
      clearTimeout(this.local.get(socket.id)?.expiry);
      this.local.delete(socket.id);
      this.deps.metrics.liveSockets.dec();
    });
    // A console that reconnects receives the current standing set first (issue 4).
    this.sendSnapshot(socket);
    socket.on('subscribe', (req, ack) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      if (!this.maySubscribe(socket)) return reply({ siteIds: [], error: 'rate-limited' });
      const asked = Array.isArray(req?.siteIds) ? req.siteIds.filter((s): s is string => typeof s === 'string') : [];
      socket.data.requested = asked.slice(0, 1000);
      // The rights of now, never those at connect: the token is verified again here, so a subscribe
      // that races a session change (sites narrowed, password reset) cannot use the old rights.
      this.deps.verify(this.local.get(socket.id)?.token ?? '').then(
        (viewer) => {
          if (!socket.connected) return;
          socket.data.viewer = viewer;
          const scope = liveScope(viewer, socket.data.requested);
          this.setRooms(socket, scope);
          reply({ siteIds: scope === '*' ? [] : scope });
          this.sendSnapshot(socket);
        },
        () => {
          reply({ siteIds: [], error: 'session-ended' });
          socket.disconnect(true);
        },
      );
    });
  }

  /** Closes the socket when its session expires (re-verified then, so a clock skew cannot cut it early). */
  private expireAt(socket: LiveSocket): void {
    const at = socket.data.viewer.expiresAt;
    const local = this.local.get(socket.id);
    if (at === undefined || !local) return;
    clearTimeout(local.expiry);
    local.expiry = setTimeout(() => void this.recheck(socket), Math.max(0, at - this.now()) + 10);
    local.expiry.unref();
  }

  private maySubscribe(socket: LiveSocket): boolean {
    const t = this.now();
    const recent = socket.data.subscribes.filter((x) => x > t - SUBSCRIBE_WINDOW_MS);
    socket.data.subscribes = recent;
    if (recent.length >= SUBSCRIBE_LIMIT) return false;
    recent.push(t);
    return true;
  }

  private setRooms(socket: LiveSocket, siteIds: string[] | '*'): void {
    for (const room of socket.rooms) if (room !== socket.id) socket.leave(room);
    socket.data.siteIds = siteIds;
    if (siteIds === '*') socket.join(ALL_SITES_ROOM);
    else socket.join(siteIds.map(siteRoom));
    this.keeper?.persist(socket as unknown as Socket);
  }

  /**
   * The standing set. With a cluster it goes as a broadcast to the socket's own room, so it carries
   * a stream offset: the console can then resume from it even if no other event came before a
   * failover. Alone, a plain emit (as before).
   */
  private sendSnapshot(socket: LiveSocket): void {
    const list = this.snapshotFor(socket);
    if (this.deps.cluster) this.nsp?.to(socket.id).emit('alarms:snapshot', list);
    else socket.emit('alarms:snapshot', list);
  }

  private snapshotFor(socket: LiveSocket): Alarm[] {
    const scope = socket.data.siteIds;
    const alarms = this.deps.activeAlarms();
    return scope === '*' ? alarms : alarms.filter((a) => scope.includes(a.siteId));
  }

  private to(siteId: string) {
    return this.nsp?.to([siteRoom(siteId), ALL_SITES_ROOM]);
  }

  alarm(alarm: Alarm): void {
    this.to(alarm.siteId)?.emit('alarm', alarm);
  }

  flood(f: FloodState): void {
    this.to(f.siteId)?.emit('flood', f);
  }

  agent(a: LiveAgent): void {
    this.to(a.siteId)?.emit('agent', a);
  }

  camera(c: LiveCamera): void {
    this.to(c.siteId)?.emit('camera', c);
  }

  presetRecall(p: LivePresetRecall): void {
    this.to(p.siteId)?.emit('camera:preset', p);
  }

  /** Whether any socket of this instance would receive an event of this site (its room or the all-sites room). */
  private watched(siteId: string): boolean {
    const rooms = this.nsp?.adapter.rooms;
    if (!rooms) return false;
    return (rooms.get(siteRoom(siteId))?.size ?? 0) > 0 || (rooms.get(ALL_SITES_ROOM)?.size ?? 0) > 0;
  }

  reading(r: LiveReading): void {
    // Nobody watching this site: skip the bookkeeping entirely. The ingest hot path calls this for
    // every reading, and Socket.IO encodes a packet even for rooms without sockets (issue 18).
    // With a cluster the consoles of other instances may watch it: always offered then.
    if (!this.nsp) return;
    if (!this.deps.cluster && (this.nsp.sockets.size === 0 || !this.watched(r.siteId))) return;
    const out = this.throttle.offer(r.sensorId, r, this.now());
    if (out) this.sendReading(out);
  }

  /** Sends held-back readings whose throttle window ended (and, with a cluster, the batch for the others). */
  flushReadings(): void {
    for (const r of this.throttle.due(this.now())) this.sendReading(r);
    this.deps.cluster?.flushReadings();
  }

  /**
   * Alone: a broadcast. With a cluster, readings stay out of the recovery stream (thousands a second
   * would trim the alarms a reconnecting console needs out of it, and a missed reading is superseded
   * by the next one): this instance's sockets get it directly, the other instances through the
   * cluster's readings channel (live/cluster.ts), each to its own sockets.
   */
  private sendReading(r: LiveReading): void {
    const cluster = this.deps.cluster;
    if (!cluster) {
      this.to(r.siteId)?.emit('reading', r);
      return;
    }
    this.readingToLocal(r);
    cluster.publishReading(r);
  }

  private readingToLocal(r: LiveReading): void {
    if (this.nsp && this.nsp.sockets.size > 0 && this.watched(r.siteId))
      this.nsp.local.to([siteRoom(r.siteId), ALL_SITES_ROOM]).emit('reading', r);
  }
}
