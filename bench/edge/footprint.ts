/**
 * The issue-5 footprint scenario, reusable by edge.ts and on its own: one agent process with 200
 * sensors on the field broker (each reporting once a second) and 8 ONVIF cameras listed (the
 * simulator on a real GStreamer RTSP stream). Reports steady RSS and CPU-seconds of the process,
 * optionally the CPU-seconds of a burst of readings and of pushed streams.
 *   node --import tsx bench/edge/footprint.ts [command ... --config {config}]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { writeConfig } from '../../edge-agent/test/helpers/agent-process.js';
import { startMosquitto, waitFor } from '../../testkit/index.js';
import { startOnvifSimulator } from '../../testkit/onvif-sim/index.js';
import { startRtspServer } from '../../testkit/rtsp.js';
import { childrenOf, cpuSeconds, rssMb } from './procstat.js';

export const SENSORS = 200;
export const CAMERAS = 8;
export const sensorIds = Array.from({ length: SENSORS }, (_, i) => `bench-s${i}`);

export interface FootprintResult {
  command: string;
  camerasListed: number;
  rssMbSteady: number;
  rssMbMax: number;
  /** CPU-seconds from spawn until the 8 cameras are listed (load + connect). */
  cpuSecondsStartup: number;
  /** CPU-seconds over the 20 s of 200 sensors at 1 Hz (4,000 readings). */
  cpuSecondsSteady20s: number;
  /** CPU-seconds the agent spent accepting and forwarding `burst` readings sent as fast as possible. */
  burst?: { readings: number; cpuSeconds: number; seconds: number };
  streams?: Record<string, number>;
}

export interface FootprintOptions {
  seconds?: number;
  /** After the steady phase: this many readings at full speed, timed until the center has them all. */
  burst?: number;
  /** After that: push this many camera streams (RTSP -> ffmpeg -c copy -> HTTP) and measure CPU. */
  streams?: number;
}

