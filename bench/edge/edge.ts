/**
 * Edge agent benchmark (issue 5 "Measured"): readings/s accepted and forwarded (live and replay
 * after an outage), RSS of the shipped agent process with 200 sensors and 8 ONVIF cameras listed
 * (and of other forms and V8 flags, with their CPU-seconds), CPU per pushed stream (-c copy). Real Mosquitto brokers, a GStreamer RTSP server and the ONVIF
 * simulator. Prints the figures and writes bench/results/edge.json.
 *   node --import tsx bench/edge/edge.ts
 *   BENCH_EDGE=push node --import tsx bench/edge/edge.ts   (only CPU per pushed stream -> edge-push.json)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { EdgeAgent } from '../../edge-agent/src/agent.js';
import { startTcpProxy } from '../../edge-agent/test/helpers/proxy.js';
import { startMosquitto, waitFor } from '../../testkit/index.js';
import { bareNodeMb, CAMERAS, type FootprintOptions, footprint, SENSORS, sensorIds } from './footprint.js';

const N = Number(process.env.BENCH_READINGS ?? 50_000);
const sensors = sensorIds.map((sensorId) => ({ sensorId, metric: 'gas', gas: 'CH4', unit: '%LEL' }));
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
};
const tmp = mkdtempSync(join(tmpdir(), 'gwanje-bench-edge-'));

async function publishAll(client: MqttClient, count: number, ts0: number): Promise<void> {
  for (let w = 0; w < count; w += 1000) {
    const batch: Promise<unknown>[] = [];
    for (let i = w; i < Math.min(count, w + 1000); i += 1) {
      const body = JSON.stringify({ metric: 'gas', gas: 'CH4', value: (i % 200) / 100, unit: '%LEL', ts: ts0 + i });
      batch.push(client.publishAsync(`sensors/${sensorIds[i % SENSORS]}`, body, { qos: 1 }));
    }
    await Promise.all(batch);
  }
}

/** The agent core alone: accept() (normalize, validate, fail-safe, queue write) then uplink to a real broker. */
async function core(): Promise<void> {
  const central = await startMosquitto();
  const agent = new EdgeAgent(
    {
      siteId: 'bench',
      agentId: 'bench-core',
      central: { url: central.url, username: 'bench-core', password: 'pw' },
      field: { url: central.url },
      dataDir: join(tmp, 'core'),
      sensors,
      buffer: { batchSize: 1000, flushMs: 250, maxBytes: 256 * 1024 * 1024 },
    },
    { log: pino({ level: 'warn' }) },
  );
  await agent.start();
  await waitFor(() => agent.stats().seq > 0, 5000);
  await new Promise((r) => setTimeout(r, 300));
  const cfg = agent.config.sensors;
  const n = 200_000;
  const t0 = Date.now();
  for (let i = 0; i < n; i += 1) {
    agent.accept(cfg[i % SENSORS], { value: (i % 300) / 100, ts: t0 + i });
    if (i % 5000 === 0) await new Promise((r) => setImmediate(r));
  }
  const acceptMs = Date.now() - t0;
  await waitFor(() => agent.stats().forwarded >= n, 120_000, 5);
  const forwardMs = Date.now() - t0;
  results.core = {
    readings: n,
    acceptedPerS: Math.round(n / (acceptMs / 1000)),
    forwardedPerS: Math.round(n / (forwardMs / 1000)),
    note: 'in-process accept() loop, uplink to a real Mosquitto, batches of 1000',
  };
  console.log('core', results.core);
  await agent.stop();
  await central.stop();
}

