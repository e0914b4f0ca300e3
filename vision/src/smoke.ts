/**
 * SmokeTracker: one camera's smoke decision over time, from pixels alone (no learned model: no
 * citable smoke video can be had on this machine, see README). Smoke is semi-transparent, grey
 * and never still (Toreyin et al. 2006, "Wavelet based real-time smoke detection in video": edges
 * behind smoke lose their high-frequency energy, chrominance drops, the region moves slowly and
 * grows; Calderara et al. 2011 weigh the same cues). So, on a grid of 8 px blocks of the frame at
 * 224 px wide, against a slowly learned background, a block is a smoke candidate when
 *   - it changed (brightness or edges) from the background,
 *   - it is grey (low chroma) and no more colourful than the background was,
 *   - its edges did not sharpen: a textured background's edges stay or soften, a flat background
 *     gets at most the soft texture of smoke (a car or a person brings hard edges),
 *   - it is turbulent: its pixels keep changing between frames (a parked grey car does not);
 * a block is smoky when it was a candidate in 2 of the last 3 frames; smoke is confirmed when
 * the largest connected smoky region covers at least `minBlocks`, is there in `need` frames in a
 * row in the same place without shrinking, its lowest edge anchored, having grown by `growth`
 * (or stood `longRun` frames), and the view did not change as a whole (fog, lights,
 * the camera's exposure: more than `maxGlobal` of all blocks changed). It is over after
 * `clearAfter` frames without such a region. Pure: frames in, decisions out.
 */
import type { Box, RgbFrame } from './frame.js';
import { resample } from './frame.js';
import { PROPOSAL_WIDTH } from './proposals.js';

export interface SmokeOptions {
  minBlocks: number;
  need: number;
  clearAfter: number;
  maxGlobal: number;
  /** The region must have grown by this factor over the run (smoke spreads from its source)... */
  growth: number;
  /** ... or stood, anchored, for this many frames (smoke already spread when watching began). */
  longRun: number;
}

export const DEFAULT_SMOKE: SmokeOptions = {
  minBlocks: 3,
  need: 3,
  clearAfter: 8,
  maxGlobal: 0.5,
  growth: 1.4,
  longRun: 8,
};

export interface SmokeStep {
  at: number;
  /** Evidence 0..1: how steadily the region's blocks were candidates (meaningful while smoke is seen). */
  score: number;
  /** Blocks in the largest smoky region this frame. */
  blocks: number;
  smoke: boolean;
  started: boolean;
  ended: boolean;
  /** Largest smoky region (frame pixels). */
  box?: Box;
}

const B = 8;

export class SmokeTracker {
  /**
   * Per block: learned background luma, chroma and edge; the last 3 candidate flags (bits); the
   * last frame's quadrant means (turbulence). ~10 KB per camera at 16:9.
   */
  private bg?: { y: Float32Array; c: Float32Array; e: Float32Array; hist: Uint8Array; quad: Float32Array };
  private run = 0;
  private quiet = 0;
  private lastBox?: Box;
  private lastBlocks = 0;
  /** The region when the current run started: size and lowest block row (smoke rises from a fixed source). */
  private runStart?: { blocks: number; bottom: number };
  smoke = false;

  constructor(private readonly opts: SmokeOptions = DEFAULT_SMOKE) {}

