/**
 * The whole center in the test process, on free ports, with its own data directory, the given
 * admin password and no simulated sites. `env` adds or overrides GWANJE_* variables (an external
 * broker, TLS). stop() stops the center and removes the data directory it made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '@gwanje/media';
import { freePort, type Spawned, spawnServer, waitFor } from '../../../testkit/index.js';
import { Center, type CenterStarted } from '../../src/center.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { CenterTuning } from '../../src/module.js';
import { loadSettings } from '../../src/settings.js';

/** The simulated province (edge-agent/src/sim/province-runner.ts), as this file uses it. */
interface Province {
  start(): Promise<number>;
  stop(): Promise<void>;
}
const PROVINCE_RUNNER = new URL('../../../edge-agent/src/sim/province-runner.ts', import.meta.url).href;

export interface TestCenter {
  center: Center;
  started: CenterStarted;
  /** The center's HTTP base URL. */
  base: string;
  httpPort: number;
  mqttPort: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestCenter(opts: {
  /** GWANJE_ADMIN_PASSWORD; absent: generated as on a first `npm start` (`started.adminPassword`). */
  password?: string;
  env?: Record<string, string>;
  /** Use this data directory (left in place) instead of a fresh temporary one. */
  dataDir?: string;
  /** The clock every module reads (detection delays and windows on test time). */
  now?: () => number;
  /** The center's logger (default silent); a test that checks what is logged passes its own. */
  log?: Logger;
  /** Limits a test moves (a login throttle it can trip, a short token lifetime). */
  tuning?: CenterTuning;
  /**
   * With GWANJE_SIMULATE > 0, run the simulated province beside the center as `npm start` does (its
   * own runner, in this process, provisioned through the center's one-time token). Default true; a
   * test of the provisioning path itself says false and uses the token.
   */
  simulator?: boolean;
}): Promise<TestCenter> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'gwanje-center-'));
  const [httpPort, mqttPort] = await Promise.all([freePort(), freePort()]);
  const settings = loadSettings({
    GWANJE_HTTP_PORT: String(httpPort),
    GWANJE_MQTT_PORT: String(mqttPort),
    GWANJE_HOST: '127.0.0.1',
    GWANJE_DATA_DIR: dataDir,
    ...(opts.password !== undefined ? { GWANJE_ADMIN_PASSWORD: opts.password } : {}),
    GWANJE_SIMULATE: '0',
    ...opts.env,
  });
  const center = new Center(settings, { log: opts.log ?? createLogger('silent'), now: opts.now, tuning: opts.tuning });
  const started = await center.start();
  let province: Province | undefined;
  if (settings.simulate > 0 && opts.simulator !== false) {
    // Loaded by URL so the console tests' type check (bundler resolution), which reaches this file
    // through the cluster support, does not follow the whole edge agent.
    const { ProvinceRunner } = (await import(PROVINCE_RUNNER)) as { ProvinceRunner: new (o: unknown) => Province };
    province = new ProvinceRunner({
      log: opts.log ?? createLogger('silent'),
      dataDir,
      incidentEverySec: Number(opts.env?.GWANJE_SIMULATE_INCIDENT_SEC ?? 600),
      ffmpeg: { path: resolveFfmpeg(opts.env?.GWANJE_FFMPEG).path },
      waitMs: 60_000,
    });
    await province.start();
  }
  return {
    center,
    started,
    base: started.url,
    httpPort,
    mqttPort,
    dataDir,
    stop: async () => {
      await province?.stop();
      await center.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The center as `npm start` runs it (scripts/launch.mjs: main.ts, and the simulator when GWANJE_SIMULATE > 0). */
export interface CenterProcess {
  proc: Spawned;
  base: string;
  httpPort: number;
}

/**
 * Spawns the launcher on free ports with the given data directory and admin password (no simulated
 * sites unless `env` says so) and resolves once it prints that it is running.
 */
export async function spawnCenter(opts: {
  password: string;
  dataDir: string;
  env?: Record<string, string>;
  /** Advertise `http://127.0.0.1:<port>` as GWANJE_PUBLIC_URL (instances of a cluster reach each other there). */
  advertise?: boolean;
  /** This HTTP port instead of a free one (a cluster lists its instances' URLs before they start). */
  httpPort?: number;
}): Promise<CenterProcess> {
  const [httpPort, mqttPort] = await Promise.all([opts.httpPort ?? freePort(), freePort()]);
  const env = {
    ...process.env,
    GWANJE_HTTP_PORT: String(httpPort),
    GWANJE_MQTT_PORT: String(mqttPort),
    GWANJE_HOST: '127.0.0.1',
    GWANJE_DATA_DIR: opts.dataDir,
    GWANJE_ADMIN_PASSWORD: opts.password,
    GWANJE_SIMULATE: '0',
    GWANJE_LOG_LEVEL: 'warn',
    ...(opts.advertise ? { GWANJE_PUBLIC_URL: `http://127.0.0.1:${httpPort}` } : {}),
    ...opts.env,
  };
  // With simulated sites, the launcher (center + simulator process, as `npm start`); without, the
  // center's entry itself, so that a signal (kill -9 in the cluster tests) reaches the center and not
  // a launcher whose child would live on.
  const entry =
    Number(env.GWANJE_SIMULATE) > 0
      ? [new URL('../../../scripts/launch.mjs', import.meta.url).pathname]
      : ['--import', 'tsx', new URL('../../src/main.ts', import.meta.url).pathname];
  const proc = spawnServer(process.execPath, entry, env);
  await waitFor(() => proc.output().includes('Gwanje is running'), 120_000, 50).catch(async (err: Error) => {
    await proc.stop();
    throw new Error(`center did not start: ${err.message}\n${proc.output()}`);
  });
  return { proc, base: `http://127.0.0.1:${httpPort}`, httpPort };
}
