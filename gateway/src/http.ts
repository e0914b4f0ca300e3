/**
 * HTTP side of the gateway: agent pushes (`POST /video/ingest/{cameraId}`), snapshots, and the
 * WebSocket upgrade for live viewers. `handleHttp`/`handleUpgrade` say whether a request was
 * theirs; the center's one dispatcher decides what happens to everything else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Clock } from './clock.js';
import type { StreamRelay } from './relay.js';
import { type LiveFormat, parseVideoRoute } from './routes.js';
import { SnapshotUnavailableError } from './snapshot.js';
import { type GatewayDeps, isUnknownCamera, type ViewerCredentials, type ViewerGrant } from './types.js';
import type { ViewerSessions } from './viewer-sessions.js';

export interface GatewayHttpHost {
  deps: GatewayDeps;
  log: Logger;
  sessions: ViewerSessions;
  relay(cameraId: string): StreamRelay;
  snapshot(cameraId: string): Promise<Buffer>;
  /** Takes a snapshot slot of `user` (per-user cap); undefined when none is free. */
  snapshotSlot(user: string): (() => void) | undefined;
  /** Whether a new MPEG1 transcoder may start for this camera (global cap). */
  transcoderFree(cameraId: string): boolean;
  addViewer(cameraId: string, ws: WebSocket, format: LiveFormat, socket: Duplex, grant: ViewerGrant): void;
  /** WebRTC signalling sockets: they carry SDP (a few KiB) where video viewers send nothing. */
  signalling: WebSocketServer;
  /** Pushes running per owner (security review F21: a per-agent cap). */
  pushes: Map<string, number>;
  maxPushesPerOwner: number;
  /** Refused pushes are answered `delayMs` later (F9 tarpit); `waiting` of them at most 256. */
  refusals: { delayMs: number; waiting: number; clock: Clock };
}

const MAX_DELAYED_REFUSALS = 256;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(body);
}

const hasCredentials = (c: ViewerCredentials): boolean => Boolean(c.token || c.ticket);

