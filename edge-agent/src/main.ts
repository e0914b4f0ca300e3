/**
 * `npm run -w edge-agent start -- --config <file.json>` (CONTRACT "Edge agent"): runs one agent
 * until SIGINT/SIGTERM. The file is a bare config document or a signed envelope (provisioning
 * bundle); remote configs on the `config` topic are applied by AgentSupervisor. A bad config
 * exits 2 listing every `path: message`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigFileError } from '@gwanje/firmware-config';
import { ValidationError } from '@gwanje/protocol';
import pino from 'pino';
import { AgentSupervisor } from './supervisor.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
const file = values.config ?? process.env.GWANJE_EDGE_CONFIG;
if (!file) {
  process.stderr.write('usage: gwanje-edge --config <file.json>\n');
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
const supervisor = new AgentSupervisor(file, { log: pino({ level, name: 'gwanje-edge' }) });
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
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await supervisor.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
