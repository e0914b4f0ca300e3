/**
 * The compose topology as processes on this machine (no container engine here): Mosquitto with
 * dynsec and its TLS listener (the repo's mosquitto.conf and entrypoint.sh), InfluxDB, a private
 * PostgreSQL cluster, the center and the simulated edge agent, each with the environment
 * `docker-compose config` gives its service (support/compose.ts). TLS from
 * deploy/tls/make-province-ca.sh. `stop()` ends every process it started and removes its files.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  type InfluxInstance,
  type PostgresCluster,
  type Spawned,
  spawnServer,
  startInfluxDB,
  startMosquitto,
  startPostgresCluster,
  waitFor,
} from '../../testkit/index.js';
import { type ComposeConfig, composeConfig, type Localization, localize } from './compose.js';

const root = new URL('../..', import.meta.url).pathname;
export const SECRETS = {
  GWANJE_MQTT_ADMIN_PASSWORD: 'dynsec-admin-Secret-1',
  GWANJE_MQTT_CENTER_PASSWORD: 'center-mqtt-Secret-2',
  GWANJE_POSTGRES_PASSWORD: 'pg-Secret-3',
  GWANJE_ADMIN_PASSWORD: 'Console-Root-Secret-4',
};
const DEBIAN_DYNSEC = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export interface Topology {
  dir: string;
  tls: string;
  compose: ComposeConfig;
  local: Localization;
  /** The compose inputs (what an operator puts in .env). */
  vars: Record<string, string>;
  publicUrl: string;
  httpsPort: number;
  agentHealthPort: number;
  fieldUrl: string;
  pg: PostgresCluster;
  influx: InfluxInstance;
  /** Process environments, as the test builds them (test/compose.test.ts compares them with compose). */
  env: { center: Record<string, string>; agent: Record<string, string>; mosquitto: Record<string, string> };
  mosquitto: { start(): Promise<void>; stop(): Promise<void>; output(): string };
  center: { start(): Promise<void>; stop(): Promise<void>; output(): string };
  agent: { start(): void; stop(): Promise<void>; output(): string };
  stop(): Promise<void>;
}

const base = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME });

/** The repo's mosquitto.conf with container paths and ports made local (and `user root`, RECIPES). */
function mosquittoConfig(conf: string, dir: string, tls: string, ports: { plain: number; tls: number }): string {
  return [
    'user root',
    conf
      .replaceAll('/mosquitto/tls/server.key', join(tls, 'mosquitto/server.key'))
      .replaceAll('/mosquitto/tls/server.crt', join(tls, 'server.crt'))
      .replaceAll('/mosquitto/data/', `${dir}/data/`)
      .replace('/usr/lib/mosquitto_dynamic_security.so', DEBIAN_DYNSEC)
      .replace(/^listener 1883$/m, `listener ${ports.plain} 127.0.0.1`)
      .replace(/^listener 8883$/m, `listener ${ports.tls} 127.0.0.1`),
  ].join('\n');
}

export interface PlanInput {
  dir: string;
  tls: string;
  ports: { https: number; mqtts: number; mqtt: number; agentHealth: number; influx: number };
  fieldUrl: string;
  pgUrl: string;
  pgPort: number;
}

/**
 * What runs where (pure apart from `docker-compose config`): the compose inputs, the localization
 * and each process's environment, written by hand as one would run the services;
 * test/compose.test.ts checks each environment is exactly what compose passes.
 */
