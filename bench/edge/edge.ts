/**
 * Edge agent benchmark (issue 5 "Measured"): readings/s accepted and forwarded (live and replay
 * after an outage), RSS of an agent process with 200 sensors and 8 ONVIF cameras listed, CPU per
 * pushed stream (ffmpeg -c copy). Real Mosquitto brokers, a GStreamer RTSP server and the ONVIF
 * simulator. Prints the figures and writes bench/results/edge.json.
 *   node --import tsx bench/edge/edge.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { EdgeAgent } from '../../edge-agent/src/agent.js';
import { spawnAgent, writeConfig } from '../../edge-agent/test/helpers/agent-process.js';
import { startTcpProxy } from '../../edge-agent/test/helpers/proxy.js';
import { startMosquitto, waitFor } from '../../testkit/index.js';
import { startOnvifSimulator } from '../../testkit/onvif-sim/index.js';
import { startRtspServer } from '../../testkit/rtsp.js';
import { childrenOf, cpuSeconds, rssMb } from './procstat.js';

const N = Number(process.env.BENCH_READINGS ?? 50_000);
const SENSORS = 200;
const sensorIds = Array.from({ length: SENSORS }, (_, i) => `bench-s${i}`);
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

/** The bundled agent, as a small box would run it. */
function spawnBundled(configFile: string) {
  const bundle = fileURLToPath(new URL('../../edge-agent/dist/gwanje-edge.mjs', import.meta.url));
  const proc = spawn(process.execPath, ['--max-semi-space-size=1', bundle, '--config', configFile], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    proc,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

async function footprint(mode: 'tsx' | 'bundle'): Promise<void> {
  const field = await startMosquitto();
  const central = await startMosquitto();
  const rtsp = await startRtspServer({ path: 'bench' });
  const sims = await Promise.all(
    Array.from({ length: 8 }, (_, i) => startOnvifSimulator({ rtspUrl: rtsp.url, name: `Bench cam ${i}` })),
  );
  const ingestBytes = new Map<string, number>();
  const ingest = createServer((req, res) => {
    const id = req.url ?? '';
    req.on('data', (b: Buffer) => ingestBytes.set(id, (ingestBytes.get(id) ?? 0) + b.length));
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => ingest.listen(0, '127.0.0.1', r));
  const ingestBase = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}`;
  const cameras = sims.map((s, i) => ({ cameraId: `bench-cam-${i}`, onvif: { url: s.url } }));
  const dir = join(tmp, 'fp');
  mkdirSync(dir, { recursive: true });
  const file = writeConfig(dir, {
    siteId: 'bench',
    agentId: 'bench-fp',
    central: { url: central.url, username: 'bench-fp', password: 'pw' },
    field: { url: field.url },
    dataDir: join(dir, 'data'),
    drivers: [{ id: 'field', type: 'mqtt' }],
    sensors,
    cameras,
    logging: { level: 'warn' },
  });
  let inventory = 0;
  const results2: Record<string, boolean> = {};
  const center = await mqtt.connectAsync(central.url, { clientId: 'bench-center-fp', protocolVersion: 4 });
  center.on('message', (topic, p) => {
    const v = JSON.parse(p.toString());
    if (topic.endsWith('/cameras'))
      inventory = (v.cameras as Array<{ profiles: unknown[] }>).filter((c) => c.profiles.length > 0).length;
    if (topic.endsWith('/cmd/result')) results2[v.id] = v.ok;
  });
  await center.subscribeAsync('gwanje/v1/bench/bench-fp/#', { qos: 1 });
  const agent = mode === 'tsx' ? spawnAgent(file) : spawnBundled(file);
  const pid = agent.proc.pid as number;
  await waitFor(() => inventory === 8, 30_000);
  // 200 sensors reporting once a second for 20 s.
  const pub = await mqtt.connectAsync(field.url, { clientId: 'bench-sensors-fp', protocolVersion: 4 });
  const rss: number[] = [];
  for (let s = 0; s < 20; s += 1) {
    await Promise.all(
      sensorIds.map((id) =>
        pub.publishAsync(`sensors/${id}`, JSON.stringify({ metric: 'gas', gas: 'CH4', value: 1, unit: '%LEL' }), {
          qos: 1,
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssMb(pid));
  }
  const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
  await new Promise((r) => setTimeout(r, 500));
  const nodeBaseline = rssMb(idle.pid as number);
  idle.kill();
  results[`footprint_${mode}`] = {
    sensors: SENSORS,
    camerasListed: inventory,
    rssMbSteady: rss[rss.length - 1],
    rssMbMax: Math.max(...rss),
    bareNodeRssMb: nodeBaseline,
    run:
      mode === 'tsx'
        ? 'node --import tsx edge-agent/src/main.ts (npm run -w edge-agent start)'
        : 'node --max-semi-space-size=1 edge-agent/dist/gwanje-edge.mjs (npm run -w edge-agent bundle && start:bundle)',
  };
  console.log(`footprint (${mode})`, results[`footprint_${mode}`]);
  if (mode === 'bundle') {
    await agent.stop();
    await pub.endAsync();
    await center.endAsync();
    ingest.close();
    for (const s of sims) await s.stop();
    await rtsp.stop();
    await field.stop();
    await central.stop();
    return;
  }

  // CPU per pushed stream: 4 cameras pushed (RTSP -> ffmpeg -c copy -> HTTP POST MPEG-TS).
  const agentCpu0 = cpuSeconds(pid);
  for (let i = 0; i < 4; i += 1) {
    const body = {
      id: `p${i}`,
      action: 'stream.start',
      args: { cameraId: `bench-cam-${i}`, url: `${ingestBase}/video/ingest/bench-cam-${i}` },
    };
    await center.publishAsync('gwanje/v1/bench/bench-fp/cmd', JSON.stringify(body), { qos: 1 });
  }
  await waitFor(() => childrenOf(pid, 'ffmpeg').length === 4, 10_000);
  await new Promise((r) => setTimeout(r, 2000));
  const ff = childrenOf(pid, 'ffmpeg');
  const c0 = ff.map(cpuSeconds);
  const a0 = cpuSeconds(pid);
  const b0 = [...ingestBytes.values()].reduce((a, b) => a + b, 0);
  const WINDOW = 10;
  await new Promise((r) => setTimeout(r, WINDOW * 1000));
  const perStream = ff.map((p, i) => ((cpuSeconds(p) - c0[i]) / WINDOW) * 100);
  const bytes = [...ingestBytes.values()].reduce((a, b) => a + b, 0) - b0;
  results.streams = {
    pushed: ff.length,
    source: 'RTSP H.264 640x360 15 fps, -c copy',
    ffmpegCpuPctPerStream: Math.round((perStream.reduce((a, b) => a + b, 0) / ff.length) * 10) / 10,
    agentCpuPctWhilePushing: Math.round(((cpuSeconds(pid) - a0) / WINDOW) * 1000) / 10,
    kbitPerSPerStream: Math.round((bytes * 8) / 1000 / WINDOW / ff.length),
    rssMbWhilePushing: rssMb(pid),
    agentCpuSecondsTotal: Math.round((cpuSeconds(pid) - agentCpu0) * 10) / 10,
  };
  console.log('streams', results.streams);
  await pub.endAsync();
  await agent.stop();
  await center.endAsync();
  ingest.closeAllConnections();
  ingest.close();
  for (const s of sims) await s.stop();
  await rtsp.stop();
  await field.stop();
  await central.stop();
}

try {
  await core();
  await throughput();
  execFileSync(process.execPath, [fileURLToPath(new URL('../../edge-agent/bin/bundle.mjs', import.meta.url))]);
  await footprint('bundle');
  await footprint('tsx');
  const out = join(import.meta.dirname, '..', 'results', 'edge.json');
  mkdirSync(join(import.meta.dirname, '..', 'results'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
