/**
 * LiveConnection: the console's single Socket.IO client to `/live` (CONTRACT "Socket.IO").
 * Reconnects with capped exponential backoff (Socket.IO's own: 0.5 s doubling to 15 s, ±50 %
 * jitter); when the server refuses the handshake (the client then stops retrying on its own)
 * the same capped backoff is applied by hand. After every (re)connect the standing alarms are
 * re-read over HTTP so nothing missed while offline stays missing.
 */
import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import { type ClientToServerEvents, LIVE_NAMESPACE, type ServerToClientEvents } from '@gwanje/protocol/socket';
import { io, type Socket } from 'socket.io-client';
import { api } from '../api/http.js';
import { BASE_DELAY_MS, backoffDelay, MAX_DELAY_MS } from './backoff.js';
import { decodeLive, isReading } from './decode.js';
import type { LiveStore } from './store.js';

const EVENTS = ['alarm', 'alarms:snapshot', 'agent', 'camera', 'flood', 'camera:preset'] as const;

export class LiveConnection {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;

  constructor(
    private readonly store: LiveStore,
    private readonly token: string,
  ) {}

  start(): void {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(LIVE_NAMESPACE, {
      auth: { token: this.token },
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: BASE_DELAY_MS,
      reconnectionDelayMax: MAX_DELAY_MS,
      randomizationFactor: 0.5,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.attempt = 0;
      this.store.dispatch({ kind: 'conn', conn: 'connected' });
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
