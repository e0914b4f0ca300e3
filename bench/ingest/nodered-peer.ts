/**
 * The integrator's usual alternative, run as the peer in bench/ingest: a Node-RED flow
 * `mqtt in -> function (telemetry batch to points) -> influxdb out` with a threshold `switch`
 * raising an alarm on `mqtt out`, on the same Mosquitto and InfluxDB as Gwanje. Node-RED is
 * installed on first use into bench/.nodered (not a project dependency) from the npm registry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type Spawned, spawnServer, waitFor } from '../../testkit/index.js';
import { cpuSecondsOf, influxPointsWritten, perMillion } from './proc.js';

const DIR = join(new URL('.', import.meta.url).pathname, '..', '.nodered');

export function ensureNodeRed(): string {
  const bin = join(DIR, 'node_modules', 'node-red', 'red.js');
  if (!existsSync(bin)) {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(join(DIR, 'package.json'), '{"name":"gwanje-bench-nodered","private":true}\n');
    console.log('bench: installing node-red@4 and node-red-contrib-influxdb into bench/.nodered (once)');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', 'node-red@4', 'node-red-contrib-influxdb@0.7'], {
      cwd: DIR,
      stdio: 'inherit',
    });
  }
  return bin;
}

/**
 * `usual`: the flow integrators write (3 tags, no timestamp: InfluxDB stamps arrival time, wrong
 * for a store-and-forward replay). `equal`: the same information Gwanje stores (tags agentId, gas,
 * metric, sensorId, siteId from the topic, unit; value, quality unless good; the reading's own
 * ms timestamp), so the comparison is like for like (issue 18).
 */
export type PeerVariant = 'usual' | 'equal';

const USUAL_POINTS = `const points = t.readings.map((r) => [{ value: r.value }, { sensorId: r.sensorId, agentId: t.agentId, metric: r.metric }]);`;
const EQUAL_POINTS = `const siteId = msg.topic.split('/')[2];
const points = t.readings.map((r) => {
  const tags = { agentId: t.agentId, metric: r.metric, sensorId: r.sensorId, siteId, unit: r.unit };
  if (r.gas) tags.gas = r.gas;
  const fields = { value: r.value, time: r.ts };
  if (r.quality !== 'good') fields.quality = r.quality;
  return [fields, tags];
});`;

export function flow(o: {
  mqttPort: number;
  influxPort: number;
  database: string;
  topic: string;
  threshold: number;
  variant?: PeerVariant;
}) {
  const toPoints = `
const t = msg.payload;
if (!t || !Array.isArray(t.readings)) return null;
${o.variant === 'equal' ? EQUAL_POINTS : USUAL_POINTS}
const max = Math.max(...t.readings.map((r) => r.value));
return [{ payload: points }, { payload: { agentId: t.agentId, max } }];`;
  return [
    { id: 'tab', type: 'tab', label: 'ingest' },
    {
      id: 'broker',
      type: 'mqtt-broker',
      name: 'bench',
      broker: '127.0.0.1',
      port: String(o.mqttPort),
      clientid: '',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
    },
    {
      id: 'influx',
      type: 'influxdb',
      hostname: '127.0.0.1',
      port: String(o.influxPort),
      protocol: 'http',
      database: o.database,
      name: 'bench',
      usetls: false,
      influxdbVersion: '1.x',
    },
    {
      id: 'in',
      type: 'mqtt in',
      z: 'tab',
      name: '',
      topic: o.topic,
      qos: '1',
      datatype: 'json',
      broker: 'broker',
      nl: false,
      rap: false,
      inputs: 0,
      x: 100,
      y: 100,
      wires: [['fn']],
    },
    {
      id: 'fn',
      type: 'function',
      z: 'tab',
      name: 'to points',
      func: toPoints,
      outputs: 2,
      x: 300,
      y: 100,
      wires: [['out'], ['sw']],
    },
    {
      id: 'out',
      type: 'influxdb out',
      z: 'tab',
      influxdb: 'influx',
      name: '',
      measurement: 'reading',
      precision: o.variant === 'equal' ? 'ms' : '',
      retentionPolicy: '',
      x: 500,
      y: 80,
      wires: [],
    },
    {
      id: 'sw',
      type: 'switch',
      z: 'tab',
      name: 'threshold',
      property: 'payload.max',
      propertyType: 'msg',
      rules: [{ t: 'gte', v: String(o.threshold), vt: 'num' }],
      checkall: 'true',
      outputs: 1,
      x: 500,
      y: 140,
      wires: [['alarm']],
    },
    {
      id: 'alarm',
      type: 'mqtt out',
      z: 'tab',
      name: '',
      topic: 'nodered/alarms',
      qos: '1',
      retain: 'false',
      broker: 'broker',
      x: 700,
      y: 140,
      wires: [],
    },
  ];
}

