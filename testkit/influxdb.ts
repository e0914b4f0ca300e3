/** A real InfluxDB 1.x (`influxd`, Debian package influxdb) on free ports, config per RECIPES. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { type Spawned, spawnServer } from './process.js';

export interface InfluxInstance {
  port: number;
  url: string;
  /** Stops the server, keeping its data (to simulate an outage). */
  pause(): Promise<void>;
  /** Starts it again on the same port and data. */
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** The running influxd's process id (benchmarks read its CPU time from /proc). */
  pid(): number | undefined;
}

export async function startInfluxDB(): Promise<InfluxInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-influx-'));
  const port = await freePort();
  const rpc = await freePort();
  const conf = join(dir, 'influxdb.conf');
  writeFileSync(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpc}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[logging]
  level = "warn"
[continuous_queries]
  run-interval = "1s"
`,
  );
  let server: Spawned | undefined;
  const url = `http://127.0.0.1:${port}`;
  const start = async () => {
    server = spawnServer('influxd', ['-config', conf]);
    const s = server;
    await waitFor(async () => (await fetch(`${url}/ping`)).status === 204, 20_000).catch((err) => {
      throw new Error(`influxd did not start: ${err.message}\n${s.output()}`);
    });
  };
  await start();
  return {
    port,
    url,
    pause: async () => {
      await server?.stop();
    },
    resume: start,
    pid: () => server?.proc.pid,
    stop: async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
