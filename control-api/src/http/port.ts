/**
 * Module `http-port`: claims the HTTP(S) port before anything is created (issue 17: a taken port
 * used to stop the start after the admin had been created with a password nobody saw). Until the
 * `api` module hands it the routes, every request is a 503 in the usual shapes.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { listenOn } from '../listen.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { attachUpgrades, type CenterRoutes, centerRequestListener } from './dispatch.js';
import { createCenterServer, type TlsFiles } from './server.js';

/** Before the center is ready every request is a 503 in the usual shapes. */
function notReady(req: IncomingMessage, res: ServerResponse): void {
  const body = req.url?.startsWith('/healthz')
    ? { status: 'down', failing: ['starting'] }
    : { error: { code: 'starting', message: 'center: starting, try again in a moment' } };
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
  res.end(JSON.stringify(body));
}

export class HttpPort implements CenterModule {
  readonly name = 'http-port';
  server?: Server;
  private bound?: number;
  private ready?: RequestListener;

  constructor(private readonly ctx: CenterContext) {}

  /** TLS files when GWANJE_TLS_CERT and GWANJE_TLS_KEY are set (HTTPS here, MQTTS on the embedded broker). */
  get tls(): TlsFiles | undefined {
    const s = this.ctx.settings;
    return s.tlsCert && s.tlsKey ? { certFile: s.tlsCert, keyFile: s.tlsKey } : undefined;
  }

  get port(): number {
    return started(this.name, 'port', this.bound);
  }

  /** The URL operators open: the public URL, or localhost with the port really bound. */
  get url(): string {
    const s = this.ctx.settings;
    const scheme = this.tls ? 'https' : 'http';
    return s.httpPort === 0 || s.publicUrl === `${scheme}://localhost:${s.httpPort}`
      ? `${scheme}://localhost:${this.port}`
      : s.publicUrl;
  }

  async start(): Promise<void> {
    const s = this.ctx.settings;
    const server = createCenterServer((req, res) => (this.ready ? this.ready(req, res) : notReady(req, res)), this.tls);
    this.server = server;
    this.bound = await listenOn(server, s.httpPort, s.host, 'GWANJE_HTTP_PORT');
  }

  /** One dispatcher for requests and upgrades: Socket.IO, /video, the app; other upgrades refused (F10). */
  serve(routes: CenterRoutes): void {
    const server = started(this.name, 'server', this.server);
    attachUpgrades(server, routes);
    this.ready = centerRequestListener(routes);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.ready = undefined;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
