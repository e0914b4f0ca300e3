/**
 * The issue-5 footprint scenario, reusable by edge.ts and on its own: one agent process with 200
 * sensors on the field broker (each reporting once a second) and 8 ONVIF cameras listed (the
 * simulator on a real GStreamer RTSP stream). Reports steady RSS and CPU-seconds of the process.
 *   node --import tsx bench/edge/footprint.ts [shipped|bundle-flags|tsx ...]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { writeConfig } from '../../edge-agent/test/helpers/agent-process.js';
import { startMosquitto, waitFor } from '../../testkit/index.js';
import { startOnvifSimulator } from '../../testkit/onvif-sim/index.js';
import { startRtspServer } from '../../testkit/rtsp.js';
import { cpuSeconds, rssMb } from './procstat.js';

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
  heap?: string;
}

/** Runs `argv` (argv[0] is the executable; `{config}` is replaced by the config file path). */
export async function footprint(argv: string[], seconds = 20): Promise<FootprintResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'gwanje-bench-fp-'));
  const field = await startMosquitto();
  const central = await startMosquitto();
  const rtsp = await startRtspServer({ path: 'bench' });
  const sims = await Promise.all(
    Array.from({ length: CAMERAS }, (_, i) => startOnvifSimulator({ rtspUrl: rtsp.url, name: `Bench cam ${i}` })),
  );
  const dir = join(tmp, 'fp');
  mkdirSync(dir, { recursive: true });
  const file = writeConfig(dir, {
    siteId: 'bench',
    agentId: 'bench-fp',
    central: { url: central.url, username: 'bench-fp', password: 'pw' },
    field: { url: field.url },
    dataDir: join(dir, 'data'),
    drivers: [{ id: 'field', type: 'mqtt' }],
    sensors: sensorIds.map((sensorId) => ({ sensorId, metric: 'gas', gas: 'CH4', unit: '%LEL' })),
    cameras: sims.map((s, i) => ({ cameraId: `bench-cam-${i}`, onvif: { url: s.url } })),
    logging: { level: 'warn' },
  });
  let inventory = 0;
  const center = await mqtt.connectAsync(central.url, { clientId: 'bench-center-fp', protocolVersion: 4 });
  center.on('message', (topic, p) => {
    if (!topic.endsWith('/cameras')) return;
    const v = JSON.parse(p.toString()) as { cameras: Array<{ profiles: unknown[] }> };
    inventory = v.cameras.filter((c) => c.profiles.length > 0).length;
  });
  await center.subscribeAsync('gwanje/v1/bench/bench-fp/cameras', { qos: 1 });
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
    return {
      command: argv.join(' ').replace(file, '<config>'),
      camerasListed: inventory,
      rssMbSteady: rss[rss.length - 1],
      rssMbMax: Math.max(...rss),
      cpuSecondsStartup: cpuStart,
      cpuSecondsSteady20s: Math.round((cpuSeconds(pid) - cpuStart) * 100) / 100,
    };
  } finally {
    proc.kill('SIGTERM');
    await exited;
    await pub.endAsync();
    await center.endAsync();
    for (const s of sims) await s.stop();
    await rtsp.stop();
    await field.stop();
    await central.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
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
