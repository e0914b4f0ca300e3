/**
 * The one place that decides who answers on the center's port (security review F10): Socket.IO's
 * engine takes `/socket.io/`, the video gateway `/video/...`, the express app every other request.
 * An upgrade to any other path is answered 404 and its socket destroyed at once: Node applies no
 * timeout to a socket after `'upgrade'`, so one left alone would be held open for ever.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export const SOCKET_IO_PATH = '/socket.io';

export interface SocketIoEngine {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export interface VideoRoutes {
  /** True when the request was the gateway's (and answered by it). */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export interface CenterRoutes {
  socketIo?: SocketIoEngine;
  video?: VideoRoutes;
  app: RequestListener;
}

const isSocketIo = (url: string | undefined): boolean =>
  url !== undefined && (url.startsWith(`${SOCKET_IO_PATH}/`) || url.startsWith(`${SOCKET_IO_PATH}?`));

/** The request listener of the center's HTTP(S) server. */
export function centerRequestListener(r: CenterRoutes): RequestListener {
  return (req, res) => {
    if (r.socketIo && isSocketIo(req.url)) return r.socketIo.handleRequest(req, res);
    if (r.video?.handleHttp(req, res)) return;
    r.app(req, res);
  };
}

/** Registers the single `'upgrade'` listener: Socket.IO, `/video/{cameraId}`, nothing else. */
export function attachUpgrades(server: Server, r: Omit<CenterRoutes, 'app'>): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (r.socketIo && isSocketIo(req.url)) return r.socketIo.handleUpgrade(req, socket, head);
    if (r.video?.handleUpgrade(req, socket, head)) return;
    refuse(socket, '404 Not Found');
  });
}

/** Answers a refused handshake with an HTTP status, then destroys the socket (at most 1 s later). */
export function refuse(socket: Duplex, status: string): void {
  const done = () => socket.destroy();
  setTimeout(done, 1000).unref();
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, done);
  else done();
}
