/**
 * Embedded MQTT broker (aedes 1.x, MQTT 3.1.1) used when GWANJE_MQTT_URL is unset.
 * Agents log in with the credentials POST /api/v1/agents issued (username = agentId) and may
 * only publish uplink and subscribe downlink topics under their own prefix (protocol
 * `agentMayUse`, CONTRACT "MQTT: edge agent <-> central broker"). The center's internal client
 * logs in with a per-process random service credential and has full access.
 *
 * Identity (security review F2): the client id is bound to the login. An agent must connect
 * with client id = its agentId and the service client with EMBEDDED_SERVICE_CLIENT_ID, so no
 * login can take over another's session (MQTT-3.1.4-2 closes the older connection with the
 * same id, and a persistent session would hand its queued downlink to the newcomer); queued
 * downlink is authorized again when it is delivered (`authorizeForward`). Sockets pass the
 * ConnectionGate (F3) before aedes parses anything.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { agentMayUse } from '@gwanje/protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { listenOn, listenOrAnyFree } from '../listen.js';
import type { Logger } from '../logger.js';
import { RefusalLog } from '../refusal-log.js';
import {
  ConnectionGate,
  DEFAULT_GATE_LIMITS,
  type GateLimits,
  type GateTimers,
  realTimers,
} from './connection-gate.js';
import {
  type AgentIdentity,
  type BrokerAuthenticator,
  SERVICE_CLIENT_ID_PREFIX,
  type ServiceCredentials,
} from './types.js';

type Principal = { kind: 'service' } | ({ kind: 'agent' } & AgentIdentity);

/**
 * MQTT 3.1.1 section 3.2.2.3: CONNACK return code 2 (identifier rejected), 4 (bad user name or
 * password), 5 (not authorized).
 */
function authError(code: 2 | 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(`broker: ${message}`), { returnCode: code }) as AuthenticateError;
}

