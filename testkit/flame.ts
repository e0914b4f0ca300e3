/**
 * A synthetic flame region for camera tests (issue 23): flame pixels cut from held-out labelled
 * images and animated (flicker, stretch), written as a PNG sequence with alpha that GStreamer's
 * compositor lays over its test pattern (rtsp.ts `flame` option). A procedural flame (noise-shaped
 * tongue, flame palette) was tried first: the learned model scores it ~0, as it should score a
 * drawing; this is real flame texture on a synthetic scene. Deterministic.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isFireColour } from '@gwanje/vision';

/**
 * Flame crops from the held-out test folder of the shared libreyolo set (never used in training):
 * the four largest labelled fire boxes, as `[file stem, cx, cy, w, h]` (YOLO, normalised).
 */
const FLAMES: Array<[string, number, number, number, number]> = [
  ['flare_0125_jpg.rf.f3698415a3f3fdaacfc42c055ea5a5c4', 0.462389, 0.463936, 0.67109, 0.43277],
  ['flare_0217_jpg.rf.c7d3f21fb4751fc3c7a680bd0b27f517', 0.69018, 0.470963, 0.469375, 0.495168],
  ['flare_0028_jpg.rf.f27f324c57c833b85df2c84c5289f4da', 0.410111, 0.380898, 0.44566, 0.510109],
  ['flare_0074_jpg.rf.3df2e6862c58668fae6bec315dca868f', 0.448695, 0.376779, 0.361703, 0.513855],
];

async function rawCrop(file: string, box: number[], w: number, h: number): Promise<Uint8Array> {
  const [cx, cy, bw, bh] = box;
  const crop = `crop=iw*${bw}:ih*${bh}:iw*${cx - bw / 2}:ih*${cy - bh / 2},scale=${w}:${h},format=rgb24`;
  const ff = spawn('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-i',
    file,
    '-vf',
    crop,
    '-f',
    'rawvideo',
    'pipe:1',
  ]);
  const out: Buffer[] = [];
  ff.stdout.on('data', (b: Buffer) => out.push(b));
  const code = await new Promise<number | null>((resolve) => ff.once('close', resolve));
  if (code !== 0) throw new Error(`flame: ffmpeg could not crop ${file}`);
  return new Uint8Array(Buffer.concat(out));
}

/**
 * RGBA frames of a flickering flame: real flame pixels (alpha where the pixel has flame colour,
 * vision's isFireColour), switching between four flames and stretched a little every frame, so
 * its outline changes as a flame's does.
 */
export async function flameFrames(sharedFire: string, w: number, h: number, count: number): Promise<Uint8Array[]> {
  const dir = join(sharedFire, 'libreyolo-fire-smoke/test/images');
  const crops = await Promise.all(FLAMES.map(([stem, ...box]) => rawCrop(join(dir, `${stem}.jpg`), box, w, h)));
  const frames: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const src = crops[Math.floor(k / 2) % crops.length];
    const stretch = 0.8 + 0.2 * Math.sin(k * 1.7);
    const out = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      const sy = Math.min(h - 1, Math.floor(h - 1 - (h - 1 - y) / stretch));
      if (sy < 0) continue;
      for (let x = 0; x < w; x++) {
        const i = (sy * w + x) * 3;
        const o = (y * w + x) * 4;
        out[o] = src[i];
        out[o + 1] = src[i + 1];
        out[o + 2] = src[i + 2];
        out[o + 3] = isFireColour(src[i], src[i + 1], src[i + 2]) ? 255 : 0;
      }
    }
    frames.push(out);
  }
  return frames;
}

/** Writes `count` frames at `fps` as `dir/flame-000.png`...; resolves with the printf pattern. */
export async function writeFlamePngs(
  sharedFire: string,
  dir: string,
  w: number,
  h: number,
  count: number,
  fps: number,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const pattern = join(dir, 'flame-%03d.png');
  const ff = spawn('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${w}x${h}`],
    ...['-r', String(fps), '-i', 'pipe:0', '-start_number', '0', pattern],
  ]);
  for (const f of await flameFrames(sharedFire, w, h, count)) ff.stdin.write(f);
  ff.stdin.end();
  const code = await new Promise<number | null>((resolve) => ff.once('close', resolve));
  if (code !== 0) throw new Error(`flame: ffmpeg exited ${code}`);
  return pattern;
}
