/** The subcommands in process through cli.ts `main()` (same code as the bin, without a spawn each). */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '../src/cli.js';
import { type Doc, sampleConfig, set } from './fixtures.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readFile: (path) => readFile(path, 'utf8'),
    writeFile: (path, text, mode) => writeFile(path, text, { mode }),
    env: {},
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gwanje-config commands', () => {
  let dir: string;
  const p = (name: string) => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-cmd-'));
    await writeFile(p('doc.json'), JSON.stringify(sampleConfig()));
    const bad = sampleConfig() as Doc;
    set(bad, 'sensors.0.colour', 'red');
    await writeFile(p('bad.json'), JSON.stringify(bad));
    await writeFile(p('broken.json'), '{"siteId": ');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('usage errors exit 2 and name the problem; help and schema exit 0', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'usage: a command is required'],
      [['frobnicate'], 'usage: unknown command "frobnicate"'],
      [['validate'], 'usage: expected <file>'],
      [['validate', p('doc.json'), '--colour', 'x'], "usage: Unknown option '--colour'"],
      [['diff', p('doc.json')], 'usage: expected <a> <b>'],
      [['render', '--agent', 'suwon-gw-01'], 'usage: --site is required'],
      [['push', p('doc.json'), '--api', 'http://127.0.0.1:1'], 'usage: --token (or GWANJE_TOKEN) is required'],
    ];
    for (const [args, first] of cases) {
      const r = await run(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.err.split('\n')[0].slice(0, first.length), first);
    }
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /provision --site <siteId> --agent <agentId>/);
    const schema = await run(['schema']);
    assert.equal(schema.code, 0);
    assert.equal(JSON.parse(schema.out).title, 'Gwanje edge agent configuration');
  });

  it('reports unreadable and malformed files as path: message with exit 1', async () => {
    const missing = await run(['validate', p('nope.json')]);
    assert.deepEqual([missing.code, missing.err], [1, `${p('nope.json')}: cannot read (ENOENT)`]);
    const broken = await run(['validate', p('broken.json')]);
    assert.equal(broken.code, 1);
    assert.match(broken.err, /^\(root\): json: /);
  });

  it('keygen never overwrites; sign refuses a readable key and an invalid document', async () => {
    assert.equal((await run(['keygen', '--out', p('k')])).code, 0);
    const again = await run(['keygen', '--out', p('k')]);
    assert.equal(again.code, 1);
    assert.equal(again.err, `keys: ${p('k')} already holds a key pair`);
    await chmod(p('k/private.pem'), 0o644);
    const loose = await run(['sign', p('doc.json'), '--key', p('k/private.pem')]);
    assert.deepEqual(
      [loose.code, loose.out, loose.err],
      [
        1,
        '',
        `keys: ${p('k/private.pem')} is accessible by group or others (mode 0644); run: chmod 600 ${p('k/private.pem')}`,
      ],
    );
    await chmod(p('k/private.pem'), 0o600);
    const bad = await run(['sign', p('bad.json'), '--key', p('k/private.pem')]);
    assert.deepEqual(
      [bad.code, bad.out, bad.err],
      [1, '', 'sensors.0.colour: unknown key\nsign: refusing to sign an invalid document'],
    );
  });

  it('verify names a wrong key; render names a missing password', async () => {
    assert.equal((await run(['keygen', '--out', p('k1')])).code, 0);
    assert.equal((await run(['keygen', '--out', p('k2')])).code, 0);
    assert.equal((await run(['sign', p('doc.json'), '--key', p('k1/private.pem'), '--out', p('s.json')])).code, 0);
    const wrong = await run(['verify', p('s.json'), '--pub', p('k2/public.pem')]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /^verify: wrong key id [0-9a-f]{16} \(pinned key is [0-9a-f]{16}\)$/);
    const templates = new URL('../templates', import.meta.url).pathname;
    const r = await run(['render', '--site', 'suwon', '--agent', 'suwon-gw-01', '--templates', templates]);
    assert.deepEqual([r.code, r.err], [1, 'central.password: required']);
  });
});
