import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { configJsonSchema, validateConfig } from '../src/validate.js';
import { type Doc, push, sampleConfig, set } from './fixtures.js';

const errorsOf = (doc: unknown): string[] => {
  const r = validateConfig(doc);
  assert.equal(r.ok, false, 'expected the document to be refused');
  return r.ok ? [] : r.errors;
};

describe('validateConfig', () => {
  it('accepts the sample and fills schema defaults', () => {
    const r = validateConfig(sampleConfig());
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(r.value.buffer, { maxBytes: 256 * 1024 * 1024, flushMs: 250, batchSize: 500 });
    assert.equal(r.value.logging.level, 'info');
    assert.deepEqual(r.value.outputs, []);
    const plc = r.value.drivers.find((d) => d.id === 'plc');
    assert.deepEqual(plc, { id: 'plc', type: 'modbus-tcp', host: '10.0.0.20', port: 502, pollMs: 1000 });
  });

  it('#17 sensors with no driver declared are valid: the agent reads them from field.url', () => {
    const doc = {
      siteId: 'suwon',
      agentId: 'suwon-min-1',
      central: { url: 'mqtts://gwanje.example:8883', username: 'suwon-min-1', password: 'pw' },
      field: { url: 'mqtt://127.0.0.1:1883' },
      dataDir: '/var/lib/gwanje',
      sensors: [
        { sensorId: 'suwon-decl-1', metric: 'gas', gas: 'CH4', unit: '%LEL', calibration: { zero: 2, span: 0.5 } },
      ],
    };
    const r = validateConfig(doc);
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    assert.deepEqual(errorsOf({ ...doc, sensors: [{ ...doc.sensors[0], driver: 'plc' }] }), [
      'sensors.0.driver: no driver with id "plc"',
    ]);
  });

  it('round-trips: a validated document serialized and validated again is unchanged', () => {
    const first = validateConfig(sampleConfig());
    assert.ok(first.ok);
    const second = validateConfig(JSON.parse(JSON.stringify(first.value)));
    assert.ok(second.ok);
    assert.deepEqual(second.value, first.value);
  });

  it('does not modify its input', () => {
    const doc = sampleConfig();
    const before = JSON.stringify(doc);
    validateConfig(doc);
    assert.equal(JSON.stringify(doc), before);
  });

  it('names an unknown key, a wrong type and a missing required property', () => {
    const doc = sampleConfig() as Doc;
    set(doc, 'sensors.0.colour', 'red');
    set(doc, 'buffer', { maxBytes: 'big' });
    set(doc, 'central.password', undefined);
    assert.deepEqual(errorsOf(doc).sort(), [
      'buffer.maxBytes: must be integer',
      'central.password: required',
      'sensors.0.colour: unknown key',
    ]);
  });

  it('#15 typed rules: the same checks as the center API, each naming its field', () => {
    const doc = sampleConfig() as Doc;
    set(doc, 'sensors.0.rules', [
      { type: 'twa', setpoint: 10 },
      { type: 'gas-low', setpoint: 30 },
    ]);
    set(doc, 'sensors.1.rules', [
      { type: 'gas-high', setpoint: 600 },
      { type: 'gas-high', setpoint: 100 },
    ]);
    assert.deepEqual(errorsOf(doc), [
      'sensors.0.rules.0.type: unknown rule type "twa" (one of gas-low, gas-high, gas-twa, gas-stel, o2-low, o2-high, flame, smoke, temperature-high, rate-of-rise, over-range, sensor-fault, stale)',
      "sensors.1.rules.0.setpoint: 600 ppm is outside the sensor's range 0..500 ppm",
      'sensors.1.rules.1.type: duplicate rule type "gas-high" (also rules.0)',
    ]);
    const order = sampleConfig() as Doc;
    set(order, 'sensors.1.rules', [{ type: 'gas-twa', setpoint: 250 }]);
    assert.deepEqual(errorsOf(order), ['sensors.1.rules.0.setpoint: gas-twa 250 must not be above gas-stel 200 ppm']);
    const low = sampleConfig() as Doc;
    set(low, 'sensors.0.rules', [{ type: 'gas-low', setpoint: 30 }]);
    assert.deepEqual(errorsOf(low), ['sensors.0.rules.0.setpoint: gas-low 30 must be below gas-high 25 %LEL']);
    const fine = sampleConfig() as Doc;
    set(fine, 'sensors.0.rules', [{ type: 'gas-high', setpoint: 20 }]);
    assert.ok(validateConfig(fine).ok);
  });

  it('reports a duplicate sensorId with both positions', () => {
    const doc = sampleConfig() as Doc;
    set(doc, 'sensors.1.sensorId', 'suwon-ch4-1');
    assert.deepEqual(errorsOf(doc), ['sensors.1.sensorId: duplicate sensorId "suwon-ch4-1" (also sensors.0)']);
  });

  it('reports only the chosen driver kind’s errors and unknown driver types', () => {
    const doc = sampleConfig() as Doc;
    set(doc, 'drivers.1.hots', '10.0.0.21');
    push(doc, 'drivers', { id: 'x', type: 'bacnet' });
    assert.deepEqual(errorsOf(doc), [
      'drivers.1.hots: unknown key',
      'drivers.2.type: must be one of "mqtt", "modbus-tcp", "simulated"',
    ]);
  });

  it('checks what the schema cannot: references, uniqueness, units and ranges', () => {
    const doc = sampleConfig() as Doc;
    push(doc, 'drivers', { id: 'field', type: 'simulated' });
    push(doc, 'cameras', { cameraId: 'suwon-cam-1', rtsp: 'rtsp://10.0.0.6/live' });
    doc.outputs = [
      { id: 'siren', type: 'mqtt', topic: 'a' },
      { id: 'siren', type: 'mqtt', topic: 'b' },
    ];
    set(doc, 'sensors.0.unit', 'C');
    set(doc, 'sensors.0.cameras', [{ cameraId: 'suwon-cam-9' }]);
    set(doc, 'sensors.1.range', { min: 10, max: 10 });
    set(doc, 'sensors.1.address.rawMax', -1);
    push(doc, 'sensors', { sensorId: 'suwon-x-1', metric: 'gas', unit: 'ppm', driver: 'nope' });
    push(doc, 'sensors', { sensorId: 'suwon-t-1', metric: 'temperature', gas: 'CO', unit: 'C', driver: 'plc' });
    assert.deepEqual(errorsOf(doc), [
      'drivers.2.id: duplicate driver id "field" (also drivers.0)',
      'cameras.1.cameraId: duplicate cameraId "suwon-cam-1" (also cameras.0)',
      'outputs.1.id: duplicate output id "siren" (also outputs.0)',
      'sensors.0.unit: "C" does not fit metric gas (use %LEL, ppm, %vol)',
      'sensors.0.cameras.0.cameraId: no camera with id "suwon-cam-9"',
      'sensors.1.range: min must be less than max',
      'sensors.1.address: rawMin must be less than rawMax',
      'sensors.2.gas: required when metric is gas',
      'sensors.2.driver: no driver with id "nope"',
      'sensors.3.gas: only allowed when metric is gas',
      'sensors.3.address.register: required for a modbus-tcp driver',
    ]);
  });

  it('refuses prototype-polluting keys before looking at the schema', () => {
    const doc = JSON.parse('{"siteId":"suwon","__proto__":{"admin":true}}');
    assert.deepEqual(errorsOf(doc), ['(root): forbidden-key: key "__proto__" is not allowed']);
    assert.deepEqual(errorsOf([]), ['(root): must be object']);
  });

  it('exports a JSON Schema another validator (the console) can use as is', () => {
    const schema = configJsonSchema();
    assert.equal(schema.title, 'Gwanje edge agent configuration');
    assert.equal(schema.additionalProperties, false);
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    assert.equal(check(sampleConfig()), true);
    assert.equal(check({ ...sampleConfig(), extra: 1 }), false);
  });
});
