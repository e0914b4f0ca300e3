/**
 * Issue 15 figure: how fast a pegged gas transmitter (150 %LEL on a 0-100 range) sounds the site
 * siren and reaches the operators as gas-high priority 1, through the real path (the rig of
 * test/support/gas-rig.ts): a field sensor on a field Mosquitto (or a Modbus TCP transmitter
 * polled every 200 ms), a real edge agent process, the center (embedded broker, in this process)
 * and a Socket.IO `/live` client. Each trial pegs the transmitter, waits for the siren and the
 * alarm, then returns it to zero until the siren is off and the alarm has returned (latched), so
 * the next trial re-alarms.
 *   node --import tsx bench/gas/pegged.ts [trials per path, default 8; about 21 s each]
 * Prints the figures and writes bench/results/gas-pegged.json. gas-high has a 1 s on-delay at the
 * center (CONTRACT defaults); the siren has none (issue 5: within 500 ms).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startGasRig } from '../../test/support/gas-rig.js';
import { waitFor } from '../../testkit/index.js';

const TRIALS = Number(process.argv[2] ?? 8);
/**
 * Trials of one sensor start at least this far apart: ISA-18.2 chattering suppression (more than
 * 3 activations in 60 s) would otherwise stop announcing the test's own repeats.
 */
const SPACING_MS = 21_000;
const rig = await startGasRig('bench');

/** When each sensor's last trial saw the siren on, the alarm raised, the siren off, the alarm latched. */
const since = (at: number, sensorId: string) => ({
  siren: rig.siren.find((s) => s.at >= at && s.on && s.sensorId === sensorId)?.at,
  alarm: rig.live.find((a) => a.at >= at && a.sourceId === sensorId && a.type === 'gas-high' && a.state === 'unack')
    ?.at,
  off: rig.siren.some((s) => s.at >= at && !s.on && s.sensorId === sensorId),
  latched: rig.live.some(
    (a) => a.at >= at && a.sourceId === sensorId && a.type === 'gas-high' && a.state === 'latched',
  ),
});

async function trial(sensorId: string, peg: () => void, clear: () => void): Promise<[number, number]> {
  const t0 = Date.now();
  peg();
  await waitFor(() => since(t0, sensorId).siren !== undefined && since(t0, sensorId).alarm !== undefined, 15_000);
  const seen = since(t0, sensorId);
  const out: [number, number] = [(seen.siren as number) - t0, (seen.alarm as number) - t0];
  const t1 = Date.now();
  clear();
  await waitFor(() => since(t1, sensorId).off && since(t1, sensorId).latched, 20_000);
  return out;
}

// The MQTT transmitter reports every 500 ms while its value holds.
let current = 0;
const ticker = setInterval(() => void rig.publish(current), 500);
const mqttRuns: [number, number][] = [];
const modbusRuns: [number, number][] = [];
for (let i = 0; i < TRIALS; i++) {
  const started = Date.now();
  mqttRuns.push(
    await trial(
      'bench-ch4',
      () => {
        current = 150;
        void rig.publish(150);
      },
      () => {
        current = 0;
      },
    ),
  );
  modbusRuns.push(
    await trial(
      'bench-mb',
      () => rig.transmitter.setHolding(0, 5600),
      () => rig.transmitter.setHolding(0, 800),
    ),
  );
  await new Promise((r) => setTimeout(r, Math.max(0, started + SPACING_MS - Date.now())));
}
clearInterval(ticker);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const summary = (xs: number[]) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs) });
const result = {
  bench: 'gas-pegged',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  trials: TRIALS,
  mqttField: { sirenMs: summary(mqttRuns.map((r) => r[0])), liveGasHighMs: summary(mqttRuns.map((r) => r[1])) },
  modbus200msPoll: {
    sirenMs: summary(modbusRuns.map((r) => r[0])),
    liveGasHighMs: summary(modbusRuns.map((r) => r[1])),
  },
  loadAverage: loadavg(),
};
console.log(JSON.stringify(result, null, 2));
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/gas-pegged.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
await rig.stop();
