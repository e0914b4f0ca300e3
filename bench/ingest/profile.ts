/**
 * Where the center's CPU goes during the ingest bench (issue 18), from a V8 CPU profile of the
 * center: every sample of the busy (non-idle) time is charged to the first category its stack
 * meets, from the leaf up (so JSON.parse inside decode counts as decode, not as its caller).
 * Profile the center with
 *   BENCH_PEER=0 BENCH_CENTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof --cpu-prof-interval=500" \
 *     node --import tsx bench/ingest/ingest.ts
 * then run: node --import tsx bench/ingest/profile.ts <label> /tmp/prof/<main thread>.cpuprofile [load]
 * (the largest file; the other is tsx's loader thread; `load`: the bench's load averages, as it
 * printed them). Adds <label> to bench/results/ingest-profile.json. The profile covers the whole
 * run (start, latency phases, the burst), the burst being most of the readings.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins, tested on `functionName url` of each frame from the leaf up. */
const CATEGORIES: Array<[string, RegExp]> = [
  ['garbage collection', /^\(garbage collector\)/],
  [
    'decode: JSON.parse, tree check, Ajv validation (protocol decode)',
    /protocol\/src\/(json|decode|topics|validate)\.ts|^validate\d+ /,
  ],
  ['line protocol (timeseries-line)', /store\/timeseries-line\.ts/],
  ['outage spill: gzip + spool append', /store\/timeseries-(spool|outage)\.ts|node:zlib/],
  ['InfluxDB write request (fetch/undici or node:http)', /undici|timeseries-influx-post\.ts|node:_http|node:http/],
  ['InfluxDB writer pump (timeseries-influx)', /store\/timeseries-influx\.ts/],
  ['detection: rules, detectors, state machine', /detection\/src\//],
  ['ML anomaly detector', /control-api\/src\/ml\//],
  ['alarm service, standing alarms, persistence', /control-api\/src\/alarms\//],
  ['relational store (kysely, SQLite)', /kysely|better-sqlite3|store\/(repos|sqlite|db)/],
  ['ingest pipeline: seq, sensors, routing', /control-api\/src\/ingest\//],
  ['live push and bus', /control-api\/src\/(live|bus)|socket\.io|engine\.io/],
  ['metrics (prom-client)', /prom-client|control-api\/src\/metrics/],
  ['MQTT client and packet parsing (mqtt.js, mqtt-packet)', /node_modules\/(mqtt|mqtt-packet)\//],
  ['socket I/O (writev, streams)', /^writev |node:internal\/streams|node:net/],
  ['start-up: module loading, tsx', /tsx|esbuild|node:internal\/modules|^compile|wrapSafe/],
];

const [label, file, load] = process.argv.slice(2);
if (!label || !file) throw new Error('usage: profile.ts <label> <file.cpuprofile>');
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const categoryOf = new Map<number, string>();
const classify = (id: number): string => {
  const known = categoryOf.get(id);
  if (known) return known;
  let out = 'other';
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const f = (byId.get(at) as ProfileNode).callFrame;
    const hit = CATEGORIES.find(([, re]) => re.test(`${f.functionName} ${f.url}`));
    if (hit) {
      out = hit[0];
      break;
    }
  }
  categoryOf.set(id, out);
  return out;
};

const us = new Map<string, number>();
let busy = 0;
for (let i = 0; i < p.samples.length; i++) {
  const node = byId.get(p.samples[i]) as ProfileNode;
  if (node.callFrame.functionName === '(idle)') continue;
  const d = p.timeDeltas[i] ?? 0;
  busy += d;
  const c = classify(node.id);
  us.set(c, (us.get(c) ?? 0) + d);
}
const breakdown = [...us]
  .sort((a, b) => b[1] - a[1])
  .map(([category, t]) => ({
    category,
    seconds: Math.round(t / 1e4) / 100,
    percent: Math.round((t / busy) * 1000) / 10,
  }));
const entry = {
  label,
  date: new Date().toISOString(),
  busySeconds: Math.round(busy / 1e4) / 100,
  loadAverage: load ?? null,
  breakdown,
};
console.log(JSON.stringify(entry, null, 2));
const out = join(new URL('../..', import.meta.url).pathname, 'bench/results/ingest-profile.json');
const prior = existsSync(out)
  ? (JSON.parse(readFileSync(out, 'utf8')) as { profiles: Array<{ label: string }> })
  : undefined;
const profiles = [...(prior?.profiles ?? []).filter((x) => x.label !== label), entry];
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'ingest-profile', how: 'bench/ingest/profile.ts (see its header)', profiles }, null, 2)}\n`,
);
