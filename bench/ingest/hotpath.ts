/**
 * CPU per reading of the center's pure hot path, in one process, no I/O (issue 18): protocol
 * `decode()` of real telemetry messages (500 readings each, the ingest bench's shape: UTF-8,
 * JSON, the tree check, the compiled TypeBox/Ajv validator) and InfluxDB line protocol of the
 * decoded readings, as the store serializes them. CPU time (user + system) is what a shared
 * machine cannot inflate the way it inflates wall time. BENCH_SRC=<dir> measures another
 * checkout of the repository with the same script (e.g. the commit before issue 18).
 * Run: node --import tsx bench/ingest/hotpath.ts. Writes bench/results/ingest-hotpath.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const SRC = process.env.BENCH_SRC ?? ROOT;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

type Decode = (topic: string, bytes: Uint8Array) => { payload: { agentId: string; readings: Reading[] } };
interface Reading {
  sensorId: string;
  metric: string;
  gas?: string;
  unit: string;
  value: number;
  ts: number;
  quality: string;
}
const { decode } = (await import(join(SRC, 'protocol/src/index.ts'))) as { decode: Decode };
const line = (await import(join(SRC, 'control-api/src/store/timeseries-line.ts'))) as {
  linesOf: (batch: unknown[], ...rest: unknown[]) => { count: number };
  SeriesKeys?: new () => unknown;
};
const keys = line.SeriesKeys ? new line.SeriesKeys() : undefined;

const messages: Array<{ topic: string; bytes: Buffer }> = [];
for (let m = 0; m < 64; m++) {
  const a = m % 16;
  const t0 = Date.now();
  const readings = Array.from({ length: 500 }, (_, k) => ({
    sensorId: `bench-${a}-t-${(m * 500 + k) % 100}`,
    metric: 'temperature',
    value: 20 + (k % 7),
    unit: 'C',
    ts: t0 + k,
    quality: 'good',
  }));
  messages.push({
    topic: `gwanje/v1/site${a}/bench-${a}/telemetry`,
    bytes: Buffer.from(JSON.stringify({ agentId: `bench-${a}`, seq: m + 1, readings })),
  });
}

const measure = () => {
  const c0 = process.cpuUsage();
  let n = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const { topic, bytes } = messages[i % messages.length];
    const msg = decode(topic, bytes);
    const [, , siteId] = topic.split('/');
    const stored = msg.payload.readings.map((r) => ({ ...r, siteId, agentId: msg.payload.agentId }));
    n += keys ? line.linesOf(stored, keys).count : line.linesOf(stored).count;
  }
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / n) * 1000; // ns per reading
};
measure(); // warm-up: compile and optimise
const rounds = Array.from({ length: ROUNDS }, measure).map((x) => Math.round(x));
const result = {
  bench: 'ingest-hotpath',
  date: new Date().toISOString(),
  source: SRC === ROOT ? 'this checkout' : SRC,
  readingsPerRound: MESSAGES * 500,
  cpuNsPerReading: rounds,
  medianNsPerReading: [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)],
  loadAverage: Math.round(loadavg()[0] * 10) / 10,
};
console.log(JSON.stringify(result));
if (SRC === ROOT) {
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/ingest-hotpath.json'), `${JSON.stringify(result, null, 2)}\n`);
}
