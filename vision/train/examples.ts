/**
 * Training examples from labelled images: the product's own proposals (whole frame, crops around
 * fire-coloured regions) labelled by their overlap with the fire boxes, plus a crop centred on each
 * fire box (so flames the colour rule misses still teach the model). The rules:
 * - a crop whose colour region overlaps a fire box by >= 30 % of its area is fire; one touching no
 *   fire or smoke box is not fire; anything between is left out;
 * - the whole frame is fire when fire boxes cover >= 3 % of it, not fire when there is no fire box,
 *   else left out (a flare of 20 pixels is invisible at 128 px: calling that frame "fire" would
 *   teach the model the chimney and the sky around it instead of the flame).
 */
import type { Box, RgbFrame } from '../src/frame.js';
import { analyse, cropFor, MAX_CROPS } from '../src/proposals.js';
import type { LabelledBox } from './sources.js';

export interface Example {
  kind: 'frame' | 'crop' | 'box';
  box: Box;
  /** The region the colour statistics are taken over. */
  statsBox: Box;
  label: 0 | 1;
}

const area = (b: Box) => Math.max(0, b.w) * Math.max(0, b.h);
function inter(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** `previous`: the frame a second earlier (video sources), so the crops on moving flame colour are proposed as in the product. */
export function examplesOf(frame: RgbFrame, labelled: LabelledBox[], previous?: RgbFrame): Example[] {
  const px = (b: Box): Box => ({
    x: b.x * frame.width,
    y: b.y * frame.height,
    w: b.w * frame.width,
    h: b.h * frame.height,
  });
  const fire = labelled.filter((b) => b.cls === 'fire').map((b) => px(b.box));
  const any = labelled.map((b) => px(b.box));
  const out: Example[] = [];
  const before = previous ? analyse(previous).mask : undefined;
  for (const p of analyse(frame, MAX_CROPS, before).proposals) {
    if (p.kind === 'frame') {
      const cover = fire.reduce((n, b) => n + area(b), 0) / area(p.box);
      if (fire.length === 0 || cover >= 0.03)
        out.push({ kind: 'frame', box: p.box, statsBox: p.box, label: fire.length ? 1 : 0 });
      continue;
    }
    const region = p.region as Box;
    const onFire = fire.reduce((n, b) => n + inter(region, b), 0) / Math.max(1, area(region));
    const touches = any.some((b) => inter(p.box, b) > 0);
    if (onFire >= 0.3) out.push({ kind: 'crop', box: p.box, statsBox: region, label: 1 });
    else if (!touches) out.push({ kind: 'crop', box: p.box, statsBox: region, label: 0 });
  }
  for (const b of fire) {
    if (b.w * b.h < 36) continue;
    out.push({ kind: 'box', box: cropFor(b, frame.width, frame.height), statsBox: b, label: 1 });
  }
  return out;
}
