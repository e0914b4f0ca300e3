/**
 * Ingest benchmark (issue 4): simulated agents publish telemetry through a real Mosquitto into a
 * running center (the `npm start` process, spawned) that writes to a real InfluxDB.
 *   1. Alarm latency at 10,000 readings/s background: a flame detector trips every 100 ms on a
 *      fresh sensor; latency is reading ts -> `alarm` received by a Socket.IO /live client.
 *   2. Sustained rate: agents publish as fast as QoS 1 allows for BENCH_SECONDS; the rate is the
 *      readings stored and evaluated (gwanje_readings_total) over the time from the first publish
 *      until the center has taken all of them; InfluxDB is then checked to hold every reading.
 *   1b. The same at 50,000 readings/s background (issue 18).
 *   3. Alarm latency as in 1, right after that burst (`latencyAfterBurst`): the center is still
 *      collecting the burst's garbage, as after an agent's store-and-forward replay.
 *   4. The peer of issue 4 (BENCH_PEER=0 skips it): a Node-RED flow on the same Mosquitto and
 *      InfluxDB with the center stopped, twice: the usual flow (3 tags, no timestamp) and one
 *      storing what Gwanje stores (issue 18); Gwanje's durable rate is reported as a ratio to each.
 * Run: node --import tsx bench/ingest/ingest.ts. Writes bench/results/ingest.json (SQLite, the
 * `npm start` default) or, with BENCH_DB=postgres, bench/results/ingest-postgres.json.
 * BENCH_SECONDS (10), BENCH_PEER=0, BENCH_CENTER_NODE_ARGS and BENCH_CENTER_LOG as below.
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alarm } from '@gwanje/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { io } from 'socket.io-client';
import {
  createTestDatabase,
  freePort,
  spawnServer,
  startInfluxDB,
  startMosquitto,
  waitFor,
} from '../../testkit/index.js';
import { saveRun } from '../runs.js';
import { comparePeers } from './nodered-peer.js';
import { cpuSecondsOf, influxPointsWritten, perMillion } from './proc.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const AGENTS = Number(process.env.BENCH_AGENTS ?? 16);
const SENSORS_PER_AGENT = Number(process.env.BENCH_SENSORS ?? 100);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BACKGROUND_RATE = 10_000;
const HIGH_BACKGROUND_RATE = Number(process.env.BENCH_HIGH_RATE ?? 50_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 300);
const PASSWORD = 'Bench-Control-r00m-1!';
const DB = 'gwanje';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// TCP_NODELAY on the broker's sockets (Mosquitto's default is off): see control-api/README.md.
// BENCH_DB=postgres: relational state in a throwaway PostgreSQL database (the production set)
// instead of the embedded SQLite of `npm start`.
const DB_KIND = process.env.BENCH_DB === 'postgres' ? 'postgres' : 'sqlite';
const [mosq, influx, httpPort, pgDb] = await Promise.all([
  startMosquitto({ extraConfig: 'set_tcp_nodelay true' }),
  startInfluxDB(),
  freePort(),
  DB_KIND === 'postgres' ? createTestDatabase('gwanje_bench') : undefined,
]);
const noDelay = (c: MqttClient): MqttClient => {
  (c.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  return c;
};
const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-bench-'));
const base = `http://127.0.0.1:${httpPort}`;
// BENCH_CENTER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the center.
const nodeArgs = (process.env.BENCH_CENTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const center = spawnServer(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, 'control-api/src/main.ts')], {
  ...process.env,
  GWANJE_HTTP_PORT: String(httpPort),
  GWANJE_HOST: '127.0.0.1',
  GWANJE_MQTT_URL: mosq.url,
  GWANJE_INFLUX_URL: `${influx.url}/${DB}`,
  GWANJE_DATA_DIR: dataDir,
  ...(pgDb ? { GWANJE_DATABASE_URL: pgDb.url } : {}),
  GWANJE_ADMIN_PASSWORD: PASSWORD,
  GWANJE_SIMULATE: '0',
  GWANJE_LOG_LEVEL: 'warn',
});
// BENCH_CENTER_LOG=<file> keeps the center's whole output (e.g. with --trace-gc above).
if (process.env.BENCH_CENTER_LOG) {
  const log = createWriteStream(process.env.BENCH_CENTER_LOG);
  center.proc.stdout?.pipe(log);
  center.proc.stderr?.pipe(log);
}
const centerExited = new Promise<never>((_, reject) =>
  center.proc.once('exit', (code, signal) => reject(new Error(`bench: the center exited (${code ?? signal})`))),
);
centerExited.catch(() => undefined);
const cleanup = async () => {
  await center.stop();
  await Promise.all([mosq.stop(), influx.stop(), pgDb?.drop()]);
  rmSync(dataDir, { recursive: true, force: true });
};

try {
  await waitFor(() => center.output().includes('Gwanje is running'), 60_000, 50);
  const post = async <T>(path: string, body: unknown, token?: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`bench: ${path} -> ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const { token } = await post<{ token: string }>('/api/v1/auth/login', { username: 'admin', password: PASSWORD });
  const sites = (await (
    await fetch(`${base}/api/v1/sites`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as Array<{ siteId: string }>;
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  // Agents registered through the API (the center refuses readings from unknown agents).
  const agents: Array<{ agentId: string; siteId: string; client: MqttClient; seq: number }> = [];
  for (let i = 0; i < AGENTS; i++) {
    const siteId = sites[(i + 1) % sites.length].siteId;
    const agentId = `bench-${i}`;
    await post('/api/v1/agents', { agentId, siteId }, token);
    const client = noDelay(await mqtt.connectAsync(mosq.url, { protocolVersion: 5, clientId: agentId }));
    agents.push({ agentId, siteId, client, seq: 0 });
  }
  const flameSite = sites[0].siteId;
  await post('/api/v1/agents', { agentId: 'bench-flame', siteId: flameSite }, token);
  const flameAgent = {
    agentId: 'bench-flame',
    siteId: flameSite,
    client: noDelay(await mqtt.connectAsync(mosq.url, { protocolVersion: 5 })),
    seq: 0,
  };

  let cursor = 0;
  const batchOf = (a: (typeof agents)[number], ts: number, n: number) => {
    const readings = [];
    for (let k = 0; k < n; k++) {
      const s = (cursor + k) % SENSORS_PER_AGENT;
      readings.push({
        sensorId: `${a.agentId}-t-${s}`,
        metric: 'temperature',
        value: 20 + (s % 7),
        unit: 'C',
        ts: ts + k,
        quality: 'good',
      });
    }
    cursor += n;
    return JSON.stringify({ agentId: a.agentId, seq: ++a.seq, readings });
  };
  const publish = (a: (typeof agents)[number], payload: string) =>
    a.client.publishAsync(`gwanje/v1/${a.siteId}/${a.agentId}/telemetry`, payload, { qos: 1 });

  // Warm-up: registers every sensor once.
  await Promise.all(agents.map((a) => publish(a, batchOf(a, Date.now(), SENSORS_PER_AGENT))));
  await waitFor(async () => (await metric('gwanje_readings_total')) >= AGENTS * SENSORS_PER_AGENT, 30_000, 100);
  let ts = Date.now();
  let flames = 0;

  // Alarm latency at 10,000 readings/s background: a fresh flame sensor trips every 100 ms.
  const measureLatency = async (label: string, rate = BACKGROUND_RATE) => {
    console.log(`bench: ${label}, ${rate} readings/s background, ${LATENCY_SAMPLES} flame alarms`);
    const load = [loadavg()[0]];
    const socket = io(`${base}/live`, { path: '/socket.io', auth: { token }, transports: ['websocket'] });
    await new Promise<void>((resolve) => socket.once('alarms:snapshot', () => resolve()));
    // An operator console of the flame site (the background sites' readings are not pushed to it).
    await socket.emitWithAck('subscribe', { siteIds: [flameSite] });
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const stages: number[][] = [];
    socket.on('alarm', (a: Alarm) => {
      const at = sent.get(a.sourceId);
      if (at === undefined || a.state !== 'unack') return;
      sent.delete(a.sourceId);
      const got = Date.now();
      latencies.push(got - at);
      const l = a.latency ?? {};
      // Where the time goes: broker -> center, center evaluation, evaluation -> emit, emit -> console.
      stages.push([
        (l.receivedAt ?? at) - at,
        (l.evaluatedAt ?? 0) - (l.receivedAt ?? 0),
        (l.emittedAt ?? 0) - (l.evaluatedAt ?? 0),
        got - (l.emittedAt ?? got),
      ]);
    });
    let running = true;
    const tickMs = 50;
    const perTick = Math.round((rate * tickMs) / 1000 / AGENTS);
    const background = (async () => {
      let next = performance.now();
      while (running) {
        for (const a of agents) {
          ts += perTick;
          void publish(a, batchOf(a, ts, perTick));
        }
        next += tickMs;
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
    // Warm-up: the background load settles.
    await sleep(5000);
    const bgBefore = await metric('gwanje_readings_total');
    const bgT0 = performance.now();
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      // A sensor never seen before each time: a raise, not a repeat of a standing alarm.
      const sensorId = `${flameSite}-bench-flame-${++flames}`;
      const now = Date.now();
      sent.set(sensorId, now);
      const payload = JSON.stringify({
        agentId: 'bench-flame',
        seq: ++flameAgent.seq,
        readings: [{ sensorId, metric: 'flame', value: 1, unit: 'bool', ts: now, quality: 'good' }],
      });
      void flameAgent.client.publishAsync(`gwanje/v1/${flameSite}/bench-flame/telemetry`, payload, { qos: 1 });
      await sleep(100);
    }
    await waitFor(() => sent.size === 0, 10_000).catch(() => undefined);
    const bgRate = Math.round(
      ((await metric('gwanje_readings_total')) - bgBefore) / ((performance.now() - bgT0) / 1000),
    );
    running = false;
    await background;
    socket.disconnect();
    load.push(loadavg()[0]);
    const column = (i: number, p: number) =>
      pct(
        stages.map((x) => x[i]),
        p,
      );
    return {
      backgroundTarget: rate,
      backgroundReadingsPerSecond: bgRate,
      /** 1-minute load average of the machine (2 cores, shared) at the start and end of the phase. */
      loadAverage: load.map((x) => Math.round(x * 10) / 10),
      samples: latencies.length,
      lost: LATENCY_SAMPLES - latencies.length,
      p50Ms: pct(latencies, 50),
      p99Ms: pct(latencies, 99),
      maxMs: Math.max(...latencies),
      stagesP50Ms: [0, 1, 2, 3].map((i) => column(i, 50)),
      stagesP99Ms: [0, 1, 2, 3].map((i) => column(i, 99)),
      stages: 'broker->center received, received->evaluated, evaluated->emitted, emitted->console',
      samplesMs: latencies,
    };
  };

  const settle = async () => {
    let last = -1;
    await waitFor(
      async () => {
        const n = await metric('gwanje_readings_total');
        const quiet = n === last;
        last = n;
        return quiet;
      },
      120_000,
      1000,
    ).catch(() => console.warn('bench: the center was still taking background readings after 120 s'));
    await waitFor(
      async () =>
        (((await (await fetch(`${base}/healthz`)).json()) as { timeseriesPending?: number }).timeseriesPending ?? 0) ===
        0,
      120_000,
      500,
    ).catch(() => console.warn('bench: background readings still pending for InfluxDB after 120 s'));
  };

  // 1. Latency at 10,000 readings/s background, the condition of the goal.
  const latency = await measureLatency('phase 1');
  const latency50k = await measureLatency('phase 1b', HIGH_BACKGROUND_RATE);
  // The burst starts from a quiet center: the background's backlog taken and written (otherwise
  // its readings would be counted as the burst's).
  await settle();
  const before = await metric('gwanje_readings_total');
  // CPU the center and InfluxDB spent (user + system, all threads) during the burst: robust to a shared machine.
  const cpuSeconds = () => [cpuSecondsOf(center.proc.pid), cpuSecondsOf(influx.pid())];
  const cpu0 = cpuSeconds();
  const written0 = await influxPointsWritten(influx.url);
  const load2 = [loadavg()[0]];

  // 2. Sustained: each agent keeps a window of unacknowledged QoS 1 publishes.
  console.log(`bench: phase 2, ${AGENTS} agents x ${BATCH} readings/message for ${SECONDS} s`);
  let published = 0;
  const t0 = performance.now();
  const stopAt = Date.now() + SECONDS * 1000;
  ts = Date.now();
  await Promise.all(
    agents.map(async (a) => {
      const inflight = new Set<Promise<unknown>>();
      while (Date.now() < stopAt) {
        ts += BATCH;
        const p = publish(a, batchOf(a, ts, BATCH));
        published += BATCH;
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        if (inflight.size >= 8) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    }),
  );
  const tPublished = performance.now();
  await Promise.race([
    centerExited,
    waitFor(async () => (await metric('gwanje_readings_total')) - before >= published, 300_000, 50),
  ]);
  const tTaken = performance.now();
  const sustained = Math.round(published / ((tTaken - t0) / 1000));
  const publishRate = Math.round(published / ((tPublished - t0) / 1000));
  console.log(
    `bench: ${published} readings stored+evaluated in ${Math.round(tTaken - t0)} ms -> ${sustained} readings/s (published at ${publishRate}/s)`,
  );
  const influxCount = async () => {
    const r = (await (
      await fetch(`${influx.url}/query?db=${DB}&q=${encodeURIComponent('SELECT count(value) FROM raw.reading')}`)
    ).json()) as {
      results: Array<{ series?: Array<{ values: Array<[string, number]> }> }>;
    };
    return r.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
  };
  const expected = before + published;
  // Durable: once InfluxDB has answered 204 for every reading of the burst (its httpd counter,
  // cheap; or the center's buffer is empty, whatever it had to drop counted by the store), the
  // points are counted until InfluxDB holds every reading. Counting alone every 500 ms, as this
  // bench did before, scanned millions of points each time and cost InfluxDB more CPU than the
  // writes it waited for. The Node-RED peer is timed the same way.
  const pending = async () =>
    ((await (await fetch(`${base}/healthz`)).json()) as { timeseriesPending?: number }).timeseriesPending ?? 0;
  await waitFor(
    async () => (await influxPointsWritten(influx.url)) - written0 >= published || (await pending()) === 0,
    300_000,
    100,
  ).catch(() => undefined);
  await waitFor(async () => (await influxCount()) >= expected, 5_000, 500).catch(() => undefined);
  const inInflux = await influxCount();
  const tInflux = performance.now();
  const cpuBurst = cpuSeconds().map((c, i) => c - cpu0[i]);
  load2.push(loadavg()[0]);
  const durable = Math.round((inInflux - before) / ((tInflux - t0) / 1000));
  console.log(
    `bench: InfluxDB holds ${inInflux} of ${expected} readings after ${Math.round(tInflux - t0)} ms -> ${durable} readings/s durable`,
  );

  // 3. Latency again, right after that burst (the center still digesting it: GC of the burst's heap).
  const latencyAfterBurst = await measureLatency('phase 3, after the burst');

  const metricsText = await (await fetch(`${base}/metrics`)).text();
  const loopLag = Object.fromEntries(
    metricsText
      .split('\n')
      .filter(
        (l) =>
          /^nodejs_eventloop_lag_(p50|p99|max)_seconds /.test(l) ||
          /^nodejs_gc_duration_seconds_(sum|count)\{kind="major"\}/.test(l),
      )
      .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
  );
  const rss = (() => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${center.proc.pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  })();
  const result = {
    bench: 'ingest',
    date: new Date().toISOString(),
    node: process.version,
    machine: 'this machine (2 cores)',
    setup: {
      agents: AGENTS,
      sensorsPerAgent: SENSORS_PER_AGENT,
      readingsPerMessage: BATCH,
      seconds: SECONDS,
      broker: 'mosquitto',
      store: 'influxdb 1.x',
      relational: DB_KIND,
    },
    sustained: {
      readings: published,
      /** Taken from MQTT, de-duplicated, evaluated by detection and handed to the time-series store. */
      acceptedEvaluatedPerSecond: sustained,
      /** Written to InfluxDB (the store's writer is the limit here). */
      durableInInfluxPerSecond: durable,
      publishedPerSecond: publishRate,
      influxHeld: inInflux,
      influxExpected: expected,
      /** Center CPU (user+system s) per million readings, from the burst's start until InfluxDB held them. */
      centerCpuSecondsPerMillion: perMillion(cpuBurst[0], published),
      /** InfluxDB's CPU over the same span: what parsing and indexing the center's writes cost it. */
      influxCpuSecondsPerMillion: perMillion(cpuBurst[1], published),
      loadAverage: load2.map((x) => Math.round(x * 10) / 10),
    },
    latency,
    latency50k,
    latencyAfterBurst,
    centerRssMb: rss,
    centerEventLoop: loopLag,
    goals: { readingsPerSecond: 50_000, p99Ms: 20, durableRatioToNodeRed: 1.5 },
    peer: {} as Record<string, Record<string, unknown>>,
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const save = () => {
    const name = `bench/results/ingest${DB_KIND === 'postgres' ? '-postgres' : ''}`;
    writeFileSync(join(ROOT, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    // Every run kept (without the raw samples) in `${name}-runs.json`: the spread between runs on
    // a shared machine is part of the figure (issue 18).
    saveRun(join(ROOT, `${name}-runs.json`), result);
  };
  save();

  // 4. The integrator's usual alternative on the same broker and InfluxDB, the center stopped so
  // each runs alone: Node-RED `mqtt in -> function -> influxdb out` with a threshold switch.
  if (process.env.BENCH_PEER !== '0') {
    await center.stop();
    result.peer = await comparePeers(
      { mqttPort: mosq.port, influxUrl: influx.url, influxPort: influx.port, influxPid: influx.pid },
      { agents, publish, batch: BATCH, seconds: SECONDS },
      {
        durable,
        cpuSecondsPerMillion: result.sustained.centerCpuSecondsPerMillion + result.sustained.influxCpuSecondsPerMillion,
      },
    );
    save();
  }
  for (const a of [...agents, flameAgent]) await a.client.endAsync();
} catch (err) {
  console.error(`bench: failed: ${(err as Error).stack}\n--- center output ---\n${center.output().slice(-5000)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  // After a failure the agents' MQTT clients are still open and would keep the bench alive.
  if (process.exitCode) process.exit();
}