function refusal(code: 2 | 4 | 5, reason: string, message: string): AuthenticateError {
  return Object.assign(authError(code, message), { reason });
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface EmbeddedBrokerOptions {
  port: number;
  host: string;
  service: ServiceCredentials;
  auth: BrokerAuthenticator;
  log: Logger;
  /** PEM cert and key: agents connect over MQTTS (MQTT 3.1.1 section 5.4.8) on `port`. */
  tls?: { cert: Buffer; key: Buffer };
  /** A taken `port` is answered by binding a free one (see `takenPort`) instead of failing. */
  anyPortIfTaken?: boolean;
  /** Connection and packet caps before login (defaults: DEFAULT_GATE_LIMITS). */
  limits?: Partial<GateLimits>;
  /** Counts a refused connection or login by reason (gwanje_broker_refused_total). */
  onRefused?(reason: string): void;
  /** Login timer (tests inject one). */
  timers?: GateTimers;
  /**
   * A refused login is answered this much later (default 1000 ms): the connection keeps its
   * not-logged-in slot meanwhile, so one address makes at most `maxPendingPerAddress` guesses a
   * second instead of as many as it can reconnect (F9).
   */
  loginFailureDelayMs?: number;
}

export class EmbeddedBroker {
  private aedes?: Aedes;
  private server?: Server;
  /** With TLS: a loopback plain listener for the center's own client (never offered to agents). */
  private internal?: Server;
  private internalPort = 0;
  private readonly principals = new WeakMap<Client, Principal>();
  private readonly gate: ConnectionGate;
  private readonly refusals: RefusalLog;
  port = 0;
  /** The requested port when it was taken and `anyPortIfTaken` chose `port` instead. */
  takenPort?: number;

  constructor(private readonly opts: EmbeddedBrokerOptions) {
    const limits = { ...DEFAULT_GATE_LIMITS, ...opts.limits };
    this.gate = new ConnectionGate(limits, opts.log, (reason) => opts.onRefused?.(reason), opts.timers);
    this.refusals = new RefusalLog(opts.log);
  }

  /** Open and not-yet-authenticated connections (for tests and the abuse bench). */
  get connections(): { open: number; pending: number } {
    return this.gate.counts;
  }

  get url(): string {
    const host = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    return `${this.opts.tls ? 'mqtts' : 'mqtt'}://${host}:${this.port}`;
  }

  /** Where the center's own client connects (plain on loopback when agents use TLS). */
  get internalUrl(): string {
    return this.internal ? `mqtt://127.0.0.1:${this.internalPort}` : this.url;
  }

  async start(): Promise<void> {
    const { log } = this.opts;
    const limits = { ...DEFAULT_GATE_LIMITS, ...this.opts.limits };
    const aedes = await Aedes.createBroker({
      id: 'gwanje-embedded',
      maxClientsIdLength: 128,
      // The gate's login timeout covers CONNECT and credentials; this is aedes' own CONNECT wait.
      connectTimeout: limits.loginTimeoutMs,
    });
    aedes.authenticate = (client, username, password, done) => {
      this.authenticate(client, username, password?.toString('utf8')).then(
        (principal) => {
          this.principals.set(client, principal);
          this.gate.authenticated(client.conn);
          done(null, true);
        },
        (err: AuthenticateError & { reason?: string }) => {
          const reason = err.reason ?? 'bad-credentials';
          this.opts.onRefused?.(reason);
          this.refusals.warn(
            reason,
            { clientId: String(client.id).slice(0, 128), username: username?.slice(0, 64), err: err.message },
            'broker: connection refused',
          );
          (this.opts.timers ?? realTimers).set(() => done(err, false), this.opts.loginFailureDelayMs ?? 1000);
        },
      );
    };
    // Queued QoS 1 downlink of a persistent session is delivered without authorizePublish or
    // authorizeSubscribe (aedes lib/handlers/connect.js emptyQueue): check the receiver again.
    aedes.authorizeForward = (client, packet) => {
      const p = this.principals.get(client);
      if (p?.kind === 'service') return packet;
      if (p?.kind === 'agent' && agentMayUse(p.siteId, p.agentId, packet.topic, 'subscribe')) return packet;
      this.refusals.warn(
        'forward-denied',
        { clientId: String(client.id).slice(0, 128), topic: packet.topic.slice(0, 200) },
        'broker: delivery denied',
      );
      return null;
    };
    aedes.authorizePublish = (client, packet, callback) => {
      // client is null for messages the broker itself publishes ($SYS).
      if (!client) return callback(null);
      const p = this.principals.get(client);
      if (p?.kind === 'service') return callback(null);
      if (p?.kind === 'agent' && agentMayUse(p.siteId, p.agentId, packet.topic, 'publish')) return callback(null);
      log.warn({ clientId: client.id, topic: packet.topic.slice(0, 200) }, 'broker: publish denied');
      callback(new Error(`broker: ${client.id} may not publish to ${packet.topic.slice(0, 200)}`));
    };
    aedes.authorizeSubscribe = (client, sub, callback) => {
      const p = this.principals.get(client);
      if (p?.kind === 'service') return callback(null, sub);
      if (p?.kind === 'agent' && agentMayUse(p.siteId, p.agentId, sub.topic, 'subscribe')) return callback(null, sub);
      log.warn({ clientId: client.id, topic: sub.topic.slice(0, 200) }, 'broker: subscribe denied');
      // MQTT 3.1.1 section 3.9.3: a refused subscription is answered with return code 0x80.
      callback(null, null);
    };
    aedes.on('clientError', (client, err) =>
      log.debug({ clientId: client.id, err: err.message }, 'broker: client error'),
    );
    this.aedes = aedes;
    const handle = (socket: Socket) => this.gate.accept(socket, (s) => aedes.handle(s));
    const tls = this.opts.tls;
    this.server = tls
      ? (createTlsServer(
          // A TLS handshake is also unauthenticated work: bounded like a login.
          { cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', handshakeTimeout: limits.loginTimeoutMs },
          handle,
        ) as unknown as Server)
      : createServer(handle);
    // Node refuses sockets beyond this before any handshake (the gate counts them too). While
    // the not-logged-in connections are at their cap, the listener takes no new ones at all.
    const server = this.server;
    server.maxConnections = limits.maxConnections;
    this.gate.onPendingFull = (full) => {
      server.maxConnections = full ? Math.max(1, this.gate.counts.open) : limits.maxConnections;
    };
    server.on('drop', () => this.opts.onRefused?.(this.gate.pendingFull ? 'too-many-pending' : 'too-many-connections'));
    const bound = await listenOrAnyFree(
      this.server,
      this.opts.port,
      this.opts.host,
      'GWANJE_MQTT_PORT',
      this.opts.anyPortIfTaken ?? false,
    );
    this.port = bound.port;
    this.takenPort = bound.takenPort;
    if (tls) {
      this.internal = createServer(handle);
      this.internalPort = await listenOn(this.internal, 0, '127.0.0.1', 'internal MQTT');
    }
    log.info({ port: this.port }, 'broker: embedded MQTT broker listening');
  }

  /** Disconnects every session of an agent (after its credentials were revoked). */
  disconnectAgent(agentId: string): void {
    const clients = (this.aedes as unknown as { clients?: Record<string, Client> })?.clients ?? {};
    for (const client of Object.values(clients)) {
      const p = this.principals.get(client);
      if (p?.kind === 'agent' && p.agentId === agentId) client.close();
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    const aedes = this.aedes;
    this.server = undefined;
    this.aedes = undefined;
    if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    const internal = this.internal;
    this.internal = undefined;
    if (internal) await new Promise<void>((resolve) => internal.close(() => resolve()));
  }

  private async authenticate(
    client: Client,
    username: string | undefined,
    password: string | undefined,
  ): Promise<Principal> {
    if (!username || password === undefined) throw authError(4, `${client.id}: no credentials`);
    const { service, auth } = this.opts;
    if (username === service.username) {
      if (!sameSecret(password, service.password)) throw authError(4, `${client.id}: bad service credentials`);
      // The center's own client uses EMBEDDED_SERVICE_CLIENT_ID; any service id stays outside
      // the agentId pattern, so a service login can never displace an agent's session either.
      if (!String(client.id).startsWith(SERVICE_CLIENT_ID_PREFIX))
        throw refusal(2, 'bad-client-id', `service client ids start with ${SERVICE_CLIENT_ID_PREFIX}`);
      return { kind: 'service' };
    }
    // Checked before the password: an agent's session is named by its agentId and nobody else's.
    if (client.id !== username)
      throw refusal(
        2,
        'bad-client-id',
        `client id ${String(client.id).slice(0, 64)} is not the agentId ${username.slice(0, 64)}`,
      );
    let identity: AgentIdentity | null;
    try {
      identity = await auth.verifyBroker(username, password, (client.conn as Socket).remoteAddress);
    } catch (err) {
      throw authError(5, `${client.id}: credential check failed: ${(err as Error).message}`);
    }
    if (!identity) throw authError(4, `${client.id}: bad credentials for ${username.slice(0, 64)}`);
    return { kind: 'agent', ...identity };
  }
}