/** Handles the gateway's HTTP routes; false when the request is not ours. */
export function handleHttp(host: GatewayHttpHost, req: IncomingMessage, res: ServerResponse): boolean {
  const route = parseVideoRoute(req.url);
  if (!route || route.kind === 'live') return false;
  if (route.kind === 'ingest') {
    if (req.method !== 'POST' && req.method !== 'PUT') send(res, 405, 'POST only\n', { allow: 'POST' });
    else void ingest(host, route.cameraId, req, res);
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') send(res, 405, 'GET only\n', { allow: 'GET' });
  else void snapshot(host, route.cameraId, route.credentials, req, res);
  return true;
}

async function ingest(host: GatewayHttpHost, cameraId: string, req: IncomingMessage, res: ServerResponse) {
  const header = req.headers.authorization;
  let ok: boolean | { owner: string } = false;
  try {
    ok = await host.deps.authorizeIngest(header, cameraId, req.socket.remoteAddress);
  } catch (err) {
    host.log.error({ cameraId, err: String(err) }, 'http: authorizeIngest failed');
    send(res, 500, 'authorization failed\n');
    req.resume();
    return;
  }
  if (!ok) {
    // RFC 7235: 401 with a challenge when no credentials came, 403 when they were refused.
    const refuse = () => {
      if (header) send(res, 403, 'forbidden\n', { connection: 'close' });
      else
        send(res, 401, 'authentication required\n', {
          'www-authenticate': 'Basic realm="gwanje-video"',
          connection: 'close',
        });
      req.destroy();
    };
    const r = host.refusals;
    if (!header || r.delayMs <= 0 || r.waiting >= MAX_DELAYED_REFUSALS) return refuse();
    // Refused credentials are answered late: a guessing client gets one try per delay.
    r.waiting++;
    req.resume();
    r.clock.setTimeout(() => {
      r.waiting--;
      refuse();
    }, r.delayMs);
    return;
  }
  const owner = typeof ok === 'object' ? ok.owner : undefined;
  if (owner !== undefined) {
    const running = host.pushes.get(owner) ?? 0;
    if (running >= host.maxPushesPerOwner) {
      host.log.warn({ cameraId, owner, running }, 'http: push refused, too many from this agent');
      send(res, 429, 'too many pushes from this agent\n', { connection: 'close', 'retry-after': '10' });
      req.destroy();
      return;
    }
    host.pushes.set(owner, running + 1);
    req.once('close', () => {
      const left = (host.pushes.get(owner) ?? 1) - 1;
      if (left > 0) host.pushes.set(owner, left);
      else host.pushes.delete(owner);
    });
  }
  host.log.info({ cameraId }, 'http: push ingest started');
  host.relay(cameraId).attachPush(req, res);
}

async function authorize(
  host: GatewayHttpHost,
  credentials: ViewerCredentials,
  cameraId: string,
  req: IncomingMessage,
): Promise<ViewerGrant | null> {
  if (!hasCredentials(credentials)) return null;
  try {
    return await host.deps.authorizeViewer(credentials, cameraId, req);
  } catch (err) {
    host.log.error({ cameraId, err: String(err) }, 'http: authorizeViewer failed');
    return null;
  }
}

async function snapshot(
  host: GatewayHttpHost,
  cameraId: string,
  credentials: ViewerCredentials,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const grant = await authorize(host, credentials, cameraId, req);
  if (!grant) {
    const any = hasCredentials(credentials);
    send(res, any ? 403 : 401, any ? 'forbidden\n' : 'ticket or token required\n');
    return;
  }
  // Each snapshot may wake a camera: a user gets a few at a time, not every camera at once (F14).
  const release = host.snapshotSlot(grant.user);
  if (!release) {
    send(res, 429, 'too many snapshots at once\n', { 'retry-after': '2' });
    return;
  }
  const endView = host.deps.onView?.(cameraId, grant, 'snapshot');
  try {
    const jpeg = await host.snapshot(cameraId);
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': jpeg.length, 'cache-control': 'no-store' });
    res.end(jpeg);
  } catch (err) {
    if (isUnknownCamera(err)) send(res, 404, 'unknown camera\n');
    else if (err instanceof SnapshotUnavailableError)
      send(res, 503, 'no picture from the camera yet\n', { 'retry-after': '5' });
    else {
      host.log.error({ cameraId, err: String(err) }, 'http: snapshot failed');
      send(res, 500, 'snapshot failed\n');
    }
  } finally {
    release();
    endView?.();
  }
}

/** Refuses a WebSocket handshake with an HTTP status (RFC 6455 §4.2.2). */
export function refuseUpgrade(socket: Duplex, status: string, extra = ''): void {
  // Destroyed once the answer is flushed, and at most a second later: a refused socket is never held.
  const done = () => socket.destroy();
  setTimeout(done, 1000).unref();
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`, done);
  else done();
}

/** Upgrades on `/video/{cameraId}`; false (untouched) for any other path. */
export function handleUpgrade(
  host: GatewayHttpHost,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): boolean {
  const route = parseVideoRoute(req.url);
  if (route?.kind !== 'live') return false;
  void (async () => {
    const grant = await authorize(host, route.credentials, route.cameraId, req);
    if (!grant) return refuseUpgrade(socket, hasCredentials(route.credentials) ? '403 Forbidden' : '401 Unauthorized');
    const kind = route.format === 'mpeg1' ? 'mpeg1' : 'live';
    const release = host.sessions.reserve(grant.user, kind);
    if (!release) return refuseUpgrade(socket, '429 Too Many Requests', 'Retry-After: 10\r\n');
    if (kind === 'mpeg1' && !host.transcoderFree(route.cameraId)) {
      release();
      return refuseUpgrade(socket, '503 Service Unavailable', 'Retry-After: 30\r\n');
    }
    socket.once('close', release);
    (route.format === 'webrtc' ? host.signalling : wss).handleUpgrade(req, socket, head, (ws) => {
      release();
      host.addViewer(route.cameraId, ws, route.format, socket, grant);
    });
  })();
  return true;
}
