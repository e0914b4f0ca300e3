import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffConfigs, formatDiff } from '../src/diff.js';
import { type Doc, push, sampleConfig, set } from './fixtures.js';

describe('diffConfigs', () => {
  it('lists each change as path: before -> after, arrays keyed by id, secrets masked', () => {
    const a = sampleConfig() as Doc;
    const b = structuredClone(a);
    set(b, 'central.password', 'new-pass');
    set(b, 'sensors.0.unit', 'ppm');
    (b.sensors as unknown[]).splice(1, 1);
    push(b, 'sensors', { sensorId: 'suwon-flame-1', metric: 'flame', unit: 'bool' });
    set(b, 'cameras.0.onvif.password', 'other');
    set(b, 'drivers.1.host', '10.0.0.21');
    set(b, 'logging', { level: 'debug' });
    const lines = formatDiff(diffConfigs(a, b));
    assert.deepEqual(lines, [
      'cameras[suwon-cam-1].onvif.password: *** -> *** (changed)',
      'central.password: *** -> *** (changed)',
      'drivers[plc].host: "10.0.0.20" -> "10.0.0.21"',
      'logging: (absent) -> {"level":"debug"}',
      'sensors[suwon-ch4-1].unit: "%LEL" -> "ppm"',
      'sensors[suwon-co-1]: {"sensorId":"suwon-co-1","metric":"gas","gas":"CO","unit":"ppm","driver":"plc","range":{"min":0,"max":500},"address":{"unitId":1,"register":40001,"rawMin":0,"rawMax":4095}} -> (absent)',
      'sensors[suwon-flame-1]: (absent) -> {"sensorId":"suwon-flame-1","metric":"flame","unit":"bool"}',
    ]);
    assert.ok(!lines.join('\n').includes('new-pass') && !lines.join('\n').includes('other'));
  });

  it('masks secrets nested inside an added or removed object', () => {
    const a = sampleConfig() as Doc;
    const b = structuredClone(a);
    set(b, 'cameras', []);
    const lines = formatDiff(diffConfigs(a, b));
    assert.deepEqual(lines, [
      'cameras[suwon-cam-1]: {"cameraId":"suwon-cam-1","onvif":{"url":"http://10.0.0.5/onvif/device_service","username":"admin","password":"***"}} -> (absent)',
    ]);
  });

  it('is empty for equal documents, whatever the key order', () => {
    const a = sampleConfig();
    const b = Object.fromEntries(Object.entries(a).reverse());
    assert.deepEqual(diffConfigs(a, b), []);
  });
});
