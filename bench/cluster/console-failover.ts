/**
 * Issue 19 part 2 figures: consoles across center instances, with real processes (two centers on
 * PostgreSQL, Mosquitto dynsec, InfluxDB and Redis; control-api/test/support/cluster.ts).
 *
 * 1. Delivery: N gas alarms, each raised by one instance; the time from the MQTT publish to the
 *    `alarm` event on a console connected to the owner and on one connected to the other instance
 *    (the Redis stream hop), p50/p99.
 * 2. Failover: K times, `kill -9` of the instance a console is on; time until the console is
 *    connected to another instance with its session recovered, and whether the alarm raised while
 *    it was away arrived as an event (missed events, goal 0). A replacement instance is started
 *    after each kill.
 *
 * Prints the figures and writes bench/results/cluster-console.json (+ -runs.json). The machine is
 * shared: the load average at the start and the end is part of the result.
 *   node --import tsx bench/cluster/console-failover.ts [alarms=20] [kills=5]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Alarm, ClusterView } from '@gwanje/protocol';
import { io, type Socket } from 'socket.io-client';
import { centerApi, connectAgent } from '../../control-api/test/support/agents.js';
import { startTestCluster } from '../../control-api/test/support/cluster.js';
import { jsonApi, waitFor } from '../../testkit/index.js';
import { rotateCenters } from '../../web-console/src/live/failover.js';
import { saveRun } from '../runs.js';

const ALARMS = Number(process.argv[2] ?? 20);
const KILLS = Number(process.argv[3] ?? 5);
const PASSWORD = 'bench-Cluster-r00m-7!';
const results = new URL('../results/', import.meta.url).pathname;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : Number.NaN;
};

interface BenchConsole {
  socket: Socket;
  /** sourceId -> first `alarm` arrival (ms, this process's clock). */
  arrivals: Map<string, number>;
}

function openConsole(bases: () => string[], first: string, token: string): BenchConsole {
  const list = bases();
  const socket = io(`${first}/live`, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
  });
  rotateCenters(socket.io, list, list.indexOf(first));
  const c: BenchConsole = { socket, arrivals: new Map() };
  socket.on('alarm', (a: Alarm) => {
    if (!c.arrivals.has(a.sourceId)) c.arrivals.set(a.sourceId, performance.now());
  });
  return c;
}

