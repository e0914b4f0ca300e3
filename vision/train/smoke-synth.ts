/**
 * Procedural smoke clips and hard-negative clips for the smoke tracker (issue 23). No citable
 * smoke video can be had here (only npm and Debian packages are reachable; none ships one), so
 * these are synthesised, and the evaluation says so: a plume of fractal value noise rising from a
 * source near the ground and widening with height, white-grey or black, semi-transparent over a
 * procedural street scene (sky, buildings with windows, road); and scenes that must not raise
 * smoke: nothing happening, a grey car driving through, a grey van arriving and parking, fog
 * thickening over the whole view, the lights going down, clouds drifting across the sky, a person
 * walking. Every clip has per-pixel sensor noise. Seeded: a clip is the same on every run. Pure.
 */
import type { RgbFrame } from '../src/frame.js';
import { rng } from './synth.js';

export type SmokeClipKind =
  | 'smoke-white'
  | 'smoke-black'
  | 'static'
  | 'car'
  | 'parking'
  | 'fog'
  | 'dusk'
  | 'clouds'
  | 'person';
export const SMOKE_KINDS: SmokeClipKind[] = ['smoke-white', 'smoke-black'];
export const NEGATIVE_KINDS: SmokeClipKind[] = ['static', 'car', 'parking', 'fog', 'dusk', 'clouds', 'person'];

export interface SmokeClip {
  kind: SmokeClipKind;
  seed: number;
  /** Seconds (frame index at 1 frame/s) of the first frame with smoke; undefined for negatives. */
  smokeFrom?: number;
  frames: RgbFrame[];
}

const W = 448;
const H = 252;

/** 3-D value noise in [0, 1] with a seeded lattice (smooth in x, y and time). */
function valueNoise(seed: number): (x: number, y: number, z: number) => number {
  const perm = new Uint8Array(512);
  const r = rng(seed);
  const p = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 255; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  for (let i = 0; i < 512; i++) perm[i] = p[i & 255];
  const h = (x: number, y: number, z: number) => perm[(perm[(perm[x & 255] + y) & 511] + z) & 511] / 255;
  const s = (t: number) => t * t * (3 - 2 * t);
  return (x, y, z) => {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const zi = Math.floor(z);
    const u = s(x - xi);
    const v = s(y - yi);
    const w = s(z - zi);
    const l = (a: number, b: number, t: number) => a + (b - a) * t;
    const c = (dz: number) =>
      l(l(h(xi, yi, zi + dz), h(xi + 1, yi, zi + dz), u), l(h(xi, yi + 1, zi + dz), h(xi + 1, yi + 1, zi + dz), u), v);
    return l(c(0), c(1), w);
  };
}

/** A street scene: sky gradient, buildings with window grids, a road. Float RGB, 0-255. */
function street(r: () => number): Float32Array {
  const img = new Float32Array(W * H * 3);
  const horizon = Math.floor(H * (0.35 + r() * 0.2));
  const sky = [120 + r() * 80, 150 + r() * 60, 190 + r() * 60];
  const road = [70 + r() * 50, 70 + r() * 50, 75 + r() * 50];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const c = y < horizon ? sky.map((v) => v - (horizon - y) * 0.25) : road.map((v) => v + (y - horizon) * 0.1);
      img.set(c, o);
    }
  let x = 0;
  while (x < W) {
    const bw = 40 + Math.floor(r() * 80);
    const top = Math.floor(horizon * (0.2 + r() * 0.6));
    const base = [90 + r() * 120, 80 + r() * 110, 70 + r() * 100];
    for (let y = top; y < horizon + 10; y++)
      for (let xx = x; xx < Math.min(W, x + bw); xx++) {
        const win = (xx - x) % 12 > 3 && (xx - x) % 12 < 9 && (y - top) % 14 > 4 && (y - top) % 14 < 10;
        img.set(win ? [40 + base[0] * 0.2, 50 + base[1] * 0.2, 70 + base[2] * 0.3] : base, (y * W + xx) * 3);
      }
    x += bw + Math.floor(r() * 10);
  }
  return img;
}

