/**
 * HTTP side of the gateway: agent pushes (`POST /video/ingest/{cameraId}`), snapshots, and the
 * WebSocket upgrade for live viewers. Other paths are left alone (socket.io shares the server).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Clock } from './clock.js';
import type { StreamRelay } from './relay.js';
import { parseVideoRoute } from './routes.js';
import { SnapshotUnavailableError } from './snapshot.js';
import { type GatewayDeps, isUnknownCamera } from './types.js';

export interface GatewayHttpHost {
  deps: GatewayDeps;
  log: Logger;
  relay(cameraId: string): StreamRelay;
  snapshot(cameraId: string): Promise<Buffer>;
  addViewer(cameraId: string, ws: WebSocket, format: 'mpegts' | 'mpeg1', socket: Duplex): void;
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
  else void snapshot(host, route.cameraId, route.token, res);
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

async function snapshot(host: GatewayHttpHost, cameraId: string, token: string | undefined, res: ServerResponse) {
  try {
    if (!(await host.deps.authorizeViewer(token, cameraId))) {
      send(res, token ? 403 : 401, token ? 'forbidden\n' : 'token required\n');
      return;
    }
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
  }
}

/** The `upgrade` listener: `/video/{cameraId}` only; anything else is left for other handlers. */
export function handleUpgrade(
  host: GatewayHttpHost,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const route = parseVideoRoute(req.url);
  if (route?.kind !== 'live') return;
  void (async () => {
    let ok = false;
    try {
      ok = await host.deps.authorizeViewer(route.token, route.cameraId);
    } catch (err) {
      host.log.error({ cameraId: route.cameraId, err: String(err) }, 'http: authorizeViewer failed');
    }
    if (!ok) {
      // RFC 6455 §4.2.2: refuse the handshake with an HTTP status.
      const status = route.token ? '403 Forbidden' : '401 Unauthorized';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => host.addViewer(route.cameraId, ws, route.format, socket));
  })();
}
