/**
 * Issue 15 end to end, as the issue was found: a real edge agent process (edge-agent/src/main.ts)
 * with a field Mosquitto and a Modbus TCP gas transmitter, connected to the center (the real
 * Center with its embedded broker; test/support/gas-rig.ts). A CH4 transmitter on a 0-100 %LEL
 * range pegged at 150 %LEL, once as an MQTT field sensor's value and once as a Modbus count above
 * span, must drive the site's siren output and raise gas-high priority 1 on `/live`, exactly like
 * 60 %LEL does. (Before: only a priority 2 sensor-fault, and no siren.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { waitFor } from '../testkit/index.js';
import { type GasRig, startGasRig } from './support/gas-rig.js';

let rig: GasRig;

before(async () => {
  rig = await startGasRig('peg');
});

after(() => rig?.stop());

const find = (sensorId: string, type: string) => rig.live.find((a) => a.sourceId === sensorId && a.type === type);

test('#15 150 %LEL on a 0-100 range (MQTT field sensor) raises gas-high P1 on /live and the siren', async () => {
  const sent = Date.now();
  // A transmitter publishes every second (intervalMs 1000), not once: the rig is ready when the center
  // knows the declared ranges, which can be before the agent's field subscription is active, and a
  // single reading sent in that gap is (correctly) never seen. The latency is still from the first.
  const pump = setInterval(() => void rig.publish(150), 1000);
  try {
    await rig.publish(150);
    await waitFor(() => rig.siren.some((s) => s.on && s.sensorId === 'peg-ch4'), 5_000);
  } finally {
    clearInterval(pump);
  }
  const on = rig.siren.find((s) => s.on && s.sensorId === 'peg-ch4');
  assert.equal(on?.reason, 'gas-high');
  // Held past the 1 s on-delay of gas-high at the center.
  await new Promise((r) => setTimeout(r, 1200));
  await rig.publish(150);
  await waitFor(() => find('peg-ch4', 'gas-high') !== undefined, 10_000);
  const alarm = find('peg-ch4', 'gas-high') as Alarm & { at: number };
  assert.equal(alarm.priority, 1);
  assert.equal(alarm.latched, true);
  assert.equal(alarm.value, 150);
  await waitFor(() => find('peg-ch4', 'sensor-fault') !== undefined, 10_000);
  console.log(
    `pegged (MQTT): siren ${(on?.at ?? 0) - sent} ms, /live gas-high ${alarm.at - sent} ms after the first reading`,
  );
});

test('#15 a Modbus count above span (150 %LEL as 5600 counts) raises gas-high P1 on /live and the siren', async () => {
  const set = Date.now();
  rig.transmitter.setHolding(0, 5600);
  await waitFor(() => rig.siren.some((s) => s.on && s.sensorId === 'peg-mb'), 5_000);
  const on = rig.siren.find((s) => s.on && s.sensorId === 'peg-mb');
  assert.equal(on?.reason, 'gas-high');
  await waitFor(() => find('peg-mb', 'gas-high') !== undefined, 10_000);
  const alarm = find('peg-mb', 'gas-high') as Alarm & { at: number };
  assert.equal(alarm.priority, 1);
  assert.ok((alarm.value ?? 0) > 100, `value ${alarm.value}`);
  await waitFor(() => find('peg-mb', 'sensor-fault') !== undefined, 10_000);
  assert.equal(find('peg-mb', 'sensor-fault')?.facts?.code, 'over-range');
  console.log(
    `pegged (Modbus): siren ${(on?.at ?? 0) - set} ms, /live gas-high ${alarm.at - set} ms after the count changed`,
  );
});
