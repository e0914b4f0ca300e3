/**
 * Writes the held-out split (sources.ts) as files, so the evaluation CLI reproduces the held-out
 * figures through the product's own decoding path:
 *   node --import tsx vision/train/export-heldout.ts <dir>
 *   FIRE_IMAGES=<dir> FIRE_LABELS=<dir>/labels.csv FIRE_OUT=/tmp/heldout.csv node --import tsx bench/fire/fire.ts
 * Links to the libreyolo test images and the mate-backgrounds wallpapers, PNGs of every 30th FURG
 * frame, of the held-out synthetic seeds and of the held-out simulator frames.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbFrame } from '../src/frame.js';
import { debian, libreyolo, synthetic } from './sources.js';
import { synthNegative } from './synth.js';

const out = process.argv[2];
if (!out) throw new Error('usage: export-heldout.ts <dir>');
const shared = process.env.FIRE_SHARED ?? join(dirname(fileURLToPath(import.meta.url)), '../../../shared/fire');
mkdirSync(out, { recursive: true });
const labels: string[] = [];

function png(name: string, f: RgbFrame): void {
  const r = spawnSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${f.width}x${f.height}`,
      '-i',
      'pipe:0',
      join(out, name),
    ],
    { input: f.data },
  );
  if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
}

for (const it of [...libreyolo(join(shared, 'libreyolo-fire-smoke')), ...debian()].filter(
  (x) => x.split === 'heldout',
)) {
  const name = `${it.source}-${basename(it.path)}`;
  symlinkSync(it.path, join(out, name));
  labels.push(`${name},${it.positive ? 1 : 0}`);
}
for (const it of synthetic(60).filter((x) => x.split === 'heldout')) {
  const [, kind, seed] = it.path.split(':');
  const name = `synth-${kind}-${seed}.png`;
  png(name, synthNegative(kind as 'sunset', Number(seed)));
  labels.push(`${name},0`);
}
const furg = spawnSync('ffmpeg', [
  '-loglevel',
  'error',
  '-y',
  '-i',
  join(shared, 'furg/house6.mp4'),
  '-vf',
  "select='not(mod(n\\,30))'",
  '-fps_mode',
  'passthrough',
  '-start_number',
  '0',
  join(out, 'furg-%02d.png'),
]);
if (furg.status !== 0) throw new Error(`ffmpeg: ${furg.stderr}`);
for (let i = 0; i < 30; i++) labels.push(`furg-${String(i).padStart(2, '0')}.png,1`);
// Held-out simulator frames: seconds 2k+1 for k % 4 === 3 of two minutes of testsrc2 (train.ts SIM_FRAMES).
const sim = spawnSync('ffmpeg', [
  '-loglevel',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=640x360:rate=15',
  '-t',
  '120',
  '-vf',
  "select='not(mod(n\\,15))'",
  '-fps_mode',
  'passthrough',
  '-start_number',
  '0',
  join(out, 'simcam-%03d.png'),
]);
if (sim.status !== 0) throw new Error(`ffmpeg: ${sim.stderr}`);
for (let k = 3; k < 60; k += 4) labels.push(`simcam-${String(2 * k + 1).padStart(3, '0')}.png,0`);
writeFileSync(join(out, 'labels.csv'), `file,label\n${labels.join('\n')}\n`);
console.log(
  `${labels.length} labelled held-out images in ${out} (${
    readFileSync(join(out, 'labels.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.endsWith(',1')).length
  } fire)`,
);
