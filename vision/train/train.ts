/**
 * Trains the fire head (issue 23) and writes vision/model/fire-head.json:
 *   apt-get install -y plasma-workspace-wallpapers gnome-backgrounds mate-backgrounds \
 *     ukui-wallpapers lomiri-wallpapers-20.04 sway-backgrounds
 *   node --import tsx vision/train/train.ts
 * FIRE_SHARED (default ../shared/fire beside the repository) holds the shared sets. Backbone
 * features are cached under FIRE_CACHE (default /tmp/gwanje-fire-cache); the held-out split
 * (sources.ts) never reaches training or the threshold choice, and is reported at the end.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackbone } from '../src/backbone.js';
import type { RgbFrame } from '../src/frame.js';
import type { FireHead } from '../src/head.js';
import { readBackboneFiles } from '../src/node/backbone-files.js';
import { decodeImage, decodeVideo } from '../src/node/decode.js';
import { loadTf } from '../src/node/tensorflow.js';
import { featureRows, frameScore } from '../src/scorer.js';
import { type Example, examplesOf } from './examples.js';
import { fitLogistic } from './logistic.js';
import { auc, rates } from './metrics.js';
import { debian, furgBoxes, type ImageItem, libreyolo, synthetic, warmed } from './sources.js';
import { synthNegative, warmGrade } from './synth.js';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.FIRE_SHARED ?? join(here, '../../../shared/fire');
const CACHE = process.env.FIRE_CACHE ?? '/tmp/gwanje-fire-cache';
const SIZE = Number(process.env.FIRE_INPUT ?? 128);
const WIDTH = 448;
/** Simulator frames used: odd seconds 1..119, each with the frame a second before as the previous one. */
const SIM_FRAMES = 60;
const OUT = process.env.FIRE_HEAD_OUT ?? join(here, '../model/fire-head.json');

interface Row {
  item: number;
  ex: Example;
  feat: Float32Array;
}

async function framesOf(items: ImageItem[]): Promise<Map<string, RgbFrame>> {
  const frames = new Map<string, RgbFrame>();
  const furg = await decodeVideo(join(SHARED, 'furg/house6.mp4'), WIDTH, 252, 30);
  for (const { index, frame } of furg) frames.set(`furg:${index}`, frame);
  // The simulator's cameras (testsrc2 640x360 15 fps), one frame a second for two minutes.
  const sim = await decodeVideo(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15', '-t', '120'], WIDTH, 252, 15);
  for (const { index, frame } of sim) frames.set(`simcam:${index / 15}`, frame);
  for (const it of items) {
    if (frames.has(it.path)) continue;
    if (it.path.startsWith('warm:')) {
      const [, seed, ...rest] = it.path.split(':');
      frames.set(it.path, warmGrade(await decodeImage(rest.join(':'), WIDTH), Number(seed)));
    } else if (it.path.startsWith('synth:')) {
      const [, kind, seed] = it.path.split(':');
      frames.set(it.path, synthNegative(kind as 'sunset', Number(seed)));
    } else frames.set(it.path, await decodeImage(it.path, WIDTH));
  }
  return frames;
}

function allItems(): ImageItem[] {
  const xml = readFileSync(join(SHARED, 'furg/house6.xml'), 'utf8');
  const boxes = furgBoxes(xml);
  const furg: ImageItem[] = [...boxes.keys()]
    .filter((n) => n % 30 === 0)
    .map((n) => ({
      source: 'furg',
      split: 'heldout',
      path: `furg:${n}`,
      boxes: (boxes.get(n) ?? []).map((box) => ({ cls: 'fire', box })),
      positive: (boxes.get(n) ?? []).length > 0,
    }));
  const sim: ImageItem[] = Array.from({ length: SIM_FRAMES }, (_, k) => ({
    source: 'simcam',
    split: k % 4 === 3 ? 'heldout' : 'train',
    path: `simcam:${2 * k + 1}`,
    boxes: [],
    positive: false,
  }));
  const deb = debian();
  return [
    ...libreyolo(join(SHARED, 'libreyolo-fire-smoke')),
    ...furg,
    ...sim,
    ...deb,
    ...warmed(deb),
    ...synthetic(60),
  ];
}

async function features(items: ImageItem[]): Promise<Row[]> {
  const cacheFile = join(CACHE, `features-${SIZE}.json`);
  mkdirSync(CACHE, { recursive: true });
  const cached = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, number[]>) : {};
  const tf = await loadTf();
  const backbone = await createBackbone(tf, await readBackboneFiles(), SIZE);
  const frames = await framesOf(items);
  const rows: Row[] = [];
  let computed = 0;
  for (const [i, it] of items.entries()) {
    const frame = frames.get(it.path) as RgbFrame;
    const previous = it.source === 'simcam' ? frames.get(`simcam:${Number(it.path.split(':')[1]) - 1}`) : undefined;
    const exs = examplesOf(frame, it.boxes, previous);
    const keys = exs.map(
      (e) => `${it.path}|${e.kind}|${[e.box.x, e.box.y, e.box.w, e.box.h].map(Math.round).join(',')}`,
    );
    const missing = exs.filter((_, k) => !cached[keys[k]]);
    if (missing.length) {
      const feats = featureRows(
        tf,
        backbone,
        frame,
        missing.map((e) => e.box),
        missing.map((e) => e.statsBox),
      );
      let m = 0;
      exs.forEach((_, k) => {
        if (!cached[keys[k]]) cached[keys[k]] = Array.from(feats[m++]);
      });
      computed += missing.length;
    }
    for (const [k, ex] of exs.entries()) rows.push({ item: i, ex, feat: Float32Array.from(cached[keys[k]]) });
  }
  if (computed) writeFileSync(cacheFile, JSON.stringify(cached));
  console.error(`features: ${rows.length} examples (${computed} computed) from ${items.length} images`);
  return rows;
}

