/**
 * Cluster bench (issue 19): center instances as real processes on Mosquitto (dynsec), PostgreSQL
 * and InfluxDB (the test rig, control-api/test/cluster/rig.ts).
 *
 * Throughput phase, with 1, then 2, then 3 instances: one agent per site (31) publishes telemetry
 * of BENCH_READINGS_PER_MESSAGE readings per message (10; the single-process ingest bench sends 500,
 * and per message the broker, the PUBACKs and the decode cost alike whatever its size) as fast as the broker acknowledges (a window of QoS 1 messages in
 * flight per agent) for BENCH_PHASE_SECONDS; meanwhile a probe agent trips a fresh flame detector
 * every 500 ms. Figures: readings stored per second (sum of every instance's
 * gwanje_readings_total), alarm latency p50/p99 (the alarm's own latency journal: reading ts ->
 * emit, and the center's part, received -> emit), and per instance its CPU seconds (/proc) per 1,000 readings it stored.
 *
 * Before each flood, the same instances under a steady background of BENCH_RATE readings/s
 * (default 10,000) with the same probes: alarm p50/p99 at a load the cluster carries (the flood above saturates the cores,
 * so its probes queue at the broker behind the flood).
 *
 * Takeover phase, with 3 instances: BENCH_KILLS times, a fresh sensor of site anyang goes to
 * 70 %LEL (one gas-high expected) while readings flow every 20 ms; the site's owner gets kill -9;
 * figures: takeover time (kill -> a survivor lists a new owner) and resume time (kill -> a reading
 * sent after the kill is the sensor's last value), readings lost (sent - stored) and duplicate
 * alarms (gas-high alarms - kills). The killed instance is replaced by a new one between kills.
 *
 * Run: node --import tsx bench/cluster/cluster.ts (BENCH_PHASE_SECONDS=15, BENCH_KILLS=5, BENCH_RATE=10000).
 * Writes bench/results/cluster.json. The machine has 2 cores shared by every instance, the
 * broker, both databases and this load generator: the totals are capped by them; the per-instance
 * CPU per reading is what shows the scaling.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Alarm } from '@gwanje/protocol';
import {
  type AgentClient,
  type CenterProcess,
  type ClusterRig,
  type ClusterView,
  metric,
  ownerUrl,
  startClusterRig,
} from '../../control-api/test/cluster/rig.js';
import { waitFor } from '../../testkit/index.js';
import { cpuSeconds } from '../edge/procstat.js';

const PHASE_S = Number(process.env.BENCH_PHASE_SECONDS ?? 15);
const KILLS = Number(process.env.BENCH_KILLS ?? 5);
/** The steady background of the second phase at each instance count (readings/s). */
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
/** Readings per telemetry message (the single-process ingest bench sends 500). */
const PER_MESSAGE = Number(process.env.BENCH_READINGS_PER_MESSAGE ?? 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : null;
};

const live = (rig: ClusterRig) => rig.centers.filter((c) => c.proc.proc.exitCode === null && !c.proc.proc.signalCode);

async function balanced(rig: ClusterRig, n: number): Promise<void> {
  await waitFor(async () => {
    const v = (await live(rig)[0].call<ClusterView>('GET', '/api/v1/cluster')).body;
    const owned = v.instances.reduce((s, i) => s + i.sites.length, 0);
    return v.instances.length === n && owned === 31 && v.instances.every((i) => i.sites.length >= Math.floor(31 / n));
  }, 60_000);
}

/** Publishes until `stop()` with up to `window` messages awaiting the broker's PUBACK per agent. */
/**
 * A steady background instead of a flood: every agent sends its readings on a fixed clock so
 * that all together send `rate` readings/s (the alarm p99 "at N readings/s" figure: a flood
 * beyond capacity queues the probe behind it at the broker, which says nothing of the center).
 */
function paced(agents: AgentClient[], sensors: string[][], rate: number): { stop(): Promise<number> } {
  let sent = 0;
  const pending = new Set<Promise<void>>();
  const timers = agents.map((a, ai) => {
    const everyMs = (1000 * sensors[ai].length * agents.length) / rate;
    return setInterval(() => {
      const ts = Date.now();
      const p = a.send(sensors[ai].map((sensorId, k) => ({ sensorId, value: 2 + ((ts + k) % 3), ts })));
      sent += sensors[ai].length;
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }, everyMs);
  });
  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled(pending);
      return sent;
    },
  };
}

function flood(agents: AgentClient[], sensors: string[][], window = 10): { stop(): Promise<number> } {
  let running = true;
  let sent = 0;
  const loops = agents.map(async (a, ai) => {
    const inflight = new Set<Promise<void>>();
    while (running) {
      const ts = Date.now();
      const p = a.send(sensors[ai].map((sensorId, k) => ({ sensorId, value: 2 + ((ts + k) % 3), ts })));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      sent += sensors[ai].length;
      if (inflight.size >= window) await Promise.race(inflight);
    }
    await Promise.allSettled(inflight);
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return sent;
    },
  };
}

