/**
 * `npm run -w edge-agent start -- --config <file.json>` (CONTRACT "Edge agent"): runs one agent
 * until SIGINT/SIGTERM. A bad config exits 2 listing every `path: message`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ValidationError } from '@gwanje/protocol';
import pino from 'pino';
import { EdgeAgent } from './agent.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
const file = values.config ?? process.env.GWANJE_EDGE_CONFIG;
if (!file) {
  process.stderr.write('usage: gwanje-edge --config <file.json>\n');
  process.exit(2);
}
let agent: EdgeAgent;
try {
  const doc: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const level = (doc as { logging?: { level?: string } }).logging?.level ?? 'info';
  agent = new EdgeAgent(doc, { log: pino({ level, name: 'gwanje-edge' }) });
} catch (err) {
  const lines = err instanceof ValidationError ? err.errors : [(err as Error).message];
  process.stderr.write(`gwanje-edge: invalid config ${file}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  process.exit(2);
}
await agent.start();
if (process.env.GWANJE_EDGE_MEMLOG) {
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1e5) / 10;
    process.stderr.write(
      `mem rss=${mb(m.rss)} heapTotal=${mb(m.heapTotal)} heapUsed=${mb(m.heapUsed)} external=${mb(m.external)}\n`,
    );
  }, 2000).unref();
}
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await agent.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
