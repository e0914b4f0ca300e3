/**
 * Synthetic hard negatives for training (issue 23: "hard negatives: sunsets, red lights,
 * reflections"; the shared sets have almost no negatives): warm skies with a sun disk and its
 * reflection on water, red/amber/sodium lights at night with glow and wet-road streaks, and flat
 * orange/red objects. Seeded, so a run is reproducible. Pure: returns frames.
 */
import seedrandom from 'seedrandom';
import type { RgbFrame } from '../src/frame.js';

export type SynthKind = 'sunset' | 'lights' | 'objects' | 'flat';

/** A seeded random source in [0, 1) (seedrandom's ARC4). */
export function rng(seed: number): () => number {
  return seedrandom(String(seed));
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;
const c8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

class Canvas {
  readonly data: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Float32Array(width * height * 3);
  }
  add(x: number, y: number, r: number, g: number, b: number, a = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = (y * this.width + x) * 3;
    this.data[o] = lerp(this.data[o], r, a);
    this.data[o + 1] = lerp(this.data[o + 1], g, a);
    this.data[o + 2] = lerp(this.data[o + 2], b, a);
  }
  glow(cx: number, cy: number, radius: number, rgb: number[], halo: number): void {
    const reach = Math.ceil(radius * halo);
    for (let y = Math.floor(cy - reach); y <= cy + reach; y++) {
      for (let x = Math.floor(cx - reach); x <= cx + reach; x++) {
        const d = Math.hypot(x - cx, y - cy);
        if (d > reach) continue;
        const core = d <= radius;
        const a = core ? 1 : Math.max(0, 1 - (d - radius) / (reach - radius + 1e-6)) ** 2 * 0.8;
        const white = core ? Math.max(0, 1 - d / radius) * 0.6 : 0;
        this.add(x, y, lerp(rgb[0], 255, white), lerp(rgb[1], 255, white), lerp(rgb[2], 255, white), a);
      }
    }
  }
  frame(noise: number, rand: () => number): RgbFrame {
    const out = new Uint8Array(this.data.length);
    for (let i = 0; i < out.length; i++) out[i] = c8(this.data[i] + (rand() - 0.5) * noise);
    return { width: this.width, height: this.height, data: out };
  }
}

function sunset(c: Canvas, r: () => number): void {
  const horizon = Math.floor(c.height * lerp(0.45, 0.8, r()));
  const top = [lerp(20, 90, r()), lerp(30, 80, r()), lerp(80, 160, r())];
  const mid = [lerp(200, 255, r()), lerp(80, 150, r()), lerp(30, 110, r())];
  const low = [255, lerp(150, 220, r()), lerp(40, 120, r())];
  for (let y = 0; y < horizon; y++) {
    const t = y / horizon;
    const a = t < 0.6 ? t / 0.6 : 1;
    const b = t < 0.6 ? 0 : (t - 0.6) / 0.4;
    const col = [0, 1, 2].map((i) => lerp(lerp(top[i], mid[i], a), low[i], b));
    for (let x = 0; x < c.width; x++) c.add(x, y, col[0], col[1], col[2]);
  }
  const sunX = lerp(0.15, 0.85, r()) * c.width;
  const sunY = horizon - lerp(-4, c.height * 0.3, r());
  const radius = lerp(5, 26, r());
  c.glow(sunX, sunY, radius, [255, lerp(170, 235, r()), lerp(60, 160, r())], lerp(2, 5, r()));
  const water = r() < 0.5;
  for (let y = horizon; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      if (water) {
        const o = ((2 * horizon - y) * c.width + x) * 3;
        const ripple = 0.55 + 0.35 * Math.sin(y * 1.7 + Math.sin(x * 0.05) * 3);
        if (2 * horizon - y >= 0) c.add(x, y, c.data[o] * ripple, c.data[o + 1] * ripple, c.data[o + 2] * ripple);
      } else c.add(x, y, lerp(10, 50, r() * 0.2), lerp(10, 40, r() * 0.2), lerp(10, 40, r() * 0.2));
    }
  }
  // Skyline: buildings or trees as dark silhouettes against the glow.
  let x = 0;
  while (x < c.width) {
    const w = Math.floor(lerp(6, 40, r()));
    const h = Math.floor(lerp(0, c.height * 0.25, r() ** 2));
    for (let yy = horizon - h; yy < horizon + 2; yy++) for (let xx = x; xx < x + w; xx++) c.add(xx, yy, 15, 12, 18);
    x += w;
  }
}

