import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from '../src/decode.js';
import { DecodeError } from '../src/json.js';

const T0 = 1763900000000;
const reading = { sensorId: 's-1', metric: 'gas', gas: 'CH4', value: 12.5, unit: '%LEL', ts: T0, quality: 'good' };
const telemetry = { agentId: 'a1', seq: 7, readings: [reading] };
const big = (n: number) => JSON.stringify({ agentId: 'a1', seq: 1, readings: [{ ...reading, pad: 'x'.repeat(n) }] });

describe('decode: good payloads (captured from the contract examples)', () => {
  const cases: Array<[string, string, unknown, string]> = [
    [
      'sensors/gas-1',
      '{"metric":"gas","gas":"CH4","value":12.5,"unit":"%LEL","ts":1763900000000}',
      { metric: 'gas', gas: 'CH4', value: 12.5, unit: '%LEL', ts: 1763900000000 },
      'sensor',
    ],
    [
      'sensors/flame-2',
      '{"metric":"flame","value":1,"unit":"bool"}',
      { metric: 'flame', value: 1, unit: 'bool' },
      'sensor',
    ],
    [
      'sensors/co-3',
      '{"metric":"gas","gas":"CO","value":3,"unit":"ppm","fault":"E12"}',
      { metric: 'gas', gas: 'CO', value: 3, unit: 'ppm', fault: 'E12' },
      'sensor',
    ],
    ['gwanje/v1/suwon/a1/telemetry', JSON.stringify(telemetry), telemetry, 'telemetry'],
    [
      'gwanje/v1/suwon/a1/status',
      '{"state":"offline","version":"0.1.0","uptimeS":0,"buffered":0,"ts":1763900000000}',
      { state: 'offline', version: '0.1.0', uptimeS: 0, buffered: 0, ts: T0 },
      'status',
    ],
    [
      'gwanje/v1/suwon/a1/cameras',
      '{"cameras":[{"cameraId":"cam-1","name":"Gate","ptz":true,"profiles":[{"token":"p0","width":1920,"height":1080,"codec":"H264"}]}]}',
      {
        cameras: [
          {
            cameraId: 'cam-1',
            name: 'Gate',
            ptz: true,
            profiles: [{ token: 'p0', width: 1920, height: 1080, codec: 'H264' }],
          },
        ],
      },
      'cameras',
    ],
    [
      'gwanje/v1/suwon/a1/events',
      '{"type":"local-alarm","sourceId":"gas-1","ts":1763900000000,"rule":"gas-high"}',
      { type: 'local-alarm', sourceId: 'gas-1', ts: T0, rule: 'gas-high' },
      'events',
    ],
    [
      'gwanje/v1/suwon/a1/cmd',
      '{"id":"c1","action":"stream.start","args":{"cameraId":"cam-1"}}',
      { id: 'c1', action: 'stream.start', args: { cameraId: 'cam-1' } },
      'cmd',
    ],
    ['gwanje/v1/suwon/a1/cmd/result', '{"id":"c1","ok":true}', { id: 'c1', ok: true }, 'cmdResult'],
  ];
  for (const [topic, text, payload, kind] of cases) {
    it(`${topic} decodes to ${kind}`, () => {
      const msg = decode(topic, Buffer.from(text));
      assert.equal(msg.kind, kind);
      assert.deepEqual(msg.payload, payload);
    });
  }

  it('carries site and agent from the topic', () => {
    const msg = decode('gwanje/v1/seongnam/edge-07/telemetry', JSON.stringify({ ...telemetry, agentId: 'edge-07' }));
    assert.equal(msg.scope, 'agent');
    if (msg.scope === 'agent') {
      assert.equal(msg.siteId, 'seongnam');
      assert.equal(msg.agentId, 'edge-07');
    }
  });

  it('encode/decode round trip', () => {
    const topic = 'gwanje/v1/suwon/a1/telemetry';
    assert.deepEqual(decode(topic, encode(topic, telemetry)).payload, telemetry);
  });
});

