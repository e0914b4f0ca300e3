/**
 * Fire colour: which pixels could be flame, and where the candidate regions are. A deliberately
 * loose rule (recall first) in the spirit of Chen et al. 2004 (R >= G > B, R above a floor,
 * saturation growing as R falls) and Celik & Demirel 2009 (Cr > Cb, a wide Cr-Cb gap), widened to
 * keep the near-white flame core, which both rules reject although flames always have one.
 * Colour alone fires on sunsets, red lights and skin (issue 23: AUC 0.59-0.79 measured on other
 * sets); here it only proposes regions for the learned model and feeds it a few statistics.
 * Pure: no I/O.
 */
import type { Box, RgbFrame } from './frame.js';

/** 1 where a pixel has flame colour (orange, red-orange, yellow, yellow-white core), else 0. */
export function fireMask(f: RgbFrame): Uint8Array {
  const n = f.width * f.height;
  const m = new Uint8Array(n);
  const d = f.data;
  for (let i = 0, o = 0; i < n; i++, o += 3) m[i] = isFireColour(d[o], d[o + 1], d[o + 2]) ? 1 : 0;
  return m;
}

export function isFireColour(r: number, g: number, b: number): boolean {
  if (r < 110 || r < g || g < b) return false;
  // Saturated flame body: red clearly above blue (Chen: S >= (255 - R) * ST / RT).
  if (r - b >= 70 && r - b >= (255 - r) * 0.45) return true;
  // Near-white core: very bright, still warm (R >= G >= B with a visible gap).
  return r >= 220 && g >= 170 && r - b >= 25;
}

/** Bright flame core: the hottest part, near white-yellow. */
export function isCore(r: number, g: number, b: number): boolean {
  return r >= 230 && g >= 190 && r >= b && r - b >= 20;
}

export interface Region {
  box: Box;
  /** Fire-coloured pixels in the region. */
  pixels: number;
}

/**
 * Connected fire-coloured regions (8-neighbour), largest first, at most `max`; regions smaller
 * than `minPixels` are noise. Boxes closer than `gap` pixels are merged (a flame broken by smoke).
 */
export function fireRegions(
  mask: Uint8Array,
  width: number,
  height: number,
  max = 3,
  minPixels = 6,
  gap = 4,
): Region[] {
  const label = new Int32Array(mask.length).fill(-1);
  const stack: number[] = [];
  const found: Region[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start] >= 0) continue;
    const id = found.length;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let pixels = 0;
    label[start] = id;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop() as number;
      const x = p % width;
      const y = (p - x) / width;
      pixels++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && label[q] < 0) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    found.push({ box: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }, pixels });
  }
  const merged = mergeClose(
    found.filter((r) => r.pixels >= minPixels),
    gap,
  );
  return merged.sort((a, b) => b.pixels - a.pixels).slice(0, max);
}

function mergeClose(regions: Region[], gap: number): Region[] {
  const out = regions.map((r) => ({ box: { ...r.box }, pixels: r.pixels }));
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < out.length && !changed; i++) {
      for (let j = i + 1; j < out.length; j++) {
        if (!near(out[i].box, out[j].box, gap)) continue;
        out[i] = { box: union(out[i].box, out[j].box), pixels: out[i].pixels + out[j].pixels };
        out.splice(j, 1);
        changed = true;
        break;
      }
    }
  }
  return out;
}

const near = (a: Box, b: Box, gap: number): boolean =>
  a.x - gap <= b.x + b.w && b.x - gap <= a.x + a.w && a.y - gap <= b.y + b.h && b.y - gap <= a.y + a.h;

export function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** Number of colour statistics `colourStats` returns (inputs of the learned head). */
export const COLOUR_STATS = 8;

/**
 * Colour statistics of `box` in `f`: fire-pixel fraction, core fraction (of fire pixels), mean
 * R, G, B of fire pixels, luma spread inside the flame (flames are textured; a lamp or the sun
 * is flat), the fraction of fire pixels touching a non-fire pixel (ragged edges), and the
 * fraction of fire pixels that are red rather than orange/yellow (tail lights, signs). All in [0, 1].
 */
export function colourStats(f: RgbFrame, box: Box): Float32Array {
  const out = new Float32Array(COLOUR_STATS);
  const d = f.data;
  let n = 0;
  let fire = 0;
  let core = 0;
  let red = 0;
  let edge = 0;
  let sr = 0;
  let sg = 0;
  let sb = 0;
  let sl = 0;
  let sl2 = 0;
  const x1 = Math.min(f.width, box.x + box.w);
  const y1 = Math.min(f.height, box.y + box.h);
  for (let y = Math.max(0, box.y); y < y1; y++) {
    for (let x = Math.max(0, box.x); x < x1; x++) {
      const o = (y * f.width + x) * 3;
      const r = d[o];
      const g = d[o + 1];
      const b = d[o + 2];
      n++;
      if (!isFireColour(r, g, b)) continue;
      fire++;
      if (isCore(r, g, b)) core++;
      if (g < r * 0.45) red++;
      sr += r;
      sg += g;
      sb += b;
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      sl += l;
      sl2 += l * l;
      if (x > 0 && x + 1 < f.width && y > 0 && y + 1 < f.height) {
        const l4 = [o - 3, o + 3, o - f.width * 3, o + f.width * 3];
        if (l4.some((q) => !isFireColour(d[q], d[q + 1], d[q + 2]))) edge++;
      }
    }
  }
  if (n === 0) return out;
  out[0] = fire / n;
  if (fire === 0) return out;
  out[1] = core / fire;
  out[2] = sr / fire / 255;
  out[3] = sg / fire / 255;
  out[4] = sb / fire / 255;
  const mean = sl / fire;
  out[5] = Math.min(1, Math.sqrt(Math.max(0, sl2 / fire - mean * mean)) / 64);
  out[6] = edge / fire;
  out[7] = red / fire;
  return out;
}
