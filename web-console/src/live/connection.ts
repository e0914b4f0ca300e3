/**
 * LiveConnection: the console's single Socket.IO client to `/live` (CONTRACT "Socket.IO").
 * Reconnects with capped exponential backoff (Socket.IO's own: 0.5 s doubling to 15 s, ±50 %
 * jitter); when the server refuses the handshake (the client then stops retrying on its own)
 * the same capped backoff is applied by hand. After every (re)connect the standing alarms are
 * re-read over HTTP so nothing missed while offline stays missing.
 *
 * Issue 19: given the list of center instances, each reconnect attempt goes to the next one
 * (failover.ts) and the API follows the connected one (api/center.ts); the centers share their
 * events through Redis, so the instance the console lands on replays what it missed.
 */
import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import { type ClientToServerEvents, LIVE_NAMESPACE, type ServerToClientEvents } from '@gwanje/protocol/socket';
import { io, type Socket } from 'socket.io-client';
import { centerBase, setCenterBase } from '../api/center.js';
import { api } from '../api/http.js';
import { BASE_DELAY_MS, backoffDelay, MAX_DELAY_MS } from './backoff.js';
import { decodeLive, isReading } from './decode.js';
import { type CenterRotation, parseCenterList, rotateCenters } from './failover.js';
import type { LiveStore } from './store.js';

const EVENTS = ['alarm', 'alarms:snapshot', 'agent', 'camera', 'flood', 'camera:preset'] as const;

export class LiveConnection {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private rotation: CenterRotation | null = null;

  constructor(
    private readonly store: LiveStore,
    private readonly token: string,
    /** Issue 19: every center instance (the login answer's `centers`); empty: this page's own. */
    private readonly centers: readonly string[] = [],
  ) {}

  start(): void {
    const centers = parseCenterList(this.centers);
    const here = centers.indexOf(centerBase() || location.origin);
    const first = here >= 0 ? here : 0;
    if (centers.length > 0) setCenterBase(centers[first]);
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${centerBase()}${LIVE_NAMESPACE}`, {
      auth: { token: this.token },
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: BASE_DELAY_MS,
      reconnectionDelayMax: MAX_DELAY_MS,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    this.rotation = rotateCenters(socket.io, centers, first);
    this.rotation.onSwitch((c) => setCenterBase(c));
    socket.on('connect', () => {
      this.attempt = 0;
      this.store.dispatch({ kind: 'conn', conn: 'connected' });
      this.store.dispatch({
        kind: 'center',
        center: centers.length > 1 ? hostOf(this.rotation?.current()) : undefined,
      });
      void this.resync();
    });
    socket.on('disconnect', (reason) => {
      this.store.dispatch({ kind: 'conn', conn: 'reconnecting' });
      // Socket.IO does not reconnect by itself after a server-side disconnect (e.g. the center
      // restarting its namespace or revoking sessions): retry with the same capped backoff.
      if (reason === 'io server disconnect') this.scheduleManualRetry();
    });
    socket.io.on('reconnect_attempt', (n) => this.store.dispatch({ kind: 'conn', conn: 'reconnecting', attempt: n }));
    socket.on('connect_error', (err) => {
      this.store.dispatch({ kind: 'conn', conn: socket.active ? 'reconnecting' : 'offline' });
      if (!socket.active) {
        console.warn(`live: handshake refused (${err.message}); retrying`);
        this.scheduleManualRetry();
      }
    });
    for (const ev of EVENTS) {
      socket.on(ev, (payload: unknown) => {
        const m = decodeLive(ev, payload);
        if (m) this.store.dispatch(m);
      });
    }
    socket.on('reading', (payload: unknown) => {
      if (isReading(payload)) this.store.pushReading(payload);
    });
  }

  stop(): void {
    this.rotation?.stop();
    this.rotation = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.disconnect();
    this.socket?.removeAllListeners();
    this.socket = null;
  }

  private scheduleManualRetry(): void {
    if (this.retryTimer) return;
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.socket?.connect();
    }, backoffDelay(this.attempt));
  }

  private async resync(): Promise<void> {
    try {
      const list = await api<Alarm[]>('GET', '/alarms');
      this.store.dispatch({ kind: 'alarms', alarms: Array.isArray(list) ? list : [], source: 'http' });
    } catch (err) {
      console.warn('live: alarm resync failed', err);
    }
  }
}

/** `host:port` of a center origin, as the header shows it. */
function hostOf(origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
