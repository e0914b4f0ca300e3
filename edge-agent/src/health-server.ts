/**
 * The agent's own `/healthz` and `/metrics` on a local port (issue 17), for the site's monitoring
 * (node_exporter-style scraping over the LAN or an SSH tunnel). It belongs to the process, not to
 * one EdgeAgent: the supervisor swaps agents on a new config and this keeps answering for the
 * current one. Read-only, no credentials, bound to 127.0.0.1 unless told otherwise.
 *
 * /healthz: 200 `{"status":"ok",...}` when the agent reaches the central broker and every field
 * driver its source; else 503 `{"status":"down","failing":["central"|"field:<driver>"...]}`. A
 * WAN outage is `central`: the agent still reads, trips its siren and buffers, so this is a
 * signal for monitoring, not a reason to restart it.
 *
 * /metrics: Prometheus text format 0.0.4, written here rather than with prom-client, which would
 * cost the Pi-class agent several MB of RSS for a dozen series (edge-agent README "Footprint").
 */
import { createServer, type Server } from 'node:http';
import type { AgentHealth } from './agent.js';

export const DEFAULT_HEALTH_PORT = 9720;

export interface HealthServerOptions {
  host: string;
  port: number;
  /** The current agent's health, or undefined while none runs (between configs). */
  health(): AgentHealth | undefined;
}

type Sample = [labels: Record<string, string>, value: number];

/** One metric family in the text exposition format (pure). */
function family(name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const l = Object.entries(labels)
      .map(([k, v]) => `${k}="${esc(v)}"`)
      .join(',');
    lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? value : 0}`);
  }
  return lines.join('\n');
}

/** The /metrics body for one health snapshot (pure). */
export function metricsText(h: AgentHealth | undefined, rssBytes: number): string {
  const one = (v: number): Sample[] => [[{}, v]];
  const out = [family('gwanje_edge_up', 'gauge', 'An agent is running in this process', one(h ? 1 : 0))];
  if (h) {
    const s = h.stats;
    out.push(
      family('gwanje_edge_uptime_seconds', 'gauge', 'Seconds since the agent started', one(h.uptimeS)),
      family(
        'gwanje_edge_central_connected',
        'gauge',
        '1 while the central broker session is up',
        one(+h.centralConnected),
      ),
      family(
        'gwanje_edge_field_connected',
        'gauge',
        '1 while the driver reaches its field source',
        h.drivers.map((d) => [{ driver: d.id }, +d.connected]),
      ),
      family(
        'gwanje_edge_field_rejected_total',
        'counter',
        'Field messages dropped, by driver and reason',
        h.drivers.flatMap((d) =>
          Object.entries(d.rejected).map(([reason, n]): Sample => [{ driver: d.id, reason }, n]),
        ),
      ),
      family('gwanje_edge_readings_accepted_total', 'counter', 'Readings accepted (on disk)', one(s.accepted)),
      family('gwanje_edge_readings_forwarded_total', 'counter', 'Readings the center acknowledged', one(s.forwarded)),
      family('gwanje_edge_readings_buffered', 'gauge', 'Readings on disk not yet acknowledged', one(s.buffered)),
      family('gwanje_edge_readings_dropped_total', 'counter', 'Readings lost (queue full, invalid)', one(s.dropped)),
      family('gwanje_edge_duplicates_total', 'counter', 'Field redeliveries recognised', one(s.duplicates)),
      family('gwanje_edge_telemetry_seq', 'gauge', 'Next telemetry seq', one(s.seq)),
      family('gwanje_edge_sensors_discovered', 'gauge', 'Undeclared sensors adopted', one(s.discovered)),
      family('gwanje_edge_local_alarms_active', 'gauge', 'Local fail-safe trips holding now', one(h.localAlarms)),
      family('gwanje_edge_local_trips_total', 'counter', 'Local fail-safe trips', one(h.localTrips)),
    );
  }
  out.push(family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes', one(rssBytes)));
  return `${out.join('\n')}\n`;
}

/** The /healthz body and status for one snapshot (pure). */
export function healthReport(h: AgentHealth | undefined): { status: number; body: Record<string, unknown> } {
  if (!h) return { status: 503, body: { status: 'down', failing: ['agent'] } };
  const failing = [
    ...(h.centralConnected ? [] : ['central']),
    ...h.drivers.filter((d) => !d.connected).map((d) => `field:${d.id}`),
  ];
  const body = {
    status: failing.length === 0 ? 'ok' : 'down',
    ...(failing.length > 0 ? { failing } : {}),
    uptimeS: h.uptimeS,
    buffered: h.stats.buffered,
    localAlarms: h.localAlarms,
  };
  return { status: failing.length === 0 ? 200 : 503, body };
}

export class HealthServer {
  private server?: Server;
  port = 0;

  constructor(private readonly opts: HealthServerOptions) {}

  /** Resolves with the bound port; rejects (EADDRINUSE...) so the caller can log and go on. */
  start(): Promise<number> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
      } else if (path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(metricsText(this.opts.health(), process.memoryUsage.rss()));
      } else if (path === '/healthz') {
        const r = healthReport(this.opts.health());
        res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: /healthz, /metrics\n');
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        const addr = server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : this.opts.port;
        resolve(this.port);
      });
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s?.listening) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