export function planTopology(p: PlanInput) {
  const { dir, tls, ports } = p;
  const vars = {
    ...SECRETS,
    GWANJE_TLS_DIR: tls,
    GWANJE_PUBLIC_HOST: 'localhost',
    GWANJE_HTTPS_PORT: String(ports.https),
    GWANJE_MQTTS_PORT: String(ports.mqtts),
    GWANJE_SIM_FIELD_URL: p.fieldUrl,
  };
  const compose = composeConfig(vars);
  const local: Localization = {
    hosts: { mosquitto: { 1883: ports.mqtt }, influxdb: { 8086: ports.influx }, postgres: { 5432: p.pgPort } },
    ports: { 8443: ports.https, 9720: ports.agentHealth },
    volumes: { 'center-data': join(dir, 'center-data'), 'edge-data': join(dir, 'edge-data') },
  };
  const publicUrl = `https://localhost:${ports.https}`;
  const env = {
    mosquitto: { GWANJE_MQTT_ADMIN_PASSWORD: SECRETS.GWANJE_MQTT_ADMIN_PASSWORD },
    center: {
      GWANJE_HTTP_PORT: String(ports.https),
      GWANJE_PUBLIC_URL: publicUrl,
      GWANJE_TLS_CERT: join(tls, 'server.crt'),
      GWANJE_TLS_KEY: join(tls, 'center/server.key'),
      GWANJE_MQTT_URL: `mqtt://gwanje-center:${SECRETS.GWANJE_MQTT_CENTER_PASSWORD}@127.0.0.1:${ports.mqtt}`,
      GWANJE_MQTT_ADMIN_URL: `mqtt://dynsec-admin:${SECRETS.GWANJE_MQTT_ADMIN_PASSWORD}@127.0.0.1:${ports.mqtt}`,
      GWANJE_MQTT_CENTER_PASSWORD: SECRETS.GWANJE_MQTT_CENTER_PASSWORD,
      GWANJE_MQTT_PUBLIC_URL: `mqtts://localhost:${ports.mqtts}`,
      GWANJE_INFLUX_URL: `http://127.0.0.1:${ports.influx}/gwanje`,
      GWANJE_DATABASE_URL: p.pgUrl,
      GWANJE_ADMIN_PASSWORD: SECRETS.GWANJE_ADMIN_PASSWORD,
      GWANJE_SIMULATE: '0',
      GWANJE_DATA_DIR: join(dir, 'center-data'),
      // As compose deploys it (issue 18): the center's alarm path before batch work on its host.
      GWANJE_CPU_NICE: '-10',
    },
    agent: {
      GWANJE_PUBLIC_URL: publicUrl,
      NODE_EXTRA_CA_CERTS: join(tls, 'ca.crt'),
      GWANJE_CA_FILE: join(tls, 'ca.crt'),
      GWANJE_ADMIN_PASSWORD: SECRETS.GWANJE_ADMIN_PASSWORD,
      GWANJE_SITE_ID: 'suwon',
      GWANJE_AGENT_ID: 'suwon-sim-1',
      GWANJE_FIELD_URL: p.fieldUrl,
      GWANJE_EDGE_HEALTH_PORT: String(ports.agentHealth),
      GWANJE_DATA_DIR: join(dir, 'edge-data'),
    },
  };
  return { vars, compose, local, env, publicUrl };
}