async function main(): Promise<void> {
  const loadStart = loadavg();
  const cluster = await startTestCluster({ password: PASSWORD, instances: 2 });
  try {
    const admin = centerApi(() => cluster.centers[0].base);
    const token = await admin.login('admin', PASSWORD);
    const agent = await admin.provision(token, 'bench-cl-agent', 'suwon');
    // Reconnects like a real agent: a killed instance's takeover must not strand the transmitter.
    const mq = await connectAgent(agent, { reconnectPeriod: 500 });
    let seq = 0;
    const publish = (sensorId: string, value: number) =>
      mq.publishAsync(
        `gwanje/v1/suwon/${agent.agentId}/telemetry`,
        JSON.stringify({
          agentId: agent.agentId,
          seq: ++seq,
          readings: [{ sensorId, metric: 'gas', gas: 'CH4', value, unit: '%LEL', ts: Date.now(), quality: 'good' }],
        }),
        { qos: 1 },
      );
    const ownerOfSuwon = async (): Promise<string> => {
      let owner = '';
      await waitFor(async () => {
        const alive = cluster.centers.filter((c) => c.proc.proc.exitCode === null && c.proc.proc.signalCode === null);
        const view = await jsonApi(() => alive[0].base)<ClusterView>('GET', '/api/v1/cluster', token);
        owner = view.body.instances?.find((i) => i.sites.some((s) => s.siteId === 'suwon'))?.publicUrl ?? '';
        return owner !== '';
      }, 30_000);
      return owner;
    };

    // 1. Delivery to a console on the owner and on the other instance.
    const owner = await ownerOfSuwon();
    const other = cluster.centers.map((c) => c.base).find((b) => b !== owner) as string;
    const bases = () => cluster.centers.map((c) => c.base);
    const near = openConsole(bases, owner, token);
    const far = openConsole(bases, other, token);
    await waitFor(() => near.socket.connected && far.socket.connected, 15_000);
    const local: number[] = [];
    const remote: number[] = [];
    for (let i = 0; i < ALARMS; i++) {
      const sensorId = `suwon-bench-ch4-${i}`;
      const t0 = performance.now();
      await publish(sensorId, 60);
      await waitFor(() => near.arrivals.has(sensorId) && far.arrivals.has(sensorId), 20_000, 5);
      local.push((near.arrivals.get(sensorId) as number) - t0);
      remote.push((far.arrivals.get(sensorId) as number) - t0);
    }
    near.socket.disconnect();
    far.socket.disconnect();

    // 2. kill -9 of the console's instance, K times.
    const failovers: Array<{ reconnectMs: number; recovered: boolean; missedEvents: number }> = [];
    for (let k = 0; k < KILLS; k++) {
      const alive = cluster.centers.filter((c) => c.proc.proc.exitCode === null && c.proc.proc.signalCode === null);
      const victim = alive[k % alive.length];
      const con = openConsole(bases, victim.base, token);
      await waitFor(() => con.socket.connected, 15_000);
      await new Promise((r) => setTimeout(r, 500));
      const sensorId = `suwon-bench-kill-${k}`;
      const reconnected = new Promise<number>((resolve) => {
        con.socket.once('connect', () => resolve(performance.now()));
        setTimeout(() => resolve(Number.NaN), 60_000).unref();
      });
      const t0 = performance.now();
      await victim.proc.stop('SIGKILL');
      // The alarm comes while the console is away (raised by the survivor, after a takeover if needed).
      await Promise.race([publish(sensorId, 70), new Promise((r) => setTimeout(r, 10_000))]);
      const at = await reconnected;
      await waitFor(() => con.arrivals.has(sensorId), 30_000, 10).catch(() => undefined);
      failovers.push({
        reconnectMs: Math.round(at - t0),
        recovered: con.socket.recovered,
        missedEvents: con.arrivals.has(sensorId) ? 0 : 1,
      });
      console.log(
        `kill ${k + 1}/${KILLS}: reconnected after ${Math.round(at - t0)} ms, recovered ${con.socket.recovered}`,
      );
      con.socket.disconnect();
      await cluster.add();
    }
    await mq.endAsync();

    const reconnect = failovers.map((f) => f.reconnectMs).filter((x) => Number.isFinite(x));
    const out = {
      date: new Date().toISOString(),
      note: 'two center processes + PostgreSQL + Mosquitto + InfluxDB + Redis on one shared 2-core machine (loaded by other work)',
      loadavg: { start: loadStart.map((x) => +x.toFixed(2)), end: loadavg().map((x) => +x.toFixed(2)) },
      delivery: {
        alarms: ALARMS,
        ownerConsoleMs: { p50: Math.round(pct(local, 50)), p99: Math.round(pct(local, 99)), samplesMs: local },
        otherInstanceConsoleMs: {
          p50: Math.round(pct(remote, 50)),
          p99: Math.round(pct(remote, 99)),
          samplesMs: remote,
        },
      },
      failover: {
        kills: KILLS,
        reconnectMs: { p50: pct(reconnect, 50), p99: pct(reconnect, 99), max: Math.max(...reconnect) },
        recovered: failovers.filter((f) => f.recovered).length,
        notReconnectedIn60s: failovers.length - reconnect.length,
        missedEvents: failovers.reduce((n, f) => n + f.missedEvents, 0),
        runs: failovers,
      },
    };
    console.log(
      JSON.stringify({ ...out, delivery: { ...out.delivery } }, (k, v) => (k === 'samplesMs' ? undefined : v), 2),
    );
    writeFileSync(`${results}cluster-console.json`, `${JSON.stringify(out, null, 2)}\n`);
    saveRun(`${results}cluster-console-runs.json`, out);
  } finally {
    await cluster.stop();
  }
}

await main();