/** Runs `argv` (argv[0] is the executable; `{config}` is replaced by the config file path). */
export async function footprint(argv: string[], o: FootprintOptions = {}): Promise<FootprintResult> {
  const seconds = o.seconds ?? 20;
  const tmp = mkdtempSync(join(tmpdir(), 'gwanje-bench-fp-'));
  const field = await startMosquitto();
  const central = await startMosquitto();
  const rtsp = await startRtspServer({ path: 'bench' });
  const sims = await Promise.all(
    Array.from({ length: CAMERAS }, (_, i) => startOnvifSimulator({ rtspUrl: rtsp.url, name: `Bench cam ${i}` })),
  );
  const dir = join(tmp, 'fp');
  mkdirSync(dir, { recursive: true });
  // The agent pushes video only to its configured center (central.videoUrl): the ingest sink here.
  const sink = await startIngestSink();
  const file = writeConfig(dir, {
    siteId: 'bench',
    agentId: 'bench-fp',
    central: { url: central.url, username: 'bench-fp', password: 'pw', videoUrl: sink.base },
    field: { url: field.url },
    dataDir: join(dir, 'data'),
    drivers: [{ id: 'field', type: 'mqtt' }],
    sensors: sensorIds.map((sensorId) => ({ sensorId, metric: 'gas', gas: 'CH4', unit: '%LEL' })),
    cameras: sims.map((s, i) => ({ cameraId: `bench-cam-${i}`, onvif: { url: s.url } })),
    logging: { level: 'warn' },
  });
  let inventory = 0;
  let received = 0;
  const center = await mqtt.connectAsync(central.url, { clientId: 'bench-center-fp', protocolVersion: 4 });
  center.on('message', (topic, p) => {
    if (topic.endsWith('/telemetry')) received += (JSON.parse(p.toString()) as { readings: unknown[] }).readings.length;
    if (!topic.endsWith('/cameras')) return;
    const v = JSON.parse(p.toString()) as { cameras: Array<{ profiles: unknown[] }> };
    inventory = v.cameras.filter((c) => c.profiles.length > 0).length;
  });
  await center.subscribeAsync('gwanje/v1/bench/bench-fp/#', { qos: 1 });
  const args = argv.slice(1).map((a) => (a === '{config}' ? file : a));
  const proc = spawn(argv[0], args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const pid = proc.pid as number;
  const pub = await mqtt.connectAsync(field.url, { clientId: 'bench-sensors-fp', protocolVersion: 4 });
  try {
    await waitFor(() => inventory === CAMERAS, 60_000);
    const cpuStart = cpuSeconds(pid);
    const rss: number[] = [];
    for (let s = 0; s < seconds; s += 1) {
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
    const result: FootprintResult = {
      command: argv.join(' '),
      camerasListed: inventory,
      rssMbSteady: rss[rss.length - 1],
      rssMbMax: Math.max(...rss),
      cpuSecondsStartup: cpuStart,
      cpuSecondsSteady20s: Math.round((cpuSeconds(pid) - cpuStart) * 100) / 100,
    };
    if (o.burst) {
      await waitFor(() => received >= SENSORS * seconds, 30_000);
      const target = received + o.burst;
      const c0 = cpuSeconds(pid);
      const t0 = Date.now();
      await publishBurst(pub, o.burst);
      await waitFor(() => received >= target, 120_000, 5);
      result.burst = {
        readings: o.burst,
        cpuSeconds: Math.round((cpuSeconds(pid) - c0) * 100) / 100,
        seconds: (Date.now() - t0) / 1000,
      };
    }
    if (o.streams) result.streams = await pushStreams(pid, center, sink, o.streams);
    return result;
  } finally {
    proc.kill('SIGTERM');
    await exited;
    await pub.endAsync();
    await center.endAsync();
    for (const s of sims) await s.stop();
    await rtsp.stop();
    await field.stop();
    await central.stop();
    sink.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function publishBurst(pub: MqttClient, count: number): Promise<void> {
  const ts0 = Date.now();
  for (let w = 0; w < count; w += 1000) {
    const batch: Promise<unknown>[] = [];
    for (let i = w; i < Math.min(count, w + 1000); i += 1) {
      const body = JSON.stringify({ metric: 'gas', gas: 'CH4', value: (i % 200) / 100, unit: '%LEL', ts: ts0 + i });
      batch.push(pub.publishAsync(`sensors/${sensorIds[i % SENSORS]}`, body, { qos: 1 }));
    }
    await Promise.all(batch);
  }
}

interface IngestSink {
  base: string;
  /** Bytes received per ingest path. */
  bytes: Map<string, number>;
  close(): void;
}

/** A stand-in for the center's `POST /video/ingest/{cameraId}` that counts what arrives. */
async function startIngestSink(): Promise<IngestSink> {
  const bytes = new Map<string, number>();
  const server = createServer((req, res) => {
    const id = req.url ?? '';
    req.on('data', (b: Buffer) => bytes.set(id, (bytes.get(id) ?? 0) + b.length));
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bytes,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** CPU per pushed stream: `n` cameras pushed (RTSP -> ffmpeg -c copy -> the agent's HTTP POST). */
async function pushStreams(
  pid: number,
  center: MqttClient,
  sink: IngestSink,
  n: number,
): Promise<Record<string, number>> {
  const ingestBytes = sink.bytes;
  for (let i = 0; i < n; i += 1) {
    const args = { cameraId: `bench-cam-${i}`, url: `${sink.base}/video/ingest/bench-cam-${i}` };
    await center.publishAsync(
      'gwanje/v1/bench/bench-fp/cmd',
      JSON.stringify({ id: `p${i}`, action: 'stream.start', args }),
      {
        qos: 1,
      },
    );
  }
  await waitFor(() => childrenOf(pid, 'ffmpeg').length === n, 10_000);
  await new Promise((r) => setTimeout(r, 2000));
  const ff = childrenOf(pid, 'ffmpeg');
  const c0 = ff.map(cpuSeconds);
  const a0 = cpuSeconds(pid);
  const b0 = [...ingestBytes.values()].reduce((a, b) => a + b, 0);
  const WINDOW = 10;
  await new Promise((r) => setTimeout(r, WINDOW * 1000));
  const perStream = ff.map((p, i) => ((cpuSeconds(p) - c0[i]) / WINDOW) * 100);
  const bytes = [...ingestBytes.values()].reduce((a, b) => a + b, 0) - b0;
  return {
    pushed: ff.length,
    ffmpegCpuPctPerStream: Math.round((perStream.reduce((a, b) => a + b, 0) / ff.length) * 10) / 10,
    agentCpuSecondsPerSWhilePushing: Math.round(((cpuSeconds(pid) - a0) / WINDOW) * 1000) / 1000,
    kbitPerSPerStream: Math.round((bytes * 8) / 1000 / WINDOW / ff.length),
    rssMbWhilePushing: rssMb(pid),
  };
}

/** RSS of a bare `node` doing nothing: the floor every figure above sits on. */
export async function bareNodeMb(): Promise<number> {
  const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
  await new Promise((r) => setTimeout(r, 500));
  const mb = rssMb(idle.pid as number);
  idle.kill();
  return mb;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  console.log(
    await footprint(argv.length ? argv : [process.execPath, 'edge-agent/dist/gwanje-edge.mjs', '--config', '{config}']),
  );
}
