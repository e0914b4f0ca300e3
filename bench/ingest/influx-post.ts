/**
 * The center's CPU for one /write request (issue 18): the same 10,000-point line-protocol bodies
 * posted to a real influxd two at a time, by fetch (undici; the store until issue 18) and by the
 * store's InfluxWritePost (node:http, keep-alive agent), taking turns so the shared machine's
 * load hits both alike. CPU is this process's (user + system) per million points.
 * Run: node --import tsx bench/ingest/influx-post.ts. Writes bench/results/ingest-influx-post.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { InfluxWritePost } from '../../control-api/src/store/timeseries-influx-post.js';
import { linesOf, SeriesKeys } from '../../control-api/src/store/timeseries-line.js';
import { startInfluxDB } from '../../testkit/index.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const BODIES = 40;
const POINTS = 10_000;

const influx = await startInfluxDB();
try {
  await fetch(`${influx.url}/query?q=CREATE+DATABASE+post`, { method: 'POST' });
  const url = `${influx.url}/write?db=post&precision=ms`;
  const keys = new SeriesKeys();
  const t0 = Date.now() - 3_600_000;
  // The ingest bench's shape: 16 agents x 100 sensors.
  const bodies = Array.from(
    { length: BODIES },
    (_, b) =>
      linesOf(
        Array.from({ length: POINTS }, (_, k) => ({
          siteId: 'suwon',
          agentId: `bench-${k % 16}`,
          sensorId: `bench-${k % 16}-t-${k % 100}`,
          metric: 'temperature' as const,
          unit: 'C' as const,
          value: 20 + (k % 7),
          ts: t0 + b * POINTS + k,
          quality: 'good' as const,
        })),
        keys,
      ).bytes,
  );
  const headers = { 'content-type': 'text/plain; charset=utf-8' };
  const post = new InfluxWritePost(new URL(url), headers, 2);
  const viaFetch = async (body: Buffer) => {
    const r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    if (r.status !== 204) throw new Error(`bench: fetch -> ${r.status} ${await r.text()}`);
  };
  const viaHttp = async (body: Buffer) => {
    const r = await post.post(body, false);
    if (r.status !== 204) throw new Error(`bench: http -> ${r.status} ${r.text}`);
  };
  const cpuPerMillion = async (send: (b: Buffer) => Promise<void>) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < bodies.length; i += 2) await Promise.all([send(bodies[i]), send(bodies[i + 1])]);
    const c = process.cpuUsage(c0);
    return Math.round(((c.user + c.system) / 1e6 / ((BODIES * POINTS) / 1e6)) * 100) / 100;
  };
  const rounds: Array<{ fetch: number; http: number; load: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const load = Math.round(loadavg()[0] * 10) / 10;
    rounds.push({ fetch: await cpuPerMillion(viaFetch), http: await cpuPerMillion(viaHttp), load });
    console.log(JSON.stringify(rounds[r]));
  }
  post.close();
  const result = {
    bench: 'ingest-influx-post',
    date: new Date().toISOString(),
    pointsPerRound: BODIES * POINTS,
    cpuSecondsPerMillion: 'the posting process, user + system, per million points',
    rounds,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/ingest-influx-post.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await influx.stop();
}
