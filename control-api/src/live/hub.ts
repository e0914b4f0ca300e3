/**
 * Socket.IO namespace `/live` (CONTRACT): on the center's HTTP server, path `/socket.io`,
 * `destroyUpgrade: false` so the video gateway's WebSocket upgrades on the same port survive.
 * A socket authenticates with `auth: {token}`, joins the rooms of the sites it may see and
 * receives the standing alarm set first (`alarms:snapshot`), then `alarm`, `reading` (at most
 * 2/s per sensor), `agent` and `camera`. `subscribe {siteIds}` narrows what it gets, never
 * widening beyond what it may see.
 */
import type { Server as HttpServer } from 'node:http';
import {
  type Alarm,
  type ClientToServerEvents,
  type FloodState,
  LIVE_NAMESPACE,
  type LiveAgent,
  type LiveCamera,
  type LiveReading,
  type ServerToClientEvents,
  siteRoom,
} from '@gwanje/protocol';
import { type Namespace, Server, type Socket } from 'socket.io';
import type { Logger } from '../logger.js';
import type { CenterMetrics } from '../metrics.js';
import { TrailingThrottle } from './throttle.js';

export interface LiveViewer {
  username: string;
  /** ['*'] = every site. */
  sites: string[];
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
}

interface SocketData {
  viewer: LiveViewer;
  /** Kept to re-check the session when the user's sessions change (logout, revocation, rights). */
  token: string;
  siteIds: string[] | '*';
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Room every all-sites socket joins, so a site added later reaches it without a rejoin. */
const ALL_SITES_ROOM = 'site:*';

export class LiveHub {
  private io?: Server;
  private nsp?: Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  private readonly throttle: TrailingThrottle<LiveReading>;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly deps: LiveDeps) {
    this.now = deps.now ?? Date.now;
    this.throttle = new TrailingThrottle(deps.readingIntervalMs ?? 500);
  }

  attach(server: HttpServer): void {
    const io = new Server(server, {
      path: '/socket.io',
      destroyUpgrade: false,
      serveClient: false,
      cors: { origin: false },
    });
    this.io = io;
    // Security review I3: only /live is served; the default namespace refuses every socket.
    io.of('/').use((_socket, next) => next(new Error('live: connect to the /live namespace')));
    const nsp = io.of(LIVE_NAMESPACE) as unknown as NonNullable<LiveHub['nsp']>;
    this.nsp = nsp;
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token === '') return next(new Error('live: auth.token is required'));
      this.deps.verify(token).then(
        (viewer) => {
          socket.data.viewer = viewer;
          socket.data.token = token;
          next();
        },
        (err: Error) => {
          this.deps.log.info({ err: err.message }, 'live: connection refused');
          next(new Error('live: invalid or expired token'));
        },
      );
    });
    nsp.on('connection', (socket) => this.onConnection(socket));
  }

  /**
   * A user's sessions changed (auth `onSessionsChanged`): every socket of that user re-checks its
   * token; one whose session ended is disconnected, the others keep only the sites they may
   * still see.
   */
  async sessionsChanged(ev: { username: string }): Promise<void> {
    const sockets = this.nsp ? await this.nsp.fetchSockets() : [];
    for (const remote of sockets) {
      if (remote.data.viewer?.username !== ev.username) continue;
      try {
        const viewer = await this.deps.verify(remote.data.token);
        remote.data.viewer = viewer;
        const socket = this.nsp?.sockets.get(remote.id);
        if (socket) this.setRooms(socket, viewer.sites.includes('*') ? '*' : [...viewer.sites]);
      } catch (err) {
        this.deps.log.info(
          { username: ev.username, err: (err as Error).message },
          'live: session ended, socket closed',
        );
        remote.disconnect(true);
      }
    }
  }

  start(): void {
    this.timer = setInterval(() => this.flushReadings(), 100);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const io = this.io;
    this.io = undefined;
    if (io) {
      io.of(LIVE_NAMESPACE).disconnectSockets(true);
      // io.close() would also close the shared HTTP server: the center closes that itself.
      io.engine.close();
    }
  }

  private onConnection(socket: LiveSocket): void {
    const { viewer } = socket.data;
    const all = viewer.sites.includes('*');
    this.setRooms(socket, all ? '*' : [...viewer.sites]);
    this.deps.metrics.liveSockets.inc();
    socket.on('disconnect', () => this.deps.metrics.liveSockets.dec());
    // A console that reconnects receives the current standing set first (issue 4).
    socket.emit('alarms:snapshot', this.snapshotFor(socket));
    socket.on('subscribe', (req, ack) => {
      const asked = Array.isArray(req?.siteIds) ? req.siteIds.filter((s): s is string => typeof s === 'string') : [];
      // Narrow, never widen: keep only sites the viewer may see.
      const allowed = all ? asked : asked.filter((s) => viewer.sites.includes(s));
      this.setRooms(socket, allowed);
      if (typeof ack === 'function') ack({ siteIds: allowed });
      socket.emit('alarms:snapshot', this.snapshotFor(socket));
    });
  }

  private setRooms(socket: LiveSocket, siteIds: string[] | '*'): void {
    for (const room of socket.rooms) if (room !== socket.id) socket.leave(room);
    socket.data.siteIds = siteIds;
    if (siteIds === '*') socket.join(ALL_SITES_ROOM);
    else socket.join(siteIds.map(siteRoom));
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

  reading(r: LiveReading): void {
    // Nobody watching: skip the bookkeeping entirely (the ingest hot path calls this per reading).
    if (!this.nsp || this.nsp.sockets.size === 0) return;
    const out = this.throttle.offer(r.sensorId, r, this.now());
    if (out) this.to(out.siteId)?.emit('reading', out);
  }

  /** Sends held-back readings whose throttle window ended. */
  flushReadings(): void {
    for (const r of this.throttle.due(this.now())) this.to(r.siteId)?.emit('reading', r);
  }
}