function lights(c: Canvas, r: () => number): void {
  const base = [lerp(5, 40, r()), lerp(5, 40, r()), lerp(10, 60, r())];
  for (let y = 0; y < c.height; y++) {
    const shade = 0.6 + 0.4 * (y / c.height);
    for (let x = 0; x < c.width; x++) c.add(x, y, base[0] * shade, base[1] * shade, base[2] * shade);
  }
  const palette = [
    [255, 30, 25],
    [255, 60, 20],
    [255, 150, 20],
    [255, 175, 70],
    [255, 220, 150],
  ];
  const n = 2 + Math.floor(r() * 14);
  const road = r() < 0.5;
  for (let i = 0; i < n; i++) {
    const rgb = palette[Math.floor(r() * palette.length)];
    const x = r() * c.width;
    const y = lerp(0.2, 0.8, r()) * c.height;
    const radius = lerp(1.5, 9, r());
    c.glow(x, y, radius, rgb, lerp(2, 6, r()));
    if (r() < 0.4) c.glow(x + lerp(15, 40, r()), y, radius, rgb, lerp(2, 6, r()));
    if (road) {
      for (let yy = Math.floor(y + radius * 2); yy < c.height; yy++) {
        const a = 0.5 * Math.max(0, 1 - (yy - y) / (c.height - y)) * (0.6 + 0.4 * Math.sin(yy * 2.3));
        for (let dx = -2; dx <= 2; dx++)
          c.add(Math.round(x + dx), yy, rgb[0], rgb[1] * 0.9, rgb[2], a * (1 - Math.abs(dx) / 3));
      }
    }
  }
}

function objects(c: Canvas, r: () => number): void {
  const bg = [lerp(60, 200, r()), lerp(60, 200, r()), lerp(60, 200, r())];
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) c.add(x, y, bg[0], bg[1], bg[2]);
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const rgb = [lerp(200, 255, r()), lerp(20, 170, r()), lerp(0, 60, r())];
    const cx = r() * c.width;
    const cy = r() * c.height;
    const rx = lerp(8, 80, r());
    const ry = lerp(8, 80, r());
    const ellipse = r() < 0.5;
    for (let y = Math.floor(cy - ry); y < cy + ry; y++) {
      for (let x = Math.floor(cx - rx); x < cx + rx; x++) {
        const u = (x - cx) / rx;
        const v = (y - cy) / ry;
        if (ellipse && u * u + v * v > 1) continue;
        const light = 0.75 + 0.25 * (1 - v) * 0.5;
        c.add(x, y, rgb[0] * light, rgb[1] * light, rgb[2] * light);
      }
    }
  }
}

export function synthNegative(kind: SynthKind, seed: number, width = 448, height = 252): RgbFrame {
  const r = rng(seed);
  const c = new Canvas(width, height);
  if (kind === 'sunset') sunset(c, r);
  else if (kind === 'lights') lights(c, r);
  else if (kind === 'objects') objects(c, r);
  else flat(c, r);
  return c.frame(lerp(2, 14, r()), r);
}

/** A night-black, overexposed or fogged view: one colour with vignetting. */
function flat(c: Canvas, r: () => number): void {
  const level = [0, 20, 128, 200, 250][Math.floor(r() * 5)];
  const tint = [lerp(-15, 15, r()), lerp(-15, 15, r()), lerp(-15, 15, r())];
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const v = 1 - 0.3 * Math.hypot(x / c.width - 0.5, y / c.height - 0.5);
      c.add(x, y, (level + tint[0]) * v, (level + tint[1]) * v, (level + tint[2]) * v);
    }
  }
}

/**
 * A real photo regraded to golden-hour / sodium-light tones (red up, blue down, a warm gradient
 * from the top): real textures in flame colours that are not flames.
 */
export function warmGrade(f: RgbFrame, seed: number): RgbFrame {
  const r = rng(seed);
  const gain = [lerp(1.1, 1.45, r()), lerp(0.75, 1.0, r()), lerp(0.3, 0.65, r())];
  const glow = lerp(0, 90, r());
  const out = new Uint8Array(f.data.length);
  for (let y = 0; y < f.height; y++) {
    const g = glow * (1 - y / f.height);
    for (let x = 0; x < f.width; x++) {
      const o = (y * f.width + x) * 3;
      out[o] = c8(f.data[o] * gain[0] + g);
      out[o + 1] = c8(f.data[o + 1] * gain[1] + g * 0.45);
      out[o + 2] = c8(f.data[o + 2] * gain[2]);
    }
  }
  return { width: f.width, height: f.height, data: out };
}
