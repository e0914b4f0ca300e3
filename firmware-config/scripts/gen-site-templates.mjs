#!/usr/bin/env node
// Writes templates/sites/{siteId}.json for every site: from seed/gyeonggi-sites.json when present
// (sites are data), else the 31 Gyeonggi sites of CONTRACT "Identifiers". Existing templates are
// kept (they may have been edited by hand) unless --force.
// Usage: node firmware-config/scripts/gen-site-templates.mjs [--seed file] [--out dir] [--force]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const here = new URL('.', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: join(here, '../../seed/gyeonggi-sites.json') },
    out: { type: 'string', default: join(here, '../templates/sites') },
    force: { type: 'boolean', default: false },
  },
});

const CONTRACT_SITES = `suwon seongnam uijeongbu anyang bucheon gwangmyeong pyeongtaek dongducheon ansan goyang
  gwacheon guri namyangju osan siheung gunpo uiwang hanam yongin paju icheon anseong gimpo hwaseong
  gwangju yangju pocheon yeoju yeoncheon gapyeong yangpyeong`.split(/\s+/);

function siteIds() {
  if (!existsSync(values.seed)) return CONTRACT_SITES;
  const seed = JSON.parse(readFileSync(values.seed, 'utf8'));
  const list = Array.isArray(seed) ? seed : seed.sites;
  if (!Array.isArray(list)) throw new Error(`gen-site-templates: ${values.seed} has no site list`);
  return list.map((s) => (typeof s === 'string' ? s : s.siteId));
}

/** What every agent of a site shares; per-agent overlays add sensors, cameras and drivers. */
function template(siteId) {
  return {
    siteId,
    central: {
      url: 'mqtts://gwanje-center:8883',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a render placeholder, filled per agent
      username: '${agentId}',
      videoUrl: 'https://gwanje-center',
      configPublicKeyFile: '/etc/gwanje/center-public.pem',
    },
    field: { url: 'mqtt://127.0.0.1:1883' },
    dataDir: '/var/lib/gwanje',
    drivers: [{ id: 'field', type: 'mqtt' }],
    sensors: [],
    cameras: [],
    outputs: [{ id: 'siren', type: 'mqtt', topic: `outputs/${siteId}/siren`, on: ['gas-high', 'flame', 'smoke'] }],
    buffer: { maxBytes: 256 * 1024 * 1024 },
    logging: { level: 'info' },
  };
}

mkdirSync(values.out, { recursive: true });
let written = 0;
const ids = siteIds();
for (const siteId of ids) {
  const file = join(values.out, `${siteId}.json`);
  if (existsSync(file) && !values.force) continue;
  writeFileSync(file, `${JSON.stringify(template(siteId), null, 2)}\n`);
  written++;
}
console.log(`gen-site-templates: ${ids.length} sites, ${written} templates written to ${values.out}`);
