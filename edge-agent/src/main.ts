/**
 * `npm run -w edge-agent start -- --config <file.json>` (CONTRACT "Edge agent"): runs one agent
 * until SIGINT/SIGTERM. The file is a bare config document or a signed envelope (provisioning
 * bundle); remote configs on the `config` topic are applied by AgentSupervisor. A bad config
 * exits 2 listing every `path: message`.
 *
 * Options (README "Running"): `--strict` reads declared sensors only, with declared drivers only
 * (no default field driver, no adoption of self-describing sensors); `--health-port <n>` (or
 * GWANJE_EDGE_HEALTH_PORT; default 9720, `off` disables) and `--health-host` (default 127.0.0.1)
 * place /healthz and /metrics; GWANJE_FFMPEG names the ffmpeg binary for video pushes.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigFileError } from '@gwanje/firmware-config';
import { ValidationError } from '@gwanje/protocol';
import pino from 'pino';
import { DEFAULT_HEALTH_PORT, HealthServer } from './health-server.js';
import { AgentSupervisor } from './supervisor.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string', short: 'c' },
    strict: { type: 'boolean', default: false },
    'health-port': { type: 'string' },
    'health-host': { type: 'string' },
  },
});
const file = values.config ?? process.env.GWANJE_EDGE_CONFIG;
if (!file) {
  process.stderr.write(
    'usage: gwanje-edge --config <file.json> [--strict] [--health-port <port>|off] [--health-host <addr>]\n',
  );
  process.exit(2);
}
let level = 'info';
try {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    logging?: { level?: string };
    document?: { logging?: { level?: string } };
  };
  level = doc.logging?.level ?? doc.document?.logging?.level ?? 'info';
} catch {
  // loadConfigFile below reports the unreadable or malformed file with its reason
}
const log = pino({ level, name: 'gwanje-edge' });
const supervisor = new AgentSupervisor(file, {
  log,
  agent: {
    strict: values.strict,
    ...(process.env.GWANJE_FFMPEG ? { ffmpeg: { path: process.env.GWANJE_FFMPEG } } : {}),
  },
});
try {
  await supervisor.start();
} catch (err) {
  const lines =
    err instanceof ValidationError || err instanceof ConfigFileError ? err.errors : [(err as Error).message];
  process.stderr.write(`gwanje-edge: invalid config ${file}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  process.exit(2);
}
if (process.env.GWANJE_EDGE_MEMLOG) {
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1e5) / 10;
    process.stderr.write(`mem rss=${mb(m.rss)} heapTotal=${mb(m.heapTotal)} heapUsed=${mb(m.heapUsed)}\n`);
  }, 2000).unref();
}
const healthPort = values['health-port'] ?? process.env.GWANJE_EDGE_HEALTH_PORT ?? String(DEFAULT_HEALTH_PORT);
if (healthPort !== 'off' && !(/^\d+$/.test(healthPort) && Number(healthPort) <= 65535)) {
  process.stderr.write(`gwanje-edge: --health-port must be a port number or off, got "${healthPort}"\n`);
  process.exit(2);
}
let health: HealthServer | undefined;
if (healthPort !== 'off') {
  health = new HealthServer({
    host: values['health-host'] ?? '127.0.0.1',
    port: Number(healthPort),
    health: () => supervisor.current?.health(),
  });
  // Monitoring is not the safety function: a taken port is logged and the agent goes on.
  health.start().then(
    (port) => log.info({ port }, 'agent: /healthz and /metrics listening'),
    (err: Error) => log.warn({ port: healthPort, err: err.message }, 'agent: /healthz and /metrics not available'),
  );
}
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await health?.stop();
  await supervisor.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
