/**
 * `createHttpApp(deps)`: the express 5 app of the center: security headers, the CONTRACT API
 * under /api/v1 (every route declared once in `apiRoutes` and mounted through the same guard),
 * /healthz and /metrics without auth, and the console with SPA fallback. Socket.IO and /video
 * attach to the same http.Server elsewhere; this app leaves their paths alone.
 */

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { smsCallbackRouter } from '@gwanje/escalation';
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { peerConnectSources, peerCors } from './center-peers.js';
import type { HttpDeps } from './deps.js';
import { errorHandler, sendError } from './errors.js';
import { mount, type RouteSpec } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { alarmRoutes } from './routes/alarms.js';
import { authRoutes } from './routes/auth.js';
import { cameraRoutes } from './routes/cameras.js';
import { clusterRoutes } from './routes/cluster.js';
import { configRoutes } from './routes/config.js';
import { deviceRoutes } from './routes/devices.js';
import { directoryRoutes } from './routes/directory.js';
import { discoveredRoutes } from './routes/discovered.js';
import { exportRoutes } from './routes/exports.js';
import { incidentRoutes } from './routes/incident.js';
import { opsRoutes } from './routes/ops.js';
import { planRoutes } from './routes/plans.js';
import { reportRoutes } from './routes/reports.js';
import { sensorRoutes } from './routes/sensors.js';
import { sopRoutes } from './routes/sops.js';
import { videoRoutes } from './routes/video.js';
import { wallRoutes } from './routes/wall.js';

export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** Every route of the app, in one list (the authorization matrix test reads the mounted result). */
export function apiRoutes(loginLimiter: RequestHandler, moduleRoutes: RouteSpec[] = []): RouteSpec[] {
  return [
    ...moduleRoutes,
    ...opsRoutes,
    ...authRoutes(loginLimiter),
    ...directoryRoutes,
    ...sensorRoutes,
    ...alarmRoutes,
    ...adminRoutes,
    ...clusterRoutes,
    ...configRoutes,
    ...reportRoutes,
    ...discoveredRoutes,
    ...deviceRoutes,
    ...cameraRoutes,
    ...videoRoutes,
    ...planRoutes,
    ...sopRoutes,
    ...exportRoutes,
    ...incidentRoutes,
    ...wallRoutes,
  ];
}

/** Paths owned by other handlers on the same server; never answered by the console fallback. */
const NOT_CONSOLE = /^\/(api|video|socket\.io|live|healthz|metrics)(\/|$)/;

/** `moduleRoutes`: the routes modules register themselves (sim/module.ts), behind the same guard. */
export function createHttpApp(deps: HttpDeps, moduleRoutes: RouteSpec[] = []): Express {
  const log = deps.log.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  // Query strings: the simple parser (no nested objects), so `?a[__proto__]=` stays a plain string key.
  app.set('query parser', 'simple');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // MSE playback (mpegts.js) and its worker use blob: URLs; live data uses same-origin WebSockets.
          mediaSrc: ["'self'", 'blob:'],
          workerSrc: ["'self'", 'blob:'],
          imgSrc: ["'self'", 'data:', 'blob:'],
          // The console talks to this center only (review I1: `ws: wss:` let a script reach any
          // host): same-origin fetches, and WebSockets (Socket.IO, /video) to the host it came from.
          // Issue 19: and the other center instances a console may move to (http/center-peers.ts).
          connectSrc: [
            "'self'",
            (req) => sameHostSockets(req.headers.host),
            ...peerConnectSources(deps.centerUrls ?? []),
          ],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
          upgradeInsecureRequests: null,
        },
      },
      // HSTS (RFC 6797) once the center serves TLS itself (security review F13): a browser that
      // has seen it never again sends a token over plain HTTP to this host. Without TLS (a
      // control-room LAN, or TLS ended by a proxy that sets its own header) none is sent.
      strictTransportSecurity: deps.tls ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    }),
  );
  const rl = deps.loginRateLimit ?? { windowMs: 60_000, limit: 20 };
  const loginLimiter = rateLimit({
    windowMs: rl.windowMs,
    limit: rl.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => sendError(res, 429, 'too-many-attempts', 'auth: too many login attempts; slow down'),
  });
  if (deps.centerUrls?.length) app.use(peerCors(deps.centerUrls));
  const router = express.Router();
  mount(router, deps, apiRoutes(loginLimiter, moduleRoutes), deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT);
  app.use(router);
  // SMS gateways cannot send a bearer token: Kannel MO/DLR carry a shared key, Twilio signs its
  // webhooks (X-Twilio-Signature); without a configured provider every callback is 403.
  const esc = deps.escalation;
  app.use(smsCallbackRouter({ kannel: esc?.kannel, twilio: esc?.twilio }));
  app.use('/api', (_req, res) => sendError(res, 404, 'not-found', 'no such API route'));
  if (deps.consoleDir) mountConsole(app, resolve(deps.consoleDir));
  app.use((_req, res) => sendError(res, 404, 'not-found', 'not found'));
  app.use(errorHandler(log));
  return app;
}

/** `ws://host wss://host` for a well-formed Host header (CSP3 'self' covers them too in new browsers). */
export function sameHostSockets(host: string | undefined): string {
  if (!host || !/^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/.test(host)) return '';
  return `ws://${host} wss://${host}`;
}

function mountConsole(app: Express, dir: string): void {
  const index = join(dir, 'index.html');
  app.use(express.static(dir, { index: 'index.html', fallthrough: true, maxAge: '1h' }));
  // SPA fallback: client-side routes (e.g. /alarms/123) get index.html on GET.
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_CONSOLE.test(req.path) || !existsSync(index))
      return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
