/**
 * The shipped agent validates with Ajv standalone code generated at bundle time (src/aot). These
 * tests keep it from drifting from the TypeBox schemas: the generated functions must accept and
 * reject exactly what runtime Ajv (protocol's `compiled()`) does, with the same `path: message`
 * lines, on a table of documents; and the bundled agent itself must run end to end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type AgentStatus, compiled, formatErrors, type Telemetry } from '@gwanje/protocol';
import { type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { build } from 'esbuild';
import mqtt from 'mqtt';
import { startMosquitto, waitFor } from '../../../testkit/index.js';
import { aotValidatorsPlugin, bundleAgent } from '../../src/aot/bundle.js';
import { AOT_SCHEMAS } from '../../src/aot/validators.js';
import { simulatedAgentConfig } from '../../src/sim/province.js';

type Validator = ((v: unknown) => boolean) & { errors?: Parameters<typeof formatErrors>[0] };
const PKG = new URL('../../', import.meta.url).pathname;

/** The `ajv` stand-in exactly as the bundle gets it (same plugin), as an importable module. */
async function loadAot(dir: string): Promise<{ compile(s: TSchema): Validator }> {
  const outfile = join(dir, 'aot-ajv.mjs');
  await build({
    stdin: { contents: "export { Ajv } from 'ajv';", resolveDir: PKG, loader: 'js' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    plugins: [aotValidatorsPlugin()],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  const { Ajv } = (await import(pathToFileURL(outfile).href)) as { Ajv: new () => { compile(s: TSchema): Validator } };
  return new Ajv();
}

const agentConfig = simulatedAgentConfig({
  siteId: 'suwon',
  agentId: 'suwon-sim-1',
  brokerUrl: 'mqtt://127.0.0.1:1883',
  username: 'suwon-sim-1',
  password: 'pw',
  videoUrl: 'http://127.0.0.1:1',
  dataDir: '/var/lib/gwanje',
  incidentEverySec: 0,
});

const reading = {
  sensorId: 'suwon-ch4-1',
  metric: 'gas',
  gas: 'CH4',
  value: 1.2,
  unit: '%LEL',
  ts: 1_700_000_000_000,
  quality: 'good',
};

/** Real documents per schema; every schema also gets TypeBox's own example value. */
const REAL: Record<string, unknown[]> = {
  AgentConfig: [
    agentConfig,
    { ...agentConfig, cameras: [{ cameraId: 'suwon-cam-2', onvif: { url: 'http://10.0.0.5/onvif/device_service' } }] },
  ],
  FieldReading: [{ metric: 'gas', gas: 'CH4', value: 1.5, unit: '%LEL', ts: 1_700_000_000_000 }, { value: 3 }],
  Reading: [reading],
  Telemetry: [
    { agentId: 'suwon-sim-1', seq: 7, readings: [reading, { ...reading, quality: 'fault', fault: 'modbus-3' }] },
    { agentId: 'suwon-sim-1', seq: 8, readings: [] },
  ],
  Command: [{ id: 'c1', action: 'stream.start', args: { cameraId: 'suwon-cam-1', url: 'http://x/video' } }],
  CommandResult: [{ id: 'c1', ok: false, error: 'cameras: unknown camera' }],
  AgentStatus: [
    { state: 'online', version: '0.1.0', uptimeS: 3, buffered: 0, ts: 1_700_000_000_000 },
    {
      state: 'offline',
      version: '0.1.0',
      uptimeS: 0,
      buffered: 9,
      ts: 1,
      config: { version: 'v2', outcome: 'applied' },
    },
  ],
  AgentEvent: [{ type: 'local-alarm', sourceId: 'suwon-ch4-1', ts: 1_700_000_000_000, value: 30, setpoint: 25 }],
  CameraInventory: [{ cameras: [{ cameraId: 'suwon-cam-1', name: 'Gate', ptz: true, profiles: [] }] }],
  SensorReport: [
    {
      agentId: 'suwon-sim-1',
      configVersion: 'v3',
      ts: 1_700_000_000_000,
      sensors: [
        {
          sensorId: 'suwon-ch4-1',
          metric: 'gas',
          gas: 'CH4',
          unit: '%LEL',
          range: { min: 0, max: 100 },
          calibration: { zero: 0, span: 1 },
          intervalMs: 2000,
          rules: [{ type: 'gas-high', setpoint: 20 }],
          source: 'config',
        },
      ],
    },
  ],
  SignedConfig: [{ version: 'v1', issuedAt: 1_700_000_000_000, keyId: 'k1', document: agentConfig, signature: 'c2ln' }],
};

/** TypeBox's own example value, when it can make one (patterned strings need a default). */
function example(schema: TSchema): unknown[] {
  try {
    return [Value.Create(schema)];
  } catch {
    return [];
  }
}

/** Each document, plus: each top-level key removed, set to null, to a string, and an unknown key. */
function mutations(doc: unknown): unknown[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [doc, null, 'x', 7, []];
  const out: unknown[] = [doc, { ...doc, zzUnknown: 1 }, null, [], 'x'];
  for (const k of Object.keys(doc)) {
    const { [k]: _drop, ...rest } = doc as Record<string, unknown>;
    out.push(rest, { ...doc, [k]: null }, { ...doc, [k]: 'x' }, { ...doc, [k]: -1 });
  }
  return out;
}

test('generated validators accept and reject exactly like runtime Ajv on the TypeBox schemas', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-aot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const aot = await loadAot(dir);
  for (const [name, schema] of Object.entries(AOT_SCHEMAS)) {
    const docs = [...(REAL[name] ?? []), ...example(schema)].flatMap(mutations);
    const generated = aot.compile(schema);
    const runtime = compiled(schema);
    let accepted = 0;
    for (const doc of docs) {
      const ok = generated(doc);
      assert.equal(ok, runtime(doc), `${name}: accept/reject differs on ${JSON.stringify(doc).slice(0, 200)}`);
      if (ok) accepted += 1;
      else {
        // The raw error objects too: firmware-config's validateConfig reads schemaPath and params.
        assert.deepEqual(generated.errors, runtime.errors, `${name}: errors differ`);
        assert.deepEqual(formatErrors(generated.errors), formatErrors(runtime.errors), `${name}: lines differ`);
      }
    }
    // A table that never accepts (or never rejects) would prove nothing.
    assert.ok(accepted > 0 && accepted < docs.length, `${name}: ${accepted}/${docs.length} accepted`);
  }
  assert.throws(() => aot.compile(Type.String({ title: 'NotListed' })), /aot: no validator.*NotListed/);
});

test('the bundled agent (shipped form, with its V8 flags) refuses a bad config and runs a good one', {
  timeout: 45_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-aot-agent-'));
  const broker = await startMosquitto();
  t.after(async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await bundleAgent({ outdir: join(dir, 'dist'), absoluteExternals: true });
  const run = (file: string) =>
    spawn(
      process.execPath,
      ['--max-semi-space-size=1', '--lite-mode', '--no-expose-wasm', join(dir, 'dist', 'gwanje-edge.mjs'), '-c', file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );

  const bad = join(dir, 'bad.json');
  const drivers = [
    { id: 'plc', type: 'modbus-tcp', hots: 'x' },
    { id: 'f', type: 'mqtt', url: 7 },
  ];
  writeFileSync(bad, JSON.stringify({ ...agentConfig, siteId: 'Bad Site', colour: 'blue', drivers }));
  const stderrOf = async (p: ReturnType<typeof spawn>) => {
    let err = '';
    p.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    const code = await new Promise<number | null>((r) => p.once('exit', r));
    return { code, err };
  };
  const shipped = await stderrOf(run(bad));
  assert.equal(shipped.code, 2);
  assert.match(shipped.err, /^ {2}siteId: must match pattern/m);
  assert.match(shipped.err, /^ {2}colour: unknown key/m);
  assert.match(shipped.err, /^ {2}drivers\.0\.hots: unknown key/m);
  // Exactly what the TypeScript sources (runtime Ajv) print for the same file.
  const source = await stderrOf(
    spawn(process.execPath, ['--import', 'tsx', join(PKG, 'src', 'main.ts'), '-c', bad], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  assert.deepEqual(shipped, source);

  const good = join(dir, 'good.json');
  const config = simulatedAgentConfig({
    siteId: 'suwon',
    agentId: 'suwon-sim-1',
    brokerUrl: broker.url,
    username: 'suwon-sim-1',
    password: 'pw',
    videoUrl: 'http://127.0.0.1:1',
    dataDir: join(dir, 'data'),
    incidentEverySec: 0,
    periodMs: 100,
  });
  writeFileSync(good, JSON.stringify({ ...config, logging: { level: 'warn' } }));
  const center = await mqtt.connectAsync(broker.url, { clientId: 'test-center-aot', protocolVersion: 4 });
  t.after(() => center.endAsync());
  const batches: Telemetry[] = [];
  let status: AgentStatus | undefined;
  center.on('message', (topic, p) => {
    if (topic.endsWith('/telemetry')) batches.push(JSON.parse(p.toString()));
    if (topic.endsWith('/status')) status = JSON.parse(p.toString());
  });
  await center.subscribeAsync('gwanje/v1/suwon/suwon-sim-1/#', { qos: 1 });
  const p2 = run(good);
  const exited = new Promise<number | null>((r) => p2.once('exit', r));
  t.after(async () => {
    if (p2.exitCode === null) p2.kill('SIGKILL');
  });
  await waitFor(() => batches.length >= 2 && status?.state === 'online', 20_000);
  assert.ok(batches.every((b) => b.agentId === 'suwon-sim-1' && b.readings.length > 0));
  p2.kill('SIGTERM');
  assert.equal(await exited, 0);
  await waitFor(() => status?.state === 'offline', 5000);
});
