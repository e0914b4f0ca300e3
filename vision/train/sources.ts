/**
 * Training and evaluation data (issue 23), each item an image with its fire boxes (empty for a
 * negative) and the split it belongs to:
 * - `libreyolo`: "Fire and Smoke Segmentation" (Roboflow Universe, roboflow-universe-projects),
 *   CC BY 4.0, 201 images of gas flares with YOLO boxes (class 0 fire, 1 smoke); its own train and
 *   valid folders train, its test folder is held out.
 * - `furg`: FURG fire dataset house6.mp4 (CC0), a burning dolls' house; held out whole.
 * - `debian`: desktop wallpapers that Debian packages ship (plasma-workspace-wallpapers,
 *   gnome-backgrounds, ukui-wallpapers, sway-backgrounds, lomiri-wallpapers-20.04 train;
 *   mate-backgrounds, which has a real sunset over water, autumn leaves and orange flowers, is held
 *   out whole as unseen hard negatives).
 * - `simcam`: frames of the simulator's virtual cameras (ffmpeg testsrc2, colour bars and moving
 *   colours included), one a second for two minutes (train.ts).
 * - `synth`: synthetic sunsets, night lights, orange objects and flat views (synth.ts), seeds
 *   split 3:1; `warm`: the training wallpapers regraded to sunset tones.
 * - stellarium-data's landscape photos (fields, villages, sea) train beside the wallpapers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Box } from '../src/frame.js';

export type Split = 'train' | 'heldout';

export interface LabelledBox {
  cls: 'fire' | 'smoke';
  /** Normalised to the image: 0..1. */
  box: Box;
}

export interface ImageItem {
  source: string;
  split: Split;
  /** A file path, or `synth:<kind>:<seed>`. */
  path: string;
  boxes: LabelledBox[];
  positive: boolean;
}

export function libreyolo(root: string): ImageItem[] {
  const out: ImageItem[] = [];
  for (const folder of ['train', 'valid', 'test']) {
    const dir = join(root, folder, 'images');
    for (const name of readdirSync(dir).sort()) {
      const label = join(root, folder, 'labels', `${basename(name, extname(name))}.txt`);
      const boxes: LabelledBox[] = readFileSync(label, 'utf8')
        .split('\n')
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter((v) => v.length === 5 && v.every(Number.isFinite))
        .map(([c, cx, cy, w, h]) => ({ cls: c === 0 ? 'fire' : 'smoke', box: { x: cx - w / 2, y: cy - h / 2, w, h } }));
      out.push({
        source: 'libreyolo',
        split: folder === 'test' ? 'heldout' : 'train',
        path: join(dir, name),
        boxes,
        positive: boxes.some((b) => b.cls === 'fire' || b.cls === 'smoke'),
      });
    }
  }
  return out;
}

/** FURG's OpenCV-storage XML: per frame number, fire boxes `x y w h` in pixels. */
export function furgBoxes(xml: string): Map<number, Box[]> {
  const width = Number(/<frameWidth>(\d+)</.exec(xml)?.[1]);
  const height = Number(/<frameHeight>(\d+)</.exec(xml)?.[1]);
  const out = new Map<number, Box[]>();
  for (const m of xml.matchAll(/<frameNumber>(\d+)<\/frameNumber>\s*<annotations>([\s\S]*?)<\/annotations>/g)) {
    const boxes = [...m[2].matchAll(/<_>\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*<\/_>/g)].map((b) => ({
      x: Number(b[1]) / width,
      y: Number(b[2]) / height,
      w: Number(b[3]) / width,
      h: Number(b[4]) / height,
    }));
    out.set(Number(m[1]), boxes);
  }
  return out;
}

const IMAGE = /\.(jpe?g|png|webp)$/i;

export function imagesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return imagesUnder(p);
    return IMAGE.test(n) && statSync(p).size > 20_000 ? [p] : [];
  });
}

/** Wallpaper folders (installed by the Debian packages named above). */
export const WALLPAPERS = ['/usr/share/backgrounds', '/usr/share/wallpapers', '/usr/share/stellarium/landscapes'];
const HELDOUT_WALLPAPERS = '/mate/';

export function debian(): ImageItem[] {
  return WALLPAPERS.flatMap((d) => imagesUnder(d)).map((path) => ({
    source: path.includes(HELDOUT_WALLPAPERS) ? 'debian-mate' : 'debian',
    split: path.includes(HELDOUT_WALLPAPERS) ? 'heldout' : 'train',
    path,
    boxes: [],
    positive: false,
  }));
}

/** Warm-regraded copies of the training photos (synth.ts warmGrade), same split as their source. */
export function warmed(items: ImageItem[]): ImageItem[] {
  return items
    .filter((it) => it.source === 'debian')
    .map((it, i) => ({ ...it, source: 'warm', path: `warm:${2000 + i}:${it.path}` }));
}

export function synthetic(perKind: number): ImageItem[] {
  const out: ImageItem[] = [];
  for (const kind of ['sunset', 'lights', 'objects', 'flat']) {
    for (let i = 0; i < perKind; i++) {
      out.push({
        source: `synth-${kind}`,
        split: i % 4 === 3 ? 'heldout' : 'train',
        path: `synth:${kind}:${1000 + i}`,
        boxes: [],
        positive: false,
      });
    }
  }
  return out;
}
