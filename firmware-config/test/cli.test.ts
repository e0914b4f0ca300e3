/** The real bin through child_process, as an operator runs it: exit codes, stdout, stderr. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from './cli-run.js';
import { type Doc, sampleConfig, set } from './fixtures.js';

describe('gwanje-config bin', () => {
  let dir: string;
  const p = (name: string) => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-cli-'));
    await mkdir(p('t/sites'), { recursive: true });
    await mkdir(p('t/agents'));
    const { agentId: _a, siteId: _s, central, ...site } = sampleConfig();
    const { password: _p, ...centralNoSecret } = central as Record<string, unknown>;
    await writeFile(p('t/sites/suwon.json'), JSON.stringify({ ...site, central: centralNoSecret }));
    await writeFile(
      p('t/agents/suwon-gw-01.json'),
      JSON.stringify({ siteId: 'suwon', name: 'Pump house', buffer: { maxBytes: 2097152 } }),
    );
    await writeFile(p('secrets.json'), JSON.stringify({ central: { password: 'from-vault' } }));
    await writeFile(p('doc.json'), JSON.stringify(sampleConfig()));
    const bad = sampleConfig() as Doc;
    set(bad, 'sensors.0.colour', 'red');
    set(bad, 'sensors.1.sensorId', 'suwon-ch4-1');
    set(bad, 'dataDir', 7);
    await writeFile(p('bad.json'), JSON.stringify(bad));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validate: 0 and a summary for a good file, 1 and path: message lines for a bad one', async () => {
    const [ok, r] = await Promise.all([cli(['validate', p('doc.json')]), cli(['validate', p('bad.json')])]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(
      ok.stdout,
      `${p('doc.json')}: valid: agent suwon-gw-01 (site suwon), version (unset), 2 sensors, 1 cameras\n`,
    );
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      [
        'dataDir: must be string',
        'sensors.0.colour: unknown key',
        'sensors.1.sensorId: duplicate sensorId "suwon-ch4-1" (also sensors.0)',
        '',
      ].join('\n'),
    );
  });

  it('render merges the templates with secrets into a 0600 file', async () => {
    const r = await cli([
      'render',
      '--site',
      'suwon',
      '--agent',
      'suwon-gw-01',
      '--templates',
      p('t'),
      '--secrets',
      p('secrets.json'),
      '--out',
      p('rendered.json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(await readFile(p('rendered.json'), 'utf8'));
    assert.equal(doc.name, 'Pump house');
    assert.equal(doc.central.password, 'from-vault');
    assert.equal(doc.buffer.maxBytes, 2097152);
    assert.match(doc.version, /^[0-9a-f]{16}$/);
    assert.equal((await stat(p('rendered.json'))).mode & 0o777, 0o600);
    assert.equal(
      r.stdout,
      `${p('rendered.json')}: agent suwon-gw-01 (site suwon), version ${doc.version}, 2 sensors, 1 cameras\n`,
    );
  });

  it('keygen, sign, verify, refuse a tampered file, diff; usage errors exit 2', async () => {
    const k = await cli(['keygen', '--out', p('keys')]);
    assert.equal(k.code, 0, k.stderr);
    assert.match(k.stdout, /^key [0-9a-f]{16}: private .*private\.pem \(0600\), public .*public\.pem\n$/);
    assert.equal((await stat(p('keys/private.pem'))).mode & 0o777, 0o600);
    const s = await cli(['sign', p('doc.json'), '--key', p('keys/private.pem'), '--out', p('signed.json')]);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /signed\.json: signed version [0-9a-f]{16} with key [0-9a-f]{16}\n$/);
    const env = JSON.parse(await readFile(p('signed.json'), 'utf8'));
    env.document.sensors[0].unit = 'ppm';
    await writeFile(p('tampered.json'), JSON.stringify(env));
    const [v, t, d, u] = await Promise.all([
      cli(['verify', p('signed.json'), '--pub', p('keys/public.pem')]),
      cli(['verify', p('tampered.json'), '--pub', p('keys/public.pem')]),
      cli(['diff', p('signed.json'), p('tampered.json')]),
      cli(['verify', p('signed.json')]),
    ]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /signature ok \(key [0-9a-f]{16}, issued \d{4}-.*Z\): agent suwon-gw-01 \(site suwon\)/);
    assert.equal(t.code, 1);
    assert.equal(t.stdout, '');
    assert.equal(t.stderr, 'verify: bad signature (document or envelope altered, or signed by another key)\n');
    assert.equal(d.code, 0);
    assert.equal(d.stdout, 'sensors[suwon-ch4-1].unit: "%LEL" -> "ppm"\n');
    assert.equal(u.code, 2);
    assert.equal(u.stderr, 'usage: --pub is required\n');
  });
});