function toFrame(img: Float32Array, r: () => number, noise = 8): RgbFrame {
  const d = new Uint8Array(img.length);
  for (let i = 0; i < img.length; i++) {
    const v = img[i] + (r() - 0.5) * noise;
    d[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { width: W, height: H, data: d };
}

function rect(img: Float32Array, x0: number, y0: number, w: number, h: number, rgb: number[], a = 1): void {
  for (let y = Math.max(0, Math.round(y0)); y < Math.min(H, Math.round(y0 + h)); y++)
    for (let x = Math.max(0, Math.round(x0)); x < Math.min(W, Math.round(x0 + w)); x++) {
      const o = (y * W + x) * 3;
      for (let c = 0; c < 3; c++) img[o + c] += (rgb[c] - img[o + c]) * a;
    }
}

/** Smoke density 0..1 at (x, y) `age` seconds after it started, from a source at (sx, sy). */
function plume(noise: ReturnType<typeof valueNoise>, sx: number, sy: number, age: number, rise: number) {
  const height = Math.min(sy * 0.95, 12 + rise * age);
  return (x: number, y: number, t: number): number => {
    const up = sy - y;
    if (up < 0 || up > height) return 0;
    const half = 6 + up * 0.45;
    const across = (x - sx - Math.sin(up / 40 + t * 0.3) * up * 0.15) / half;
    if (Math.abs(across) > 1.6) return 0;
    const env = Math.exp(-across * across * 1.5) * Math.min(1, (height - up) / 25 + 0.2);
    const f =
      noise(x / 28, (y + t * rise) / 28, t * 0.35) * 0.55 +
      noise(x / 12, (y + t * rise) / 12, t * 0.6 + 7) * 0.3 +
      noise(x / 5, (y + t * rise) / 5, t + 13) * 0.15;
    return Math.max(0, Math.min(1, env * (f * 1.6 - 0.25)));
  };
}

/** One clip of `seconds` frames at 1 frame/s (as the gateway samples a camera). */
export function smokeClip(kind: SmokeClipKind, seed: number, seconds = 20): SmokeClip {
  const r = rng(seed * 7919 + kind.length);
  const bg = street(r);
  const noise = valueNoise(seed);
  const from = 4 + Math.floor(r() * 4);
  const sx = 60 + r() * (W - 120);
  const sy = H * (0.6 + r() * 0.3);
  const rise = 6 + r() * 8;
  const opacity = 0.55 + r() * 0.35;
  const tone =
    kind === 'smoke-black'
      ? [45 + r() * 30, 45 + r() * 30, 48 + r() * 30]
      : [190 + r() * 50, 190 + r() * 50, 195 + r() * 50];
  const grey = 90 + r() * 80;
  const carY = H * (0.7 + r() * 0.15);
  const frames: RgbFrame[] = [];
  for (let t = 0; t < seconds; t++) {
    const img = bg.slice();
    if (kind === 'smoke-white' || kind === 'smoke-black') {
      if (t >= from) {
        const d = plume(noise, sx, sy, t - from + 1, rise);
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const a = d(x, y, t) * opacity;
            if (a <= 0.01) continue;
            const o = (y * W + x) * 3;
            for (let c = 0; c < 3; c++) img[o + c] += (tone[c] - img[o + c]) * a;
          }
      }
    } else if (kind === 'car') {
      rect(img, -80 + t * 40, carY - 28, 80, 28, [grey, grey, grey + 5]);
      rect(img, -70 + t * 40, carY - 24, 22, 10, [30, 35, 40]);
    } else if (kind === 'parking') {
      const x = Math.min(sx - 50, -120 + t * 45);
      rect(img, x, carY - 60, 110, 60, [grey, grey, grey + 4]);
      rect(img, x + 8, carY - 52, 30, 16, [30, 35, 40]);
    } else if (kind === 'fog') {
      const a = Math.min(0.8, Math.max(0, (t - from) * 0.07));
      for (let i = 0; i < img.length; i++) img[i] += (205 - img[i]) * a;
    } else if (kind === 'dusk') {
      const k = t < from ? 1 : Math.max(0.35, 1 - (t - from) * 0.08);
      for (let i = 0; i < img.length; i++) img[i] *= k;
    } else if (kind === 'clouds') {
      const horizon = H * 0.35;
      for (let y = 0; y < horizon; y++)
        for (let x = 0; x < W; x++) {
          const n = noise((x - t * 6) / 40, y / 25, t * 0.05);
          const a = Math.max(0, n * 1.4 - 0.55) * 0.9;
          const o = (y * W + x) * 3;
          for (let c = 0; c < 3; c++) img[o + c] += (235 - img[o + c]) * a;
        }
    } else if (kind === 'person') {
      const px = 20 + t * 18;
      rect(img, px, carY - 50, 12, 38, [grey * 0.6, grey * 0.6, grey * 0.65]);
      rect(img, px + 2, carY - 60, 8, 9, [180, 140, 120]);
    }
    frames.push(toFrame(img, r));
  }
  return { kind, seed, smokeFrom: SMOKE_KINDS.includes(kind) ? from : undefined, frames };
}