  observe(frame: RgbFrame, at: number): SmokeStep {
    const w = PROPOSAL_WIDTH;
    const h = Math.max(B, Math.round((frame.height * w) / frame.width));
    const rgb = frame.width === w && frame.height === h ? frame.data : resample(frame, w, h);
    const bw = Math.floor(w / B);
    const bh = Math.floor(h / B);
    const n = bw * bh;
    const luma = new Uint8Array(w * h);
    for (let i = 0, o = 0; i < w * h; i++, o += 3) luma[i] = (rgb[o] * 77 + rgb[o + 1] * 150 + rgb[o + 2] * 29) >> 8;
    const s = blockStats(rgb, luma, this.bg?.quad, w, bw, bh);
    const was = this.smoke;
    if (!this.bg || this.bg.y.length !== n) {
      this.bg = { y: s.y, c: s.c, e: s.e, hist: new Uint8Array(n), quad: s.q };
      return this.result(at, was, 0, 0);
    }
    const { y: bgY, c: bgC, e: bgE, hist } = this.bg;
    const cand = new Uint8Array(n);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const dy = s.y[i] - bgY[i];
      const edgesMoved = Math.abs(s.e[i] - bgE[i]) > Math.max(2, bgE[i] * 0.25);
      const change = Math.abs(dy) > 5 || edgesMoved;
      if (change) changed++;
      const grey = s.c[i] < 48 && s.c[i] <= bgC[i] + 6;
      const softer = bgE[i] >= 3 ? s.e[i] <= bgE[i] + 1 : Math.abs(dy) > 8 && s.e[i] <= bgE[i] + 6;
      cand[i] = change && grey && softer && s.m[i] > 1.5 ? 1 : 0;
    }
    const global = changed > n * this.opts.maxGlobal;
    for (let i = 0; i < n; i++) {
      hist[i] = ((hist[i] << 1) | (global ? 0 : cand[i])) & 0b111;
      // Background: fast where nothing is happening, slow under candidates (smoke is not learned
      // away while it grows), and re-learned quickly after a change of the whole view.
      const a = global ? 0.5 : cand[i] ? 0.01 : 0.1;
      bgY[i] += (s.y[i] - bgY[i]) * a;
      bgC[i] += (s.c[i] - bgC[i]) * a;
      bgE[i] += (s.e[i] - bgE[i]) * a;
    }
    this.bg.quad = s.q;
    const smoky = new Uint8Array(n);
    for (let i = 0; i < n; i++) smoky[i] = popcount3(hist[i]) >= 2 ? 1 : 0;
    const region = global ? undefined : largestRegion(smoky, bw, bh);
    const scale = frame.width / w;
    const box = region && {
      x: Math.round(region.box.x * B * scale),
      y: Math.round(region.box.y * B * scale),
      w: Math.round(region.box.w * B * scale),
      h: Math.round(region.box.h * B * scale),
    };
    const present = region !== undefined && region.blocks >= this.opts.minBlocks;
    const steady =
      present &&
      this.lastBox !== undefined &&
      overlaps(box as Box, this.lastBox) &&
      region.blocks >= this.lastBlocks * 0.8;
    this.run = present ? (steady ? this.run + 1 : 1) : 0;
    if (this.run === 1 && region) this.runStart = { blocks: region.blocks, bottom: region.box.y + region.box.h };
    // Smoke spreads from where it comes from: its lowest edge stays put while it grows (a passing
    // grey object's lower edge moves with it). Clouds over a fixed horizon pass this (README: limits).
    const start = this.runStart;
    const anchored = present && start !== undefined && Math.abs(region.box.y + region.box.h - start.bottom) <= 1;
    if (present && !anchored) {
      this.run = 1;
      this.runStart = { blocks: region.blocks, bottom: region.box.y + region.box.h };
    }
    const spread =
      present &&
      start !== undefined &&
      (region.blocks >= start.blocks * this.opts.growth || this.run >= this.opts.longRun);
    this.lastBox = present ? box : undefined;
    this.lastBlocks = present ? region.blocks : 0;
    if (present) this.quiet = 0;
    else this.quiet++;
    if (!this.smoke && this.run >= this.opts.need && spread) this.smoke = true;
    else if (this.smoke && this.quiet >= this.opts.clearAfter) this.smoke = false;
    let score = 0;
    if (region) {
      let sum = 0;
      for (const i of region.cells) sum += popcount3(hist[i]);
      score = Math.min(1, (sum / (region.cells.length * 3)) * Math.min(1, this.run / this.opts.need));
    }
    return { ...this.result(at, was, score, region?.blocks ?? 0), box: present ? box : undefined };
  }

  private result(at: number, was: boolean, score: number, blocks: number): SmokeStep {
    return { at, score, blocks, smoke: this.smoke, started: this.smoke && !was, ended: was && !this.smoke };
  }
}

/**
 * Per 8x8 block: mean luma, mean chroma (max-min of RGB), mean edge (|dx|+|dy| of luma), and how
 * much the means of its four 4x4 quadrants moved since `prevQuad` (turbulence; averaging 16
 * pixels keeps sensor noise of a few levels below the 1.5 the tracker asks for).
 */
function blockStats(
  rgb: Uint8Array,
  luma: Uint8Array,
  prevQuad: Float32Array | undefined,
  w: number,
  bw: number,
  bh: number,
) {
  const n = bw * bh;
  const y = new Float32Array(n);
  const c = new Float32Array(n);
  const e = new Float32Array(n);
  const m = new Float32Array(n);
  const q = new Float32Array(n * 4);
  const area = B * B;
  const half = B / 2;
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const k = by * bw + bx;
      let sy = 0;
      let sc = 0;
      let se = 0;
      for (let py = by * B; py < by * B + B; py++) {
        for (let px = bx * B; px < bx * B + B; px++) {
          const i = py * w + px;
          const o = i * 3;
          const r = rgb[o];
          const g = rgb[o + 1];
          const b = rgb[o + 2];
          sy += luma[i];
          sc += Math.max(r, g, b) - Math.min(r, g, b);
          if (px + 1 < w) se += Math.abs(luma[i + 1] - luma[i]);
          if (py + 1 < bh * B) se += Math.abs(luma[i + w] - luma[i]);
          q[k * 4 + (py - by * B >= half ? 2 : 0) + (px - bx * B >= half ? 1 : 0)] += luma[i] / (half * half);
        }
      }
      y[k] = sy / area;
      c[k] = sc / area;
      e[k] = se / area;
      if (prevQuad) {
        let d = 0;
        for (let j = 0; j < 4; j++) d += Math.abs(q[k * 4 + j] - prevQuad[k * 4 + j]);
        m[k] = d / 4;
      }
    }
  }
  return { y, c, e, m, q };
}

const popcount3 = (v: number): number => (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1);

const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Largest 4-connected region of set cells (block units). */
function largestRegion(
  cells: Uint8Array,
  bw: number,
  bh: number,
): { blocks: number; box: Box; cells: number[] } | undefined {
  const seen = new Uint8Array(cells.length);
  let best: { blocks: number; box: Box; cells: number[] } | undefined;
  for (let start = 0; start < cells.length; start++) {
    if (!cells[start] || seen[start]) continue;
    const stack = [start];
    const members: number[] = [];
    seen[start] = 1;
    let x0 = bw;
    let y0 = bh;
    let x1 = -1;
    let y1 = -1;
    while (stack.length) {
      const i = stack.pop() as number;
      members.push(i);
      const x = i % bw;
      const y = (i - x) / bw;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
      for (const j of [x > 0 ? i - 1 : -1, x < bw - 1 ? i + 1 : -1, y > 0 ? i - bw : -1, y < bh - 1 ? i + bw : -1]) {
        if (j >= 0 && cells[j] && !seen[j]) {
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (!best || members.length > best.blocks)
      best = { blocks: members.length, box: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 }, cells: members };
  }
  return best;
}