/** Image score: the highest score among what the product scores (frame and crops, not the box crops). */
function imageScores(items: ImageItem[], rows: Row[], score: (f: Float32Array) => number): Map<number, number> {
  const byItem = new Map<number, Array<{ kind: 'frame' | 'crop'; score: number }>>();
  for (const r of rows) {
    if (r.ex.kind === 'box') continue;
    const list = byItem.get(r.item) ?? [];
    list.push({ kind: r.ex.kind, score: score(r.feat) });
    byItem.set(r.item, list);
  }
  return new Map(items.map((_, i) => [i, frameScore(byItem.get(i) ?? [])]));
}

async function main(): Promise<void> {
  const items = allItems();
  const rows = await features(items);
  const train = rows.filter((r) => items[r.item].split === 'train');
  const head0 = fitLogistic(
    train.map((r) => r.feat),
    train.map((r) => r.ex.label),
    { l2: Number(process.env.FIRE_L2 ?? 1) },
  );
  // Threshold from training images only, by 5-fold cross-validation over images: the lowest score
  // that keeps out-of-fold false positives at or below 5 %.
  const trainItems = [...new Set(train.map((r) => r.item))];
  const oof = new Map<number, number>();
  for (let k = 0; k < 5; k++) {
    const fold = new Set(trainItems.filter((_, j) => j % 5 === k));
    const fit = train.filter((r) => !fold.has(r.item));
    const m = fitLogistic(
      fit.map((r) => r.feat),
      fit.map((r) => r.ex.label),
      { l2: Number(process.env.FIRE_L2 ?? 1) },
    );
    const s = imageScores(
      items,
      rows.filter((r) => fold.has(r.item)),
      m.score,
    );
    for (const i of fold) oof.set(i, s.get(i) ?? 0);
  }
  const negOof = trainItems
    .filter((i) => !items[i].positive)
    .map((i) => oof.get(i) ?? 0)
    .sort((a, b) => b - a);
  const threshold = Math.min(0.95, Math.max(0.05, negOof[Math.floor(negOof.length * 0.05)] + 1e-6));
  const report = (name: string, sel: (it: ImageItem) => boolean, scores: Map<number, number>) => {
    const idx = items.map((_, i) => i).filter((i) => sel(items[i]));
    const y = idx.map((i) => (items[i].positive ? 1 : 0));
    const s = idx.map((i) => scores.get(i) ?? 0);
    const r = rates(s, y, threshold);
    console.log(
      `${name.padEnd(28)} n=${String(idx.length).padStart(4)} pos=${String(y.filter(Boolean).length).padStart(4)} AUC=${auc(s, y).toFixed(3)} recall=${r.recall.toFixed(3)} FPR=${r.fpr.toFixed(3)}`,
    );
  };
  console.log(`threshold ${threshold.toFixed(3)} (5 % out-of-fold FPR on training negatives)`);
  report('train out-of-fold', (it) => it.split === 'train', oof);
  const held = imageScores(items, rows, head0.score);
  report('held-out all', (it) => it.split === 'heldout', held);
  for (const src of [...new Set(items.filter((it) => it.split === 'heldout').map((it) => it.source))]) {
    report(`held-out ${src}`, (it) => it.split === 'heldout' && it.source === src, held);
  }
  if (process.env.FIRE_SCORES) {
    writeFileSync(
      process.env.FIRE_SCORES,
      items
        .map(
          (it, i) =>
            `${it.split},${it.source},${it.positive ? 1 : 0},${(it.split === 'train' ? oof : held).get(i)?.toFixed(4)},${it.path}`,
        )
        .join('\n'),
    );
  }
  report('held-out pos + hard neg', (it) => it.split === 'heldout' && (it.positive || it.source !== 'libreyolo'), held);
  const count = (split: string, pos: boolean) => items.filter((it) => it.split === split && it.positive === pos).length;
  const head: FireHead = {
    version: 1,
    inputSize: SIZE,
    inputs: head0.mean.length,
    mean: head0.mean,
    std: head0.std,
    weights: head0.weights,
    bias: head0.bias,
    threshold,
    trainedOn: {
      backbone: 'nsfwjs 4.4.0 mobilenet_v2, out_relu, global average pool',
      examples: train.length,
      images: {
        trainPositive: count('train', true),
        trainNegative: count('train', false),
        heldoutPositive: count('heldout', true),
        heldoutNegative: count('heldout', false),
      },
      sources: [...new Set(items.filter((it) => it.split === 'train').map((it) => it.source))],
      heldOut: [...new Set(items.filter((it) => it.split === 'heldout').map((it) => it.source))],
    },
  };
  if (process.env.FIRE_DRY !== '1') {
    writeFileSync(OUT, `${JSON.stringify(head)}\n`);
    console.log(`wrote ${OUT}`);
  }
}

await main();
