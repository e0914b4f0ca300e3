import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkProvince } from '../src/province.js';
import { AGENT_VAR } from './fixtures.js';

describe('checkProvince', () => {
  let dir: string;
  const site = {
    central: { url: 'mqtt://center:1883', username: AGENT_VAR },
    field: { url: 'mqtt://127.0.0.1:1883' },
    dataDir: '/var/lib/gwanje',
    drivers: [{ id: 'field', type: 'mqtt' }],
  };
  const write = (rel: string, v: unknown) => writeFile(join(dir, rel), JSON.stringify(v));
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-province-'));
    await mkdir(join(dir, 'sites'));
    await mkdir(join(dir, 'agents'));
    await write('sites/guri.json', site);
    await write('sites/hanam.json', site);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the repository templates', async () => {
    const r = await checkProvince(new URL('../templates', import.meta.url).pathname);
    assert.deepEqual(r.errors, []);
    assert.ok(r.agents >= 2 && r.sensors >= 7);
  });

  it('names ids reused across agents, broken overlays and overlays without a site', async () => {
    const gas = (id: string) => ({ sensorId: id, metric: 'gas', gas: 'CO', unit: 'ppm' });
    await write('agents/guri-gw-01.json', {
      siteId: 'guri',
      sensors: [gas('guri-co-1')],
      cameras: [{ cameraId: 'cam-1', testPattern: true }],
    });
    await write('agents/hanam-gw-01.json', {
      siteId: 'hanam',
      sensors: [gas('guri-co-1')],
      cameras: [{ cameraId: 'cam-1', testPattern: true }],
    });
    await write('agents/hanam-gw-02.json', {
      siteId: 'hanam',
      sensors: [{ sensorId: 'h-1', metric: 'flame', unit: 'ppm' }],
    });
    await write('agents/nosite.json', { sensors: [] });
    const r = await checkProvince(dir);
    assert.deepEqual(r.errors, [
      'hanam-gw-01: sensorId "guri-co-1" is also used by agent guri-gw-01',
      'hanam-gw-01: cameraId "cam-1" is also used by agent guri-gw-01',
      'hanam-gw-02: sensors.0.unit: "ppm" does not fit metric flame (use bool)',
      'nosite: siteId: required in an overlay to check it',
    ]);
    assert.equal(r.agents, 4);
  });
});