export interface NodeRedPeer {
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startNodeRed(o: Parameters<typeof flow>[0]): Promise<NodeRedPeer> {
  const bin = ensureNodeRed();
  const userDir = join(DIR, `user-${Date.now()}`);
  mkdirSync(userDir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flow(o)));
  writeFileSync(
    join(userDir, 'settings.cjs'),
    `module.exports = { uiPort: ${port}, uiHost: '127.0.0.1', flowFile: 'flows.json', httpAdminRoot: '/admin', logging: { console: { level: 'warn' } }, editorTheme: { tours: false } };\n`,
  );
  const server: Spawned = spawnServer(process.execPath, [
    bin,
    '--userDir',
    userDir,
    '--settings',
    join(userDir, 'settings.cjs'),
  ]);
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/admin/flows`).catch(() => null))?.ok === true,
    60_000,
  ).catch((err) => {
    throw new Error(`node-red did not start: ${err.message}\n${server.output()}`);
  });
  return { pid: server.proc.pid, stop: () => server.stop() };
}

export interface PeerAgent {
  agentId: string;
  seq: number;
}

/**
 * Runs the Node-RED flow alone on the broker and InfluxDB, publishes `batch`-reading telemetry
 * from every agent for `seconds`, and reports the rate at which its points became durable and
 * the CPU Node-RED and InfluxDB spent per million readings meanwhile.
 */
export async function measureNodeRed<A extends PeerAgent>(o: {
  mqttPort: number;
  influxUrl: string;
  influxPort: number;
  influxPid: () => number | undefined;
  agents: A[];
  publish: (a: A, payload: string) => Promise<unknown>;
  batch: number;
  seconds: number;
  variant: PeerVariant;
}) {
  const db = `nodered_${o.variant}`;
  await fetch(`${o.influxUrl}/query?q=${encodeURIComponent(`CREATE DATABASE ${db}`)}`, { method: 'POST' });
  const peer = await startNodeRed({
    mqttPort: o.mqttPort,
    influxPort: o.influxPort,
    database: db,
    topic: 'gwanje/v1/+/+/telemetry',
    threshold: 25,
    variant: o.variant,
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await sleep(2000);
    const count = async () => {
      const r = (await (
        await fetch(`${o.influxUrl}/query?db=${db}&q=${encodeURIComponent('SELECT count(value) FROM reading')}`)
      ).json()) as { results: Array<{ series?: Array<{ values: Array<[string, number]> }> }> };
      return r.results[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
    };
    // `usual` points carry no timestamp (InfluxDB stamps the batch), so one message must not
    // repeat a sensor or its points would collapse: one distinct sensor per reading here. `equal`
    // points carry the reading's ts, distinct for every reading of a sensor as in Gwanje's run.
    let ts = Date.now();
    const message = (a: A) => {
      ts += o.batch;
      const t0 = ts;
      return JSON.stringify({
        agentId: a.agentId,
        seq: ++a.seq,
        readings: Array.from({ length: o.batch }, (_, k) => ({
          sensorId: `${a.agentId}-p-${k}`,
          metric: 'temperature',
          value: 20,
          unit: 'C',
          ts: t0 + k,
          quality: 'good',
        })),
      });
    };
    let published = 0;
    const cpu0 = [cpuSecondsOf(peer.pid), cpuSecondsOf(o.influxPid())];
    const written0 = await influxPointsWritten(o.influxUrl);
    const t0 = performance.now();
    const stopAt = Date.now() + o.seconds * 1000;
    await Promise.all(
      o.agents.map(async (a) => {
        const inflight = new Set<Promise<unknown>>();
        while (Date.now() < stopAt) {
          const p = o.publish(a, message(a));
          published += o.batch;
          inflight.add(p);
          void p.finally(() => inflight.delete(p));
          if (inflight.size >= 8) await Promise.race(inflight);
        }
        await Promise.all(inflight);
      }),
    );
    // Until InfluxDB has taken every reading (its httpd counter, cheap) or that stops growing for
    // 10 s (Node-RED dropped the rest); then the points are counted once, as on Gwanje's side.
    let last = -1;
    let lastChange = performance.now();
    let tLast = performance.now();
    let cpuAtLast = cpu0;
    while (performance.now() - lastChange < 10_000) {
      const n = (await influxPointsWritten(o.influxUrl)) - written0;
      if (n !== last) {
        last = n;
        lastChange = performance.now();
        tLast = lastChange;
        cpuAtLast = [cpuSecondsOf(peer.pid), cpuSecondsOf(o.influxPid())];
      }
      if (n >= published) break;
      await sleep(100);
    }
    const held = await count();
    return {
      name: `Node-RED 4 flow (${o.variant}): mqtt in -> function -> influxdb out (+ threshold switch -> mqtt out)`,
      points:
        o.variant === 'equal'
          ? 'tags agentId, metric, sensorId, siteId, unit (+gas); value (+quality unless good); reading ts, ms'
          : 'tags agentId, metric, sensorId; value; no timestamp (InfluxDB arrival time)',
      published,
      inInflux: held,
      durableInInfluxPerSecond: Math.round(held / ((tLast - t0) / 1000)),
      nodeRedCpuSecondsPerMillion: perMillion(cpuAtLast[0] - cpu0[0], held),
      influxCpuSecondsPerMillion: perMillion(cpuAtLast[1] - cpu0[1], held),
    };
  } finally {
    await peer.stop();
  }
}

/**
 * Both flows in turn, the usual one (3 tags, no timestamp) and the one storing what Gwanje stores
 * (issue 18), each against Gwanje's figures of the same run: the durable-rate ratio and the CPU
 * ratio (Node-RED + InfluxDB CPU per reading over center + InfluxDB), which says how the two
 * would share a saturated machine and is less moved by other work on it than wall-clock rates.
 */
export async function comparePeers<A extends PeerAgent>(
  servers: { mqttPort: number; influxUrl: string; influxPort: number; influxPid: () => number | undefined },
  load: { agents: A[]; publish: (a: A, payload: string) => Promise<unknown>; batch: number; seconds: number },
  gwanje: { durable: number; cpuSecondsPerMillion: number },
): Promise<Record<string, Record<string, unknown>>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const variant of ['usual', 'equal'] as const) {
    const peer = await measureNodeRed({ ...servers, ...load, variant });
    const ratio = Math.round((gwanje.durable / Math.max(1, peer.durableInInfluxPerSecond)) * 10) / 10;
    const cpuRatio =
      Math.round(
        ((peer.nodeRedCpuSecondsPerMillion + peer.influxCpuSecondsPerMillion) / gwanje.cpuSecondsPerMillion) * 10,
      ) / 10;
    out[variant] = { ...peer, gwanjeDurableRatio: ratio, gwanjeCpuRatio: cpuRatio };
    console.log(
      `bench: Node-RED (${variant}) stored ${peer.inInflux} of ${peer.published} readings -> ${peer.durableInInfluxPerSecond} readings/s; Gwanje/Node-RED = ${ratio} (by CPU per reading ${cpuRatio})`,
    );
  }
  return out;
}