async function throughput(
  rig: ClusterRig,
  agents: AgentClient[],
  sensors: string[][],
  probe: AgentClient,
  k: number,
  rate?: number,
) {
  const centers = live(rig);
  const before = await Promise.all(centers.map((c) => metric(c, 'gwanje_readings_total')));
  const cpu0 = centers.map((c) => cpuSeconds(c.proc.proc.pid as number));
  const t0 = Date.now();
  const load = rate ? paced(agents, sensors, rate) : flood(agents, sensors);
  // Probes on a clock of their own: a publish waiting behind the flood does not delay the next.
  const flames: string[] = [];
  const probing = setInterval(() => {
    const sensorId = `${probe.siteId}-flame-${k}-${rate ?? 'flood'}-${flames.length}`;
    flames.push(sensorId);
    void probe.send([{ sensorId, value: 1, ts: Date.now(), metric: 'flame', unit: 'bool' }]);
  }, 500);
  await sleep(PHASE_S * 1000);
  clearInterval(probing);
  const sent = await load.stop();
  const secs = (Date.now() - t0) / 1000;
  await sleep(3_000); // the last batches are written
  const after = await Promise.all(centers.map((c) => metric(c, 'gwanje_readings_total')));
  const cpu1 = centers.map((c) => cpuSeconds(c.proc.proc.pid as number));
  const stored = after.map((x, i) => x - before[i]);
  const listed = (await centers[0].call<Alarm[]>('GET', `/api/v1/alarms?siteId=${probe.siteId}`)).body.filter((a) =>
    flames.includes(a.sourceId),
  );
  // The latency journal (reading ts -> emit) is part of the alarm's detail.
  const alarms = await Promise.all(
    listed.map(async (a) => (await centers[0].call<Alarm>('GET', `/api/v1/alarms/${a.id}`)).body),
  );
  const lat = alarms
    .map((a) => (a.latency?.emittedAt ?? Number.NaN) - (a.latency?.sensorTs ?? Number.NaN))
    .filter(Number.isFinite);
  // The center's own part (received -> emitted): the rest is the load generator and the broker
  // queueing the probe behind the flood on a machine whose cores they all share.
  const inCenter = alarms
    .map((a) => (a.latency?.emittedAt ?? Number.NaN) - (a.latency?.receivedAt ?? Number.NaN))
    .filter(Number.isFinite);
  return {
    instances: k,
    background: rate ? `${rate} readings/s` : 'flood (as fast as acknowledged)',
    seconds: Math.round(secs * 10) / 10,
    readingsSent: sent,
    readingsStoredPerS: Math.round(stored.reduce((s, x) => s + x, 0) / secs),
    alarms: {
      probes: flames.length,
      raised: alarms.length,
      p50Ms: pct(lat, 50),
      p99Ms: pct(lat, 99),
      centerP50Ms: pct(inCenter, 50),
      centerP99Ms: pct(inCenter, 99),
    },
    perInstance: centers.map((c, i) => ({
      name: c.name,
      readingsStored: stored[i],
      cpuSeconds: Math.round((cpu1[i] - cpu0[i]) * 100) / 100,
      cpuMsPer1kReadings: stored[i] > 0 ? Math.round(((cpu1[i] - cpu0[i]) * 1e7) / stored[i]) / 10 : null,
    })),
  };
}

