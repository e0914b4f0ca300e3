/**
 * The embedded broker's front door (security review F3): every TCP/TLS socket passes here
 * before aedes sees it. Admission caps open and not-yet-authenticated connections (globally and
 * per address); aedes gets a socket only once its first bytes start a CONNECT; the frame guard
 * then reads the MQTT fixed headers of what aedes reads and closes the socket the moment a
 * packet announces more than allowed, before it is buffered; a connection that has not logged
 * in within `loginTimeoutMs` (CONNECT sent and credentials checked) is closed. Everything is
 * counted (`onRefused`) and logged without flooding the log.
 */
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import { RefusalLog } from '../refusal-log.js';
import { type AdmissionLimits, ConnectionAdmission } from './admission.js';
import { type FrameLimits, MqttFrameGuard } from './frame-guard.js';

export interface GateLimits extends AdmissionLimits, FrameLimits {
  /** From TCP accept to an authenticated CONNECT (each connection gets 75-125 % of it). */
  loginTimeoutMs: number;
  /** A refused socket is closed this much later, unread, ... */
  refusalHoldMs: number;
  /** ... up to this many at a time. */
  maxHeld: number;
}

/**
 * Defaults. The largest legitimate packet is a telemetry batch (protocol caps its payload at
 * 1 MiB) plus its topic; a CONNECT carries an id, a will of a few hundred bytes and the
 * credentials. deploy/mosquitto/mosquitto.conf sets the same `max_packet_size`.
 */
export const DEFAULT_GATE_LIMITS: GateLimits = {
  maxConnections: 10_000,
  maxPending: 2048,
  maxPendingPerAddress: 32,
  connectMax: 16 * 1024,
  packetMax: 1024 * 1024 + 8 * 1024,
  preAuthBytes: 64 * 1024,
  loginTimeoutMs: 10_000,
  refusalHoldMs: 2_000,
  maxHeld: 1024,
};

interface Pending {
  address: string;
  frames: MqttFrameGuard;
  timer?: unknown;
  pending: boolean;
}

/** The login timer (injected in tests, so no test sleeps for it). */
export interface GateTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: GateTimers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class ConnectionGate {
  private readonly admission: ConnectionAdmission;
  private readonly conns = new WeakMap<object, Pending>();
  private readonly refusals: RefusalLog;
  private full = false;
  private held = 0;
  /**
   * Called with true when the not-yet-logged-in connections reach their cap and with false when
   * they fall below it again: the broker then stops accepting sockets at the listener, which
   * drops them before Node builds a socket object (a flood costs far less than accept-and-close).
   */
  onPendingFull: (full: boolean) => void = () => undefined;

  constructor(
    private readonly limits: GateLimits,
    log: Logger,
    private readonly onRefused: (reason: string) => void = () => undefined,
    private readonly timers: GateTimers = realTimers,
  ) {
    this.admission = new ConnectionAdmission(limits);
    this.refusals = new RefusalLog(log);
  }

  /** Admits the socket and hands it to `next` (aedes.handle), or destroys it. */
  accept(socket: Socket, next: (socket: Socket) => void): void {
    const address = socket.remoteAddress ?? 'unknown';
    const refused = this.admission.admit(address);
    if (refused) {
      this.refuse(refused, address);
      this.closeLater(socket);
      return;
    }
    // Alarm traffic is small packets: without TCP_NODELAY, Nagle plus delayed ACKs hold them up to 200 ms.
    socket.setNoDelay(true);
    const st: Pending = { address, frames: new MqttFrameGuard(this.limits), pending: true };
    this.conns.set(socket, st);
    this.checkFull();
    // Spread over 75-125 % of the timeout: a flood opened at once must not be closed (and come
    // back) at once, a burst that stalls the event loop every timeout.
    const timeoutMs = this.limits.loginTimeoutMs * (0.75 + Math.random() / 2);
    st.timer = this.timers.set(() => {
      if (!st.pending) return;
      this.refuse('login-timeout', address);
      socket.destroy();
    }, timeoutMs);
    socket.once('close', () => {
      this.timers.clear(st.timer);
      this.admission.closed(address, st.pending);
      st.pending = false;
      this.checkFull();
    });
    // aedes builds a client (parser, timers, session lookups) per socket: it only gets sockets
    // whose first bytes are a plausible CONNECT header. An idle or garbage socket costs no more
    // than this listener until the login timer closes it.
    const precheck = new MqttFrameGuard(this.limits);
    const held: Buffer[] = [];
    const onFirstBytes = (chunk: Buffer) => {
      const bad = precheck.push(chunk);
      if (bad) {
        this.refuse(bad, address);
        socket.off('data', onFirstBytes);
        this.closeLater(socket);
        return;
      }
      held.push(chunk);
      if (!precheck.headerSeen) return; // at most 5 bytes until the CONNECT's length is known
      socket.off('data', onFirstBytes);
      socket.pause();
      socket.unshift(held.length === 1 ? held[0] : Buffer.concat(held));
      next(socket);
      // Attached after aedes' 'readable' listener, this only observes: with both listeners the
      // stream stays paused and 'data' is emitted for exactly the chunks aedes reads (Node
      // stream docs, "Choose one API style"), the first bytes again included, nothing buffered twice.
      socket.on('data', (data: Buffer) => {
        const refusal = st.frames.push(data);
        if (!refusal) return;
        this.refuse(refusal, address);
        socket.destroy();
      });
    };
    socket.on('data', onFirstBytes);
  }

  /**
   * Closes a refused socket (one aedes never saw) `refusalHoldMs` later, unread, up to
   * `maxHeld` at a time (the rest at once): closing at once invites the client straight back,
   * and a flood of reconnects costs far more than a few idle sockets whose TCP window is shut.
   */
  private closeLater(socket: Socket): void {
    if (this.held >= this.limits.maxHeld) {
      socket.destroy();
      return;
    }
    this.held++;
    socket.pause();
    const timer = this.timers.set(() => socket.destroy(), this.limits.refusalHoldMs);
    socket.once('close', () => {
      this.held--;
      this.timers.clear(timer);
    });
  }

  /** The socket's CONNECT was authenticated: it leaves the pending count and may send full packets. */
  authenticated(socket: object): void {
    const st = this.conns.get(socket);
    if (!st?.pending) return;
    st.pending = false;
    st.frames.authenticated = true;
    this.timers.clear(st.timer);
    this.admission.authenticated(st.address);
    this.checkFull();
  }

  private checkFull(): void {
    const full = this.admission.counts.pending >= this.limits.maxPending;
    if (full === this.full) return;
    this.full = full;
    this.onPendingFull(full);
  }

  get counts(): { open: number; pending: number } {
    return this.admission.counts;
  }

  /** The not-yet-logged-in connections are at their cap. */
  get pendingFull(): boolean {
    return this.full;
  }

  private refuse(reason: string, address: string): void {
    this.onRefused(reason);
    this.refusals.warn(reason, { reason, address }, 'broker: connection closed before login');
  }
}
