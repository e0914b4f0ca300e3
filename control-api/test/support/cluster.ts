/**
 * Several center processes (issue 19) as `npm start` runs them, on one real PostgreSQL (a
 * throwaway database), one Mosquitto 2 with dynamic security, one InfluxDB and one Redis: what
 * CONTRACT "Several center instances" asks a province to run. `kill9(i)` kills an instance the
 * way a power cut would; `stop()` stops everything it started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  freePort,
  type InfluxInstance,
  type MosquittoInstance,
  type RedisInstance,
  startInfluxDB,
  startMosquitto,
  startRedis,
  type TestDatabase,
} from '../../../testkit/index.js';
import { type CenterProcess, spawnCenter } from './center.js';

export interface TestCluster {
  centers: CenterProcess[];
  broker: MosquittoInstance;
  redis: RedisInstance;
  /** The environment every instance shares. */
  env: Record<string, string>;
  kill9(i: number): Promise<void>;
  /** Starts one more instance (a replacement after a kill) and appends it to `centers`. */
  add(): Promise<CenterProcess>;
  stop(): Promise<void>;
}

export async function startTestCluster(opts: {
  password: string;
  instances: number;
  env?: Record<string, string>;
  /** Set GWANJE_CENTER_URLS to the instances' URLs (ports chosen before they start). */
  listCenters?: boolean;
}): Promise<TestCluster> {
  const dirs: string[] = [];
  const centers: CenterProcess[] = [];
  let db: TestDatabase | undefined;
  let influx: InfluxInstance | undefined;
  let broker: MosquittoInstance | undefined;
  let redis: RedisInstance | undefined;
  const stop = async () => {
    await Promise.all(centers.map((c) => c.proc.stop('SIGKILL')));
    await Promise.all([broker?.stop(), influx?.stop(), redis?.stop()]);
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    [db, influx, broker, redis] = await Promise.all([
      createTestDatabase('gwanje_cluster'),
      startInfluxDB(),
      startMosquitto({ dynsec: { adminUser: 'dsadmin', adminPassword: 'dsadmin-secret' } }),
      startRedis(),
    ]);
    const env = {
      GWANJE_DATABASE_URL: db.url,
      GWANJE_INFLUX_URL: `${influx.url}/gwanje`,
      GWANJE_MQTT_URL: `mqtt://gwanje-center@127.0.0.1:${broker.port}`,
      GWANJE_MQTT_CENTER_PASSWORD: 'center-secret-123',
      GWANJE_MQTT_ADMIN_URL: `mqtt://dsadmin:dsadmin-secret@127.0.0.1:${broker.port}`,
      GWANJE_REDIS_URL: redis.url,
      ...opts.env,
    };
    const ports = opts.listCenters ? await Promise.all(Array.from({ length: opts.instances }, () => freePort())) : [];
    if (opts.listCenters)
      Object.assign(env, { GWANJE_CENTER_URLS: ports.map((p) => `http://127.0.0.1:${p}`).join(',') });
    const add = async () => {
      const dataDir = mkdtempSync(join(tmpdir(), `gwanje-cluster-${centers.length}-`));
      dirs.push(dataDir);
      const httpPort = ports[centers.length];
      const c = await spawnCenter({ password: opts.password, dataDir, env, advertise: true, httpPort });
      centers.push(c);
      return c;
    };
    // One after the other: the first creates the schema and the admin, the next ones find them.
    for (let i = 0; i < opts.instances; i++) await add();
    const b = broker;
    const r = redis;
    return {
      centers,
      broker: b,
      redis: r,
      env,
      kill9: async (i) => centers[i].proc.stop('SIGKILL'),
      add,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