export async function startTopology(): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-prod-'));
  const tls = join(dir, 'tls');
  execFileSync(join(root, 'deploy/tls/make-province-ca.sh'), [tls, 'test', 'localhost', '127.0.0.1'], {
    stdio: 'pipe',
  });
  const [httpsPort, mqttsPort, mqttPort, agentHealthPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const field = await startMosquitto();
  const [pg, influx] = await Promise.all([startPostgresCluster(), startInfluxDB()]);
  pg.createRole('gwanje', SECRETS.GWANJE_POSTGRES_PASSWORD, 'gwanje');
  const plan = planTopology({
    dir,
    tls,
    ports: { https: httpsPort, mqtts: mqttsPort, mqtt: mqttPort, agentHealth: agentHealthPort, influx: influx.port },
    fieldUrl: field.url,
    pgUrl: pg.url('gwanje', SECRETS.GWANJE_POSTGRES_PASSWORD, 'gwanje'),
    pgPort: pg.port,
  });
  const { compose, local, env, vars, publicUrl } = plan;

  // Mosquitto: the repo's entrypoint.sh (dynsec init on first start) on a local copy of the config.
  const mq = join(dir, 'mosquitto');
  mkdirSync(join(mq, 'data'), { recursive: true });
  cpSync(join(root, 'deploy/mosquitto'), join(mq, 'config'), { recursive: true });
  const conf = readFileSync(join(mq, 'config/mosquitto.conf'), 'utf8');
  writeFileSync(join(mq, 'config/mosquitto.conf'), mosquittoConfig(conf, mq, tls, { plain: mqttPort, tls: mqttsPort }));
  let mosq: Spawned | undefined;
  const mosquitto = {
    async start() {
      mosq = spawnServer('/bin/sh', [join(mq, 'config/entrypoint.sh')], {
        ...base(),
        ...env.mosquitto,
        MOSQUITTO_DIR: mq,
      });
      const m = mosq;
      await waitFor(async () => (await portOpen(mqttPort)) && (await portOpen(mqttsPort)), 15_000).catch((e) => {
        throw new Error(`mosquitto did not start: ${e}\n${m.output()}`);
      });
    },
    stop: async () => mosq?.stop(),
    output: () => mosq?.output() ?? '',
  };
  await mosquitto.start();

  let centerProc: Spawned | undefined;
  const center = {
    async start() {
      centerProc = spawnServer(process.execPath, ['--import', 'tsx', join(root, 'control-api/src/main.ts')], {
        ...base(),
        ...env.center,
        GWANJE_LOG_LEVEL: 'warn',
      });
      const c = centerProc;
      // A center that exits (a bad setting) fails at once instead of after the whole timeout.
      let onExit: (() => void) | undefined;
      const exited = new Promise<never>((_, reject) => {
        onExit = () => reject(new Error(`center exited (${c.proc.exitCode})\n${c.output()}`));
        c.proc.once('exit', onExit);
      });
      try {
        await Promise.race([
          exited,
          waitFor(() => healthcheck(compose, local) === 0, 90_000, 250).catch((e) => {
            throw new Error(`center did not become healthy: ${e}\n${c.output()}`);
          }),
        ]);
      } finally {
        if (onExit) c.proc.off('exit', onExit);
      }
    },
    stop: async () => centerProc?.stop(),
    output: () => centerProc?.output() ?? '',
  };
  await center.start();

  let agentProc: Spawned | undefined;
  const agent = {
    start() {
      agentProc = spawnServer(process.execPath, ['--import', 'tsx', join(root, 'deploy/edge-sim.ts')], {
        ...base(),
        ...env.agent,
      });
    },
    stop: async () => agentProc?.stop(),
    output: () => agentProc?.output() ?? '',
  };
  agent.start();

  return {
    dir,
    tls,
    compose,
    local,
    vars,
    publicUrl,
    httpsPort,
    agentHealthPort,
    fieldUrl: field.url,
    pg,
    influx,
    env,
    mosquitto,
    center,
    agent,
    async stop() {
      await agent.stop();
      await center.stop();
      await mosquitto.stop();
      await Promise.all([influx.stop(), field.stop()]);
      pg.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function portOpen(port: number): Promise<boolean> {
  return import('node:net').then(
    ({ connect }) =>
      new Promise((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
  );
}

/** Runs the control-api service's compose healthcheck command here; its exit code. */
export function healthcheck(compose: ComposeConfig, local: Localization): number {
  const [kind, cmd, ...args] = compose.services['control-api'].healthcheck?.test ?? [];
  if (kind !== 'CMD' || cmd !== 'node') throw new Error(`unexpected healthcheck ${kind} ${cmd}`);
  const localArgs = args.map((a) => a.replace(':8443/', `:${local.ports?.[8443]}/`));
  try {
    execFileSync(process.execPath, localArgs, { cwd: root, stdio: 'pipe', timeout: 10_000 });
    return 0;
  } catch (err) {
    return (err as { status?: number }).status ?? 1;
  }
}

export { localize };