async function throughput(): Promise<void> {
  const field = await startMosquitto();
  const central = await startMosquitto();
  const proxy = await startTcpProxy(central.port);
  let received = 0;
  const center = await mqtt.connectAsync(central.url, { clientId: 'bench-center', protocolVersion: 4 });
  center.on('message', (_t, p) => {
    received += (JSON.parse(p.toString()) as { readings: unknown[] }).readings.length;
  });
  await center.subscribeAsync('gwanje/v1/bench/bench-agent/telemetry', { qos: 1 });
  const agent = new EdgeAgent(
    {
      siteId: 'bench',
      agentId: 'bench-agent',
      central: { url: proxy.url, username: 'bench-agent', password: 'pw' },
      field: { url: field.url },
      dataDir: join(tmp, 'tp'),
      drivers: [{ id: 'field', type: 'mqtt' }],
      sensors,
      buffer: { batchSize: 500, flushMs: 250, maxBytes: 256 * 1024 * 1024 },
    },
    { log: pino({ level: 'warn' }) },
  );
  await agent.start();
  const pub = await mqtt.connectAsync(field.url, { clientId: 'bench-sensors', protocolVersion: 4 });
  await waitFor(() => agent.stats().seq > 0 && received === 0, 5000);
  await new Promise((r) => setTimeout(r, 500));

  // Live: link up, readings flow straight through.
  let t0 = Date.now();
  await publishAll(pub, N, t0);
  await waitFor(() => agent.stats().accepted >= N, 120_000, 5);
  const acceptMs = Date.now() - t0;
  await waitFor(() => received >= N, 120_000, 5);
  const forwardMs = Date.now() - t0;
  results.live = {
    readings: N,
    path: 'field Mosquitto -> mqtt driver -> agent -> central Mosquitto, one publisher, batches of 500',
    acceptedPerS: Math.round(N / (acceptMs / 1000)),
    forwardedPerS: Math.round(N / (forwardMs / 1000)),
  };

  // Replay: the WAN is cut while N readings arrive, then restored; measure the backlog drain.
  proxy.cut();
  received = 0;
  await publishAll(pub, N, Date.now());
  await waitFor(() => agent.stats().buffered >= N, 120_000, 5);
  t0 = Date.now();
  proxy.restore();
  await waitFor(() => received >= N, 180_000, 5);
  const replayMs = Date.now() - t0;
  results.replay = {
    readings: N,
    forwardedPerS: Math.round(N / (replayMs / 1000)),
    note: 'includes the agent reconnect backoff (up to a few s)',
  };
  console.log('throughput', results.live, results.replay);
  await pub.endAsync();
  await agent.stop();
  await center.endAsync();
  await proxy.close();
  await field.stop();
  await central.stop();
}

const BIN = fileURLToPath(new URL('../../edge-agent/bin/gwanje-edge.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../edge-agent/dist/gwanje-edge.mjs', import.meta.url));
const MAIN = fileURLToPath(new URL('../../edge-agent/src/main.ts', import.meta.url));
const BURST = 20_000;

/**
 * RSS in the scenario (200 sensors, 8 ONVIF cameras listed) for the shipped form (the bin
 * as systemd runs it: prebuilt bundle, V8 flags from its shebang), the same bundle under other
 * flags (what each flag buys and costs in CPU-seconds for a 20,000-reading burst), and tsx.
 */
async function footprints(): Promise<void> {
  const node = process.execPath;
  const variants: Array<[string, string[], FootprintOptions]> = [
    ['shipped', [BIN, '--config', '{config}'], { burst: BURST, streams: 4 }],
    ['bundleNoFlags', [node, DIST, '--config', '{config}'], { burst: BURST }],
    ['bundleSemiSpace1', [node, '--max-semi-space-size=1', DIST, '--config', '{config}'], { burst: BURST }],
    ['bundleNoOpt', [node, '--max-semi-space-size=1', '--no-opt', DIST, '--config', '{config}'], { burst: BURST }],
    ['tsx', [node, '--import', 'tsx', MAIN, '--config', '{config}'], { burst: BURST }],
  ];
  const out: Record<string, unknown> = { sensors: SENSORS, cameras: CAMERAS, bareNodeRssMb: await bareNodeMb() };
  for (const [name, argv, o] of variants) {
    out[name] = await footprint(argv, o);
    console.log(`footprint ${name}`, out[name]);
  }
  results.footprint = out;
}

/** BENCH_EDGE=push: only the shipped agent pushing 4 streams (bench/results/edge-push.json). */
const pushOnly = process.env.BENCH_EDGE === 'push';

try {
  if (!pushOnly) {
    await core();
    await throughput();
  }
  execFileSync(process.execPath, [fileURLToPath(new URL('../../edge-agent/bin/bundle.mjs', import.meta.url))]);
  if (pushOnly) {
    results.shippedPushing = await footprint([BIN, '--config', '{config}'], { seconds: 5, streams: 4 });
    results.loadAvg1m = Math.round(loadavg()[0] * 100) / 100;
  } else await footprints();
  const out = join(import.meta.dirname, '..', 'results', pushOnly ? 'edge-push.json' : 'edge.json');
  mkdirSync(join(import.meta.dirname, '..', 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
