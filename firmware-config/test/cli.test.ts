import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from './cli-run.js';
import { type Doc, sampleConfig, set } from './fixtures.js';

describe('gwanje-config CLI', () => {
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
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keygen writes a key pair and prints its id', async () => {
    const r = await cli(['keygen', '--out', p('keys')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^key [0-9a-f]{16}: private .*private\.pem \(0600\), public .*public\.pem\n$/);
    assert.equal((await stat(p('keys/private.pem'))).mode & 0o777, 0o600);
    const again = await cli(['keygen', '--out', p('keys')]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /keys: .* already holds a key pair/);
  });

  it('validate: 0 and a summary for a good file, 1 and path: message lines for a bad one', async () => {
    const ok = await cli(['validate', p('doc.json')]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(
      ok.stdout,
      `${p('doc.json')}: valid: agent suwon-gw-01 (site suwon), version (unset), 2 sensors, 1 cameras\n`,
    );
    const bad = sampleConfig() as Doc;
    set(bad, 'sensors.0.colour', 'red');
    set(bad, 'sensors.1.sensorId', 'suwon-ch4-1');
    set(bad, 'dataDir', 7);
    await writeFile(p('bad.json'), JSON.stringify(bad));
    const r = await cli(['validate', p('bad.json')]);
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
    await writeFile(p('broken.json'), '{"siteId": ');
    const broken = await cli(['validate', p('broken.json')]);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /^\(root\): json: /);
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
    const stdout = await cli(['render', '--site', 'suwon', '--agent', 'suwon-gw-01', '--templates', p('t')]);
    assert.equal(stdout.code, 1);
    assert.equal(stdout.stderr, 'central.password: required\n');
    const usage = await cli(['render', '--agent', 'suwon-gw-01']);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, 'usage: --site is required\n');
  });

  it('sign, verify, and refuse a tampered file or another key', async () => {
    await cli(['keygen', '--out', p('k2')]);
    const s = await cli(['sign', p('doc.json'), '--key', p('k2/private.pem'), '--out', p('signed.json')]);
    assert.equal(s.code, 0, s.stderr);
    const v = await cli(['verify', p('signed.json'), '--pub', p('k2/public.pem')]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /signature ok \(key [0-9a-f]{16}, issued \d{4}-.*Z\): agent suwon-gw-01 \(site suwon\)/);
    const env = JSON.parse(await readFile(p('signed.json'), 'utf8'));
    env.document.sensors[0].unit = 'ppm';
    await writeFile(p('tampered.json'), JSON.stringify(env));
    const t = await cli(['verify', p('tampered.json'), '--pub', p('k2/public.pem')]);
    assert.equal(t.code, 1);
    assert.equal(t.stderr, 'verify: bad signature (document or envelope altered, or signed by another key)\n');
    await cli(['keygen', '--out', p('k3')]);
    const w = await cli(['verify', p('signed.json'), '--pub', p('k3/public.pem')]);
    assert.equal(w.code, 1);
    assert.match(w.stderr, /^verify: wrong key id [0-9a-f]{16} \(pinned key is [0-9a-f]{16}\)\n$/);
    const d = await cli(['diff', p('signed.json'), p('tampered.json')]);
    assert.equal(d.code, 0);
    assert.equal(d.stdout, 'sensors[suwon-ch4-1].unit: "%LEL" -> "ppm"\n');
  });

  it('refuses to sign with a world-readable key, and never signs an invalid document', async () => {
    await cli(['keygen', '--out', p('k4')]);
    await chmod(p('k4/private.pem'), 0o644);
    const r = await cli(['sign', p('doc.json'), '--key', p('k4/private.pem')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /keys: .*private\.pem is accessible by group or others \(mode 0644\); run: chmod 600/);
    await chmod(p('k4/private.pem'), 0o600);
    const bad = await cli(['sign', p('bad.json'), '--key', p('k4/private.pem')]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /^dataDir: must be string\nsensors\.0\.colour: unknown key\n.*\nsign: refusing to sign an invalid document\n$/,
    );
    assert.equal(bad.stdout, '');
  });

  it('diff of identical documents, usage errors exit 2', async () => {
    const same = await cli(['diff', p('doc.json'), p('doc.json')]);
    assert.deepEqual([same.code, same.stdout], [0, 'no differences\n']);
    for (const args of [
      [],
      ['frobnicate'],
      ['validate'],
      ['validate', p('doc.json'), '--colour', 'x'],
      ['diff', p('doc.json')],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^usage: /);
    }
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /provision --site <siteId> --agent <agentId>/);
  });
});
