/**
 * The real center (`control-api/src/main.ts`) for console tests: free ports, its own data
 * directory, the given admin password; resolves once /healthz answers 200. stop() ends it and
 * removes the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer, waitFor } from '../../../testkit/index.js';

const root = new URL('../../../', import.meta.url).pathname;

export interface RealCenter {
  url: string;
  mqttUrl: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startRealCenter(o: {
  password: string;
  simulate: number;
  /** Extra settings (e.g. GWANJE_CONFIG_PUBLIC_KEY). */
  env?: Record<string, string>;
  /** How long to wait for /healthz (default 60 s; a loaded machine may need more). */
  readyTimeoutMs?: number;
}): Promise<RealCenter> {
  const [http, mq] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-console-'));
  const center = spawnServer(process.execPath, [join(root, 'scripts/launch.mjs')], {
    ...process.env,
    GWANJE_HTTP_PORT: String(http),
    GWANJE_MQTT_PORT: String(mq),
    GWANJE_HOST: '127.0.0.1',
    GWANJE_DATA_DIR: dataDir,
    GWANJE_ADMIN_PASSWORD: o.password,
    GWANJE_SIMULATE: String(o.simulate),
    GWANJE_SIMULATE_INCIDENT_SEC: '0',
    GWANJE_LOG_LEVEL: 'warn',
    ...o.env,
  });
  const url = `http://127.0.0.1:${http}`;
  const stop = async () => {
    await center.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok === true,
      o.readyTimeoutMs ?? 60_000,
    );
  } catch (err) {
    const out = center.output();
    await stop();
    throw new Error(`center did not come up: ${String(err)}\n${out}`);
  }
  return { url, mqttUrl: `mqtt://127.0.0.1:${mq}`, output: center.output, stop };
}
