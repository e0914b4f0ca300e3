/** GET /healthz and GET /metrics (CONTRACT: no auth; Prometheus text format for /metrics). */
import { Reply, type RouteSpec, route } from '../route.js';

export const opsRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/healthz',
    access: 'public',
    // Probes and scrapers may add their own parameters.
    query: 'any',
    async handle({ deps }) {
      const h = await deps.health();
      return new Reply(h.status === 'down' ? 503 : 200, h);
    },
  }),
  route({
    method: 'get',
    path: '/metrics',
    access: 'public',
    // Probes and scrapers may add their own parameters.
    query: 'any',
    async handle({ deps, res }) {
      const text = await deps.metricsText();
      res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      res.send(text);
      return undefined;
    },
  }),
];
