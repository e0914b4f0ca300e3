/**
 * Where to look in a frame: the whole frame (large fires, smoke-filled views) plus square crops
 * around the largest fire-coloured regions (a small flame in a window at 30 m is a few pixels of a
 * whole 1080p frame, lost when the frame is shrunk to the model's input). The crops are what the
 * learned model scores; the colour rule is only the proposer. Pure.
 */
import { fireMask, fireRegions } from './colour.js';
import { type Box, type RgbFrame, resample, squareAround } from './frame.js';

/** Width at which the colour proposer runs (cheap: ~50k pixels for a 16:9 frame). */
export const PROPOSAL_WIDTH = 224;
/** At most this many crops per frame (the model's cost grows with it). */
export const MAX_CROPS = 4;

export interface Proposal {
  /** 'frame' = the whole frame; 'crop' = a square around a fire-coloured region. */
  kind: 'frame' | 'crop';
  /** In the input frame's pixels. */
  box: Box;
  /** The fire-coloured region that proposed it (crop only), in input pixels. */
  region?: Box;
}

export interface Analysis {
  proposals: Proposal[];
  /** Flame-colour mask at PROPOSAL_WIDTH (keep it to pass as `previous` with the next frame). */
  mask: Uint8Array;
  /** Flame-coloured regions that changed since `previous` (0 without one). */
  moving: number;
}

/**
 * Proposals of one frame. With the previous frame's mask (video), half the crops go to the
 * largest flame-coloured regions that changed since then: a small flickering flame next to a large
 * red sign or a sunlit wall would otherwise lose its crop to the larger, static region.
 */
export function analyse(f: RgbFrame, maxCrops = MAX_CROPS, previous?: Uint8Array): Analysis {
  const out: Proposal[] = [{ kind: 'frame', box: { x: 0, y: 0, w: f.width, h: f.height } }];
  const scale = f.width / PROPOSAL_WIDTH;
  const w = PROPOSAL_WIDTH;
  const h = Math.max(2, Math.round(f.height / scale));
  const small = { width: w, height: h, data: f.width === w ? f.data : resample(f, w, h) };
  const mask = fireMask(small);
  if (maxCrops <= 0) return { proposals: out, mask, moving: 0 };
  const minPixels = Math.max(4, Math.round((w * h) / 12000));
  let regions = fireRegions(mask, w, h, maxCrops, minPixels);
  let moving = 0;
  if (previous && previous.length === mask.length) {
    const changed = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) changed[i] = mask[i] ^ previous[i];
    const changedRegions = fireRegions(changed, w, h, Math.ceil(maxCrops / 2), minPixels);
    moving = changedRegions.length;
    regions = [...changedRegions, ...regions.slice(0, maxCrops - moving)];
  }
  for (const r of regions) {
    const region = { x: r.box.x * scale, y: r.box.y * scale, w: r.box.w * scale, h: r.box.h * scale };
    out.push({ kind: 'crop', box: cropFor(region, f.width, f.height), region: roundBox(region) });
  }
  return { proposals: out, mask, moving };
}

export function proposals(f: RgbFrame, maxCrops = MAX_CROPS): Proposal[] {
  return analyse(f, maxCrops).proposals;
}

/** A square 1.6 times the region's longer side (context around the flame), at least 1/6 of the frame height. */
export function cropFor(region: Box, width: number, height: number): Box {
  const side = Math.max(Math.max(region.w, region.h) * 1.6, height / 6, 24);
  return squareAround(region, Math.round(side), width, height);
}

const roundBox = (b: Box): Box => ({ x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) });