describe('decode: bad payloads are rejected with a reason', () => {
  const cases: Array<[string, string, Uint8Array | string, string]> = [
    ['unknown topic', 'foo/bar', '{}', 'topic'],
    ['bad id in topic', 'gwanje/v1/Suwon/a1/telemetry', JSON.stringify(telemetry), 'topic'],
    ['unknown suffix', 'gwanje/v1/suwon/a1/whatever', '{}', 'topic'],
    ['not JSON', 'sensors/s1', '{"metric":', 'json'],
    ['invalid UTF-8', 'sensors/s1', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'utf8'],
    ['huge number', 'sensors/s1', '{"metric":"gas","value":1e400,"unit":"ppm"}', 'non-finite'],
    ['value over range', 'sensors/s1', '{"metric":"gas","value":1e12,"unit":"ppm"}', 'schema'],
    ['wrong type', 'sensors/s1', '{"metric":"gas","value":"12","unit":"ppm"}', 'schema'],
    ['unknown metric', 'sensors/s1', '{"metric":"radiation","value":1,"unit":"ppm"}', 'schema'],
    ['unknown unit', 'sensors/s1', '{"metric":"gas","value":1,"unit":"mg"}', 'schema'],
    ['__proto__ key', 'sensors/s1', '{"metric":"gas","value":1,"unit":"ppm","__proto__":{"x":1}}', 'forbidden-key'],
    [
      'escaped __proto__ key',
      'sensors/s1',
      '{"metric":"gas","value":1,"unit":"ppm","\\u005f_proto__":1}',
      'forbidden-key',
    ],
    [
      'constructor key nested',
      'gwanje/v1/suwon/a1/events',
      '{"type":"x","sourceId":"s","ts":1763900000000,"d":{"constructor":{"prototype":{}}}}',
      'forbidden-key',
    ],
    ['deep nesting', 'gwanje/v1/suwon/a1/events', `${'['.repeat(5000)}${']'.repeat(5000)}`, 'depth'],
    [
      'oversize field payload',
      'sensors/s1',
      `{"metric":"gas","value":1,"unit":"ppm","x":"${'a'.repeat(5000)}"}`,
      'oversize',
    ],
    ['oversize telemetry', 'gwanje/v1/suwon/a1/telemetry', big(1_100_000), 'oversize'],
    ['agentId differs from topic', 'gwanje/v1/suwon/a2/telemetry', JSON.stringify(telemetry), 'agent-mismatch'],
    [
      'empty readings',
      'gwanje/v1/suwon/a1/telemetry',
      JSON.stringify({ agentId: 'a1', seq: 1, readings: [] }),
      'schema',
    ],
    ['negative seq', 'gwanje/v1/suwon/a1/telemetry', JSON.stringify({ ...telemetry, seq: -1 }), 'schema'],
    ['float seq', 'gwanje/v1/suwon/a1/telemetry', JSON.stringify({ ...telemetry, seq: 1.5 }), 'schema'],
    [
      'ts in seconds, not ms',
      'gwanje/v1/suwon/a1/telemetry',
      JSON.stringify({ ...telemetry, readings: [{ ...reading, ts: 1763900000 }] }),
      'schema',
    ],
    [
      'bad quality',
      'gwanje/v1/suwon/a1/telemetry',
      JSON.stringify({ ...telemetry, readings: [{ ...reading, quality: 'ok' }] }),
      'schema',
    ],
    [
      'status bad state',
      'gwanje/v1/suwon/a1/status',
      '{"state":"up","version":"1","uptimeS":1,"buffered":0,"ts":1763900000000}',
      'schema',
    ],
    ['cmd unknown action', 'gwanje/v1/suwon/a1/cmd', '{"id":"1","action":"format.disk","args":{}}', 'schema'],
    ['array instead of object', 'sensors/s1', '[1,2,3]', 'schema'],
    ['null payload', 'sensors/s1', 'null', 'schema'],
    ['empty payload', 'sensors/s1', '', 'json'],
  ];
  for (const [name, topic, bytes, reason] of cases) {
    it(`${name} -> ${reason}`, () => {
      assert.throws(
        () => decode(topic, typeof bytes === 'string' ? Buffer.from(bytes) : bytes),
        (err: unknown) => err instanceof DecodeError && err.reason === reason,
      );
    });
  }

  it('schema errors name the field', () => {
    try {
      decode('sensors/s1', '{"metric":"gas","value":"x","unit":"ppm"}');
      assert.fail('should throw');
    } catch (err) {
      assert.match((err as Error).message, /value: must be number/);
    }
  });

  it('encode refuses an invalid payload', () => {
    assert.throws(() => encode('gwanje/v1/suwon/a1/telemetry', { agentId: 'a1', seq: 'x', readings: [] }), DecodeError);
  });
});