async function takeovers(rig: ClusterRig) {
  const rounds: { takeoverMs: number; resumeMs: number }[] = [];
  const agent = await rig.agent(live(rig)[0], 'anyang', 'anyang-bench-1');
  let sent = 0;
  const firstTs = Date.now();
  let ts = firstTs;
  const sensorsUsed: string[] = [];
  for (let r = 0; r < KILLS; r++) {
    const sensorId = `anyang-bench-gas-${r}`;
    sensorsUsed.push(sensorId);
    // Right after a replacement joined, the site may be between two owners (rebalanced): wait for one.
    let victim = undefined as CenterProcess | undefined;
    await waitFor(async () => {
      const url = await ownerUrl(live(rig)[0], 'anyang');
      victim = live(rig).find((c) => c.url === url);
      return victim !== undefined;
    }, 30_000);
    if (!victim) throw new Error('anyang has no owner');
    const survivor = live(rig).find((c) => c !== victim) as CenterProcess;
    const killed = victim;
    let running = true;
    const pump = (async () => {
      while (running) {
        ts = Math.max(ts + 1, Date.now());
        await agent.send([{ sensorId, value: 70, ts }]);
        sent++;
        await sleep(20);
      }
    })().catch((err: Error) => console.error(`publisher stopped: ${err.message}`));
    await sleep(2_000); // the condition stands (1 s on-delay) at the owner before it dies
    await victim.kill();
    const killedAt = Date.now();
    let takeoverMs = Number.NaN;
    const resumed = waitFor(
      async () => {
        const u = await ownerUrl(survivor, 'anyang');
        if (u && u !== killed.url && Number.isNaN(takeoverMs)) takeoverMs = Date.now() - killedAt;
        if (Number.isNaN(takeoverMs)) return false;
        const s = (
          await survivor.call<{ sensorId: string; last?: { ts: number } }[]>('GET', '/api/v1/sensors?siteId=anyang')
        ).body;
        return (s.find((x) => x.sensorId === sensorId)?.last?.ts ?? 0) > killedAt;
      },
      30_000,
      50,
    );
    try {
      await resumed;
    } catch (err) {
      throw new Error(`kill ${r + 1}: takeover ${takeoverMs} ms, readings not resumed: ${(err as Error).message}`);
    } finally {
      running = false;
      await pump;
    }
    const resumeMs = Date.now() - killedAt;
    rounds.push({ takeoverMs, resumeMs });
    console.log(`kill ${r + 1}/${KILLS}: takeover ${takeoverMs} ms, readings resumed after ${resumeMs} ms`);
    await rig.start(`replacement-${r}`);
    await balanced(rig, 3);
  }
  await sleep(3_000);
  const c = live(rig)[0];
  let stored = 0;
  for (const s of sensorsUsed) {
    const csv = await (
      await fetch(`${c.url}/api/v1/export/readings.csv?sensorId=${s}&from=${firstTs - 1}&to=${ts + 1}`, {
        headers: { authorization: `Bearer ${c.token}` },
      })
    ).text();
    stored += csv.trim().split('\n').length - 1;
  }
  const alarms = (await c.call<Alarm[]>('GET', '/api/v1/alarms?siteId=anyang')).body.filter(
    (a) => sensorsUsed.includes(a.sourceId) && a.type === 'gas-high',
  );
  const take = rounds.map((x) => x.takeoverMs);
  const resume = rounds.map((x) => x.resumeMs);
  return {
    kills: KILLS,
    takeoverMs: { p50: pct(take, 50), p99: pct(take, 99), max: Math.max(...take), all: take },
    resumeMs: { p50: pct(resume, 50), p99: pct(resume, 99), max: Math.max(...resume), all: resume },
    readingsSent: sent,
    readingsStored: stored,
    readingsLost: sent - stored,
    gasHighAlarms: alarms.length,
    duplicateAlarms: alarms.length - KILLS,
  };
}

const rig = await startClusterRig();
process.once('SIGINT', () => void rig.stop().finally(() => process.exit(130)));
try {
  const load0 = loadavg()[0];
  const first = await rig.start('i1');
  const agents: AgentClient[] = [];
  const sensors: string[][] = [];
  const sites = (await first.call<{ siteId: string }[]>('GET', '/api/v1/sites')).body.map((s) => s.siteId);
  for (const siteId of sites) {
    agents.push(await rig.agent(first, siteId, `${siteId}-load-1`));
    sensors.push(Array.from({ length: PER_MESSAGE }, (_, i) => `${siteId}-load-${i}`));
  }
  const probe = await rig.agent(first, 'suwon', 'suwon-probe-1');
  // Warm-up: every load sensor registered and every site's series created before anything is timed.
  await Promise.all(
    agents.map((a, i) => a.send(sensors[i].map((sensorId) => ({ sensorId, value: 2, ts: Date.now() })))),
  );
  await sleep(5_000);
  const phases = [];
  const atRate = [];
  for (const k of [1, 2, 3]) {
    if (k > 1) await rig.start(`i${k}`);
    await balanced(rig, k);
    // The steady phase first: the flood leaves a backlog at the broker that would still be draining.
    const steady = await throughput(rig, agents, sensors, probe, k, RATE);
    console.log(JSON.stringify(steady));
    atRate.push(steady);
    const r = await throughput(rig, agents, sensors, probe, k);
    console.log(JSON.stringify(r));
    phases.push(r);
    await sleep(10_000); // the flood's backlog drains before the next instance count
  }
  const takeover = await takeovers(rig);
  console.log(JSON.stringify(takeover));
  const out = {
    when: new Date().toISOString(),
    note: 'a 2-core machine; every instance, the broker, PostgreSQL, InfluxDB, Redis and this load generator share its cores',
    loadavgAtStart: load0,
    loadavgAtEnd: loadavg()[0],
    phaseSeconds: PHASE_S,
    readingsPerMessage: PER_MESSAGE,
    throughput: phases,
    alarmsAtRate: atRate,
    takeover,
  };
  writeFileSync(new URL('../results/cluster.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
  console.log('bench/results/cluster.json written');
} finally {
  await rig.stop();
}
