/** Modbus TCP driver against a real Modbus TCP server (modbus-serial's ServerTCP) on a free port. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SensorConfig } from '@gwanje/firmware-config';
import * as modbus from 'modbus-serial';
import pino from 'pino';
import { freePort, waitFor } from '../../../testkit/index.js';
import { ModbusTcpDriver, registerRef, scaleSensor } from '../../src/drivers/modbus.js';
import type { RawReading } from '../../src/normalize.js';

const ch4: SensorConfig = {
  sensorId: 'mb-ch4',
  metric: 'gas',
  gas: 'CH4',
  unit: '%LEL',
  range: { min: 0, max: 100 },
  // 4-20 mA as 800..4000 counts, holding register 40001, fault code in holding register 40010.
  address: { unitId: 1, register: 40001, rawMin: 800, rawMax: 4000, faultRegister: 40010 },
};
const h2s: SensorConfig = {
  sensorId: 'mb-h2s',
  metric: 'gas',
  gas: 'H2S',
  unit: 'ppm',
  range: { min: 0, max: 50 },
  address: { unitId: 1, register: 30005, rawMin: 0, rawMax: 1000 },
};

test('register numbering and scaling (pure)', () => {
  assert.deepEqual(registerRef(40001), { table: 'holding', address: 0 });
  assert.deepEqual(registerRef(30005), { table: 'input', address: 4 });
  assert.deepEqual(registerRef(12), { table: 'holding', address: 12 });
  assert.deepEqual(scaleSensor(ch4, 2400), { value: 50 });
  assert.deepEqual(scaleSensor(ch4, 800), { value: 0 });
  assert.deepEqual(scaleSensor(ch4, 600), { value: 0, fault: 'under-range' }, '< 3.6 mA: broken loop');
  assert.deepEqual(scaleSensor(ch4, 4300), { value: 109.375, fault: 'over-range' }, '> 21 mA');
  assert.deepEqual(
    scaleSensor(ch4, 4001),
    { value: 100.0313, fault: 'over-range' },
    '#15 any count above span is over-range (was clamped to 100 %LEL and read as good)',
  );
  assert.deepEqual(scaleSensor(ch4, 5600), { value: 150, fault: 'over-range' }, '#15 150 %LEL as a Modbus count');
  assert.deepEqual(scaleSensor(h2s, 300), { value: 15 });
});

test('polls holding and input registers, passes the fault register through, reconnects', {
  timeout: 30_000,
}, async (t) => {
  const holding = new Map<number, number>([
    [0, 2400],
    [9, 0],
  ]);
  const input = new Map<number, number>([[4, 300]]);
  const port = await freePort();
  const vector = {
    getHoldingRegister: (addr: number) => holding.get(addr) ?? 0,
    getInputRegister: (addr: number) => input.get(addr) ?? 0,
  };
  const start = () => new modbus.ServerTCP(vector, { host: '127.0.0.1', port, unitID: 1 });
  let server = start();
  const close = (s: modbus.ServerTCP) => new Promise<void>((r) => s.close(() => r()));
  const got: Array<{ id: string } & RawReading> = [];
  const errors: string[] = [];
  const driver = new ModbusTcpDriver(
    { id: 'mb', type: 'modbus-tcp', host: '127.0.0.1', port, pollMs: 100, timeoutMs: 500 },
    [ch4, h2s],
    (s, raw) => got.push({ id: s.sensorId, ...raw }),
    { log: pino({ level: 'silent' }), now: Date.now, events: { error: (_id, m) => errors.push(m) } },
  );
  await driver.start();
  t.after(async () => {
    await driver.stop();
    await close(server);
  });
  await waitFor(() => got.some((g) => g.id === 'mb-h2s'), 5000);
  assert.deepEqual(
    got
      .filter((g) => g.id === 'mb-ch4')
      .map((g) => [g.value, g.fault])
      .slice(0, 1),
    [[50, undefined]],
  );
  assert.equal(got.find((g) => g.id === 'mb-h2s')?.value, 15);

  holding.set(9, 3); // the transmitter reports fault code 3
  await waitFor(() => got.some((g) => g.fault === 'modbus-3'), 5000);

  await close(server);
  const before = got.length;
  await waitFor(() => errors.length > 0, 5000);
  assert.match(errors[0], /modbus: 127\.0\.0\.1/);
  server = start();
  await waitFor(() => got.length > before + 2, 15_000);
});
