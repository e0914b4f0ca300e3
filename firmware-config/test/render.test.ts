import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { contentVersion } from '../src/canonical.js';
import { render } from '../src/render.js';
import { AGENT_VAR } from './fixtures.js';

const REPO_TEMPLATES = new URL('../templates', import.meta.url).pathname;
const CONTRACT_SITES = `suwon seongnam uijeongbu anyang bucheon gwangmyeong pyeongtaek dongducheon ansan goyang gwacheon
  guri namyangju osan siheung gunpo uiwang hanam yongin paju icheon anseong gimpo hwaseong gwangju yangju pocheon
  yeoju yeoncheon gapyeong yangpyeong`.split(/\s+/);

describe('render', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwanje-render-'));
    await mkdir(join(dir, 'sites'));
    await mkdir(join(dir, 'agents'));
    await writeFile(
      join(dir, 'sites', 'osan.json'),
      JSON.stringify({
        central: { url: 'mqtt://center:1883', username: `${AGENT_VAR}` },
        field: { url: 'mqtt://127.0.0.1:1883' },
        dataDir: '/var/lib/gwanje',
        drivers: [{ id: 'field', type: 'mqtt' }],
        sensors: [{ sensorId: `${AGENT_VAR}-ch4-1`, metric: 'gas', gas: 'CH4', unit: '%LEL', intervalMs: 5000 }],
        outputs: [{ id: 'siren', type: 'mqtt', topic: 'outputs/siren' }],
      }),
    );
    await writeFile(
      join(dir, 'agents', 'osan-gw-02.json'),
      JSON.stringify({
        siteId: 'osan',
        sensors: [
          { sensorId: `${AGENT_VAR}-ch4-1`, intervalMs: 1000 },
          { sensorId: `${AGENT_VAR}-co-1`, metric: 'gas', gas: 'CO', unit: 'ppm' },
        ],
        outputs: [{ id: 'siren', $remove: true }],
      }),
    );
    await writeFile(
      join(dir, 'agents', 'osan-gw-03.json'),
      JSON.stringify({ siteId: 'osan', sensors: [{ sensorId: 'bad', metric: 'gas', unit: 'C' }] }),
    );
    await writeFile(join(dir, 'agents', 'osan-gw-04.json'), JSON.stringify({ siteId: 'hanam' }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges template <- overlay <- secrets, fills identity and stamps a content version', async () => {
    const r = await render({
      site: 'osan',
      agent: 'osan-gw-02',
      templatesDir: dir,
      secrets: { central: { password: 'pw' } },
    });
    assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
    const d = r.document;
    assert.equal(d.siteId, 'osan');
    assert.equal(d.agentId, 'osan-gw-02');
    assert.deepEqual(d.central, { url: 'mqtt://center:1883', username: 'osan-gw-02', password: 'pw' });
    assert.deepEqual(
      d.sensors.map((s) => [s.sensorId, s.intervalMs]),
      [
        ['osan-gw-02-ch4-1', 1000],
        ['osan-gw-02-co-1', undefined],
      ],
    );
    assert.deepEqual(d.outputs, []);
    assert.equal(d.version, contentVersion(d as unknown as Record<string, unknown>));
    const again = await render({
      site: 'osan',
      agent: 'osan-gw-02',
      templatesDir: dir,
      secrets: { central: { password: 'pw' } },
    });
    assert.equal(again.ok && again.document.version, d.version, 'same inputs, same version');
  });

  it('reports validation errors of the rendered document and identity mix-ups', async () => {
    const bad = await render({
      site: 'osan',
      agent: 'osan-gw-03',
      templatesDir: dir,
      secrets: { central: { password: 'pw' } },
    });
    assert.deepEqual(bad.ok ? [] : bad.errors, [
      'sensors.1.gas: required when metric is gas',
      'sensors.1.unit: "C" does not fit metric gas (use %LEL, ppm, %vol)',
    ]);
    const wrongSite = await render({ site: 'osan', agent: 'osan-gw-04', templatesDir: dir });
    assert.deepEqual(wrongSite.ok ? [] : wrongSite.errors, [
      'overlay.siteId: agent osan-gw-04 belongs to site "hanam", not osan',
    ]);
    const missing = await render({ site: 'osan', agent: 'osan-gw-99', templatesDir: dir });
    assert.deepEqual(missing.ok ? [] : missing.errors, [`overlay: no file ${join(dir, 'agents', 'osan-gw-99.json')}`]);
    const noPassword = await render({ site: 'osan', agent: 'osan-gw-02', templatesDir: dir });
    assert.deepEqual(noPassword.ok ? [] : noPassword.errors, ['central.password: required']);
  });

  it('ships a template for each of the 31 CONTRACT sites that renders a valid document', async () => {
    const files = (await readdir(join(REPO_TEMPLATES, 'sites'))).sort();
    assert.deepEqual(files, CONTRACT_SITES.map((s) => `${s}.json`).sort());
    const agentsDir = join(dir, 'each');
    await mkdir(join(agentsDir, 'agents'), { recursive: true });
    for (const site of CONTRACT_SITES) {
      // The repo's site templates with a minimal overlay of one gas sensor per agent.
      await writeFile(
        join(agentsDir, 'agents', `${site}-gw-01.json`),
        JSON.stringify({ sensors: [{ sensorId: `${AGENT_VAR}-ch4-1`, metric: 'gas', gas: 'CH4', unit: '%LEL' }] }),
      );
    }
    await rm(join(agentsDir, 'sites'), { force: true, recursive: true });
    const { symlink } = await import('node:fs/promises');
    await symlink(join(REPO_TEMPLATES, 'sites'), join(agentsDir, 'sites'));
    for (const site of CONTRACT_SITES) {
      const r = await render({
        site,
        agent: `${site}-gw-01`,
        templatesDir: agentsDir,
        secrets: { central: { password: 'p' } },
      });
      assert.ok(r.ok, `${site}: ${r.ok ? '' : r.errors.join('; ')}`);
      assert.equal(r.document.outputs[0]?.topic, `outputs/${site}/siren`);
    }
  });

  it('renders the example overlays shipped in the repository', async () => {
    for (const [site, agent] of [
      ['suwon', 'suwon-gw-01'],
      ['ansan', 'ansan-gw-01'],
    ]) {
      const r = await render({ site, agent, templatesDir: REPO_TEMPLATES, secrets: { central: { password: 'p' } } });
      assert.ok(r.ok, `${agent}: ${r.ok ? '' : r.errors.join('; ')}`);
    }
  });
});
