/**
 * Evaluation CLI of the camera fire detector (issue 23), on any labelled images or video:
 *
 *   FIRE_IMAGES=<dir> FIRE_LABELS=<csv file,label> FIRE_OUT=<csv> node --import tsx bench/fire/fire.ts
 *     scores every image under <dir> (jpg, jpeg, png, webp, bmp; subfolders too) and writes
 *     `file,score,flagged` (flagged = the product's decision at its fixed threshold) to FIRE_OUT;
 *     prints AUC, recall and false-positive rate over the images the labels name. Labels: 1, fire,
 *     smoke, true, yes, positive = fire; 0, nofire, none, normal, false, no, negative = not; a
 *     header line is skipped; `file` is the path relative to <dir> or the bare file name.
 *
 *   FIRE_VIDEO=<mp4> FIRE_VIDEO_XML=<opencv xml> [FIRE_OUT=<csv>] node --import tsx bench/fire/fire.ts
 *     samples the video as the product samples a camera (FIRE_VIDEO_FPS, default 1 frame/s), runs
 *     the per-camera tracker, writes `frame,time_s,score,flagged,fire,annotated` and prints the
 *     time from the first annotated frame to the first confirmed fire.
 *
 * Results are also written to bench/results/fire.json (FIRE_RESULTS to change).
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FireTracker } from '@gwanje/vision';
import { decodeImage, decodeVideo, loadFireScorer } from '@gwanje/vision/node';
import { auc, rates } from '../../vision/train/metrics.js';
import { furgBoxes } from '../../vision/train/sources.js';

const WIDTH = 448;
const HEIGHT = 252;
const here = dirname(fileURLToPath(import.meta.url));
const RESULTS = process.env.FIRE_RESULTS ?? join(here, '../results/fire.json');

const POS = new Set(['1', 'fire', 'smoke', 'true', 'yes', 'positive', 'flame']);
const NEG = new Set(['0', 'nofire', 'no-fire', 'no_fire', 'none', 'normal', 'false', 'no', 'negative', 'neutral']);

function listImages(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return listImages(p);
      return /\.(jpe?g|png|webp|bmp)$/i.test(n) ? [p] : [];
    });
}

function readLabels(file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    if (cells.length < 2 || !cells[0]) continue;
    const v = cells[cells.length - 1].toLowerCase();
    if (POS.has(v)) out.set(cells[0], 1);
    else if (NEG.has(v)) out.set(cells[0], 0);
  }
  return out;
}

function save(result: Record<string, unknown>): void {
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2)}\n`);
}

async function images(dir: string): Promise<void> {
  const scorer = await loadFireScorer();
  const labels = process.env.FIRE_LABELS ? readLabels(process.env.FIRE_LABELS) : new Map<string, number>();
  const rows: string[] = ['file,score,flagged'];
  const s: number[] = [];
  const y: number[] = [];
  let failed = 0;
  const t0 = process.cpuUsage();
  const files = listImages(dir);
  for (const path of files) {
    const rel = relative(dir, path);
    let score = 0;
    try {
      score = scorer.score(await decodeImage(path, WIDTH)).score;
    } catch (err) {
      failed++;
      console.error(`fire: ${rel}: ${(err as Error).message}`);
    }
    const flagged = score >= scorer.head.threshold;
    rows.push(`${rel.includes(',') ? `"${rel}"` : rel},${score.toFixed(5)},${flagged ? 1 : 0}`);
    const label = labels.get(rel) ?? labels.get(basename(rel));
    if (label !== undefined) {
      s.push(score);
      y.push(label);
    }
  }
  const cpu = process.cpuUsage(t0);
  if (process.env.FIRE_OUT) writeFileSync(process.env.FIRE_OUT, `${rows.join('\n')}\n`);
  const r = rates(s, y, scorer.head.threshold);
  const result = {
    mode: 'images',
    dir,
    images: files.length,
    labelled: s.length,
    failed,
    positives: r.pos,
    negatives: r.neg,
    threshold: scorer.head.threshold,
    auc: auc(s, y),
    recall: r.recall,
    fpr: r.fpr,
    cpuMsPerImage: (cpu.user + cpu.system) / 1000 / Math.max(1, files.length),
  };
  console.log(
    `images ${files.length} (labelled ${s.length}: ${r.pos} fire, ${r.neg} not)  AUC ${result.auc.toFixed(3)}  ` +
      `threshold ${scorer.head.threshold.toFixed(3)}: recall ${r.recall.toFixed(3)} (${r.tp}/${r.pos})  FPR ${r.fpr.toFixed(3)} (${r.fp}/${r.neg})`,
  );
  save(result);
}

async function video(path: string): Promise<void> {
  const scorer = await loadFireScorer();
  const fpsOut = Number(process.env.FIRE_VIDEO_FPS ?? 1);
  const fps = Number(process.env.FIRE_VIDEO_RATE ?? 0) || (await frameRate(path));
  const step = Math.max(1, Math.round(fps / fpsOut));
  const boxes = process.env.FIRE_VIDEO_XML ? furgBoxes(readFileSync(process.env.FIRE_VIDEO_XML, 'utf8')) : new Map();
  const firstAnnotated = [...boxes.entries()]
    .filter(([, b]) => b.length > 0)
    .map(([n]) => n)
    .sort((a, b) => a - b)[0];
  const tracker = new FireTracker();
  const rows = ['frame,time_s,score,flagged,fire,annotated'];
  let firstFire: number | undefined;
  let firstFlag: number | undefined;
  const frames = await decodeVideo(path, WIDTH, HEIGHT, step);
  for (const { index, frame } of frames) {
    const t = index / fps;
    const st = tracker.observe(frame, scorer, t * 1000);
    if (st.flagged && firstFlag === undefined) firstFlag = index;
    if (st.fire && firstFire === undefined) firstFire = index;
    const annotated = (boxes.get(index)?.length ?? 0) > 0 ? 1 : 0;
    rows.push(`${index},${t.toFixed(3)},${st.score.toFixed(5)},${st.flagged ? 1 : 0},${st.fire ? 1 : 0},${annotated}`);
  }
  if (process.env.FIRE_OUT) writeFileSync(process.env.FIRE_OUT, `${rows.join('\n')}\n`);
  const ttfd = firstFire !== undefined && firstAnnotated !== undefined ? (firstFire - firstAnnotated) / fps : undefined;
  const result = {
    mode: 'video',
    video: path,
    fps,
    sampledFps: fps / step,
    sampled: frames.length,
    firstAnnotatedFrame: firstAnnotated,
    firstFlaggedFrame: firstFlag,
    firstFireFrame: firstFire,
    timeToFirstDetectionS: ttfd,
    threshold: scorer.head.threshold,
  };
  console.log(
    `video ${basename(path)} at ${fps.toFixed(2)} fps: sampled ${frames.length} at ${(fps / step).toFixed(2)} fps; ` +
      `first annotated frame ${firstAnnotated ?? '-'}, first flagged ${firstFlag ?? '-'}, fire confirmed at frame ${firstFire ?? '-'}` +
      (ttfd !== undefined ? `: time to first detection ${ttfd.toFixed(2)} s` : ''),
  );
  save(result);
}

async function frameRate(path: string): Promise<number> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', path],
    { encoding: 'utf8' },
  );
  const [a, b] = r.stdout.trim().split('/').map(Number);
  return b ? a / b : a || 25;
}

if (process.env.FIRE_VIDEO) await video(process.env.FIRE_VIDEO);
else if (process.env.FIRE_IMAGES) await images(process.env.FIRE_IMAGES);
else {
  console.error(
    'fire: set FIRE_IMAGES (and FIRE_LABELS, FIRE_OUT) or FIRE_VIDEO (and FIRE_VIDEO_XML); see the header of bench/fire/fire.ts',
  );
  process.exit(2);
}
