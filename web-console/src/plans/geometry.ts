/**
 * Drawing a site plan (issue 21): positions are plan fractions (protocol plan.ts); the SVG works in
 * the plan image's pixels. A camera's field of view is drawn as a wedge: `direction` clockwise
 * from plan-up, `fov` wide, `range` in plan widths (without a range, to the plan's edge).
 */
import type { CameraPosition } from '@gwanje/protocol/schemas/plan.js';

export interface PlanBox {
  w: number;
  h: number;
}

/** Plan box of a site without an uploaded image: the devices can still be placed on a grid. */
export const BLANK_PLAN: PlanBox = { w: 1600, h: 900 };

export const clamp01 = (v: number): number => Math.min(1, Math.max(0, Math.round(v * 10_000) / 10_000));

/** SVG path of a camera's field of view, or undefined when it has none. */
export function wedgePath(c: CameraPosition, box: PlanBox): string | undefined {
  if (c.direction === undefined || c.fov === undefined) return undefined;
  const cx = c.x * box.w;
  const cy = c.y * box.h;
  const r = (c.range ?? 1.5) * box.w;
  if (c.fov >= 360) return `M ${cx - r} ${cy} a ${r} ${r} 0 1 0 ${2 * r} 0 a ${r} ${r} 0 1 0 ${-2 * r} 0`;
  const at = (deg: number): [number, number] => {
    const rad = (deg * Math.PI) / 180;
    return [cx + r * Math.sin(rad), cy - r * Math.cos(rad)];
  };
  const [x1, y1] = at(c.direction - c.fov / 2);
  const [x2, y2] = at(c.direction + c.fov / 2);
  const large = c.fov > 180 ? 1 : 0;
  return `M ${cx} ${cy} L ${x1} ${y1} A ${r} ${r} 0 ${large} 1 ${x2} ${y2} Z`;
}

/** Where a pointer event falls on the plan, as plan fractions. */
export function pointerToPlan(e: { clientX: number; clientY: number }, svg: SVGSVGElement): { x: number; y: number } {
  const r = svg.getBoundingClientRect();
  // The SVG keeps the plan's aspect ratio (xMidYMid meet): find the drawn box inside the element.
  const vb = svg.viewBox.baseVal;
  const scale = Math.min(r.width / vb.width, r.height / vb.height);
  const ox = r.left + (r.width - vb.width * scale) / 2;
  const oy = r.top + (r.height - vb.height * scale) / 2;
  return { x: clamp01((e.clientX - ox) / (vb.width * scale)), y: clamp01((e.clientY - oy) / (vb.height * scale)) };
}

/** A keyboard nudge of a placed device (arrows move, [ ] turn, - = narrow/widen, , . shorter/longer; Shift: larger steps). */
export function nudge(p: CameraPosition, key: string, big: boolean, camera: boolean): CameraPosition | undefined {
  const step = big ? 0.05 : 0.01;
  const turn = big ? 45 : 15;
  switch (key) {
    case 'ArrowLeft':
      return { ...p, x: clamp01(p.x - step) };
    case 'ArrowRight':
      return { ...p, x: clamp01(p.x + step) };
    case 'ArrowUp':
      return { ...p, y: clamp01(p.y - step) };
    case 'ArrowDown':
      return { ...p, y: clamp01(p.y + step) };
  }
  if (!camera) return undefined;
  const dir = p.direction ?? 0;
  const fov = p.fov ?? 60;
  const range = p.range ?? 0.3;
  switch (key) {
    case '[':
    case '{':
      return { ...p, direction: (dir - turn + 360) % 360, fov };
    case ']':
    case '}':
      return { ...p, direction: (dir + turn) % 360, fov };
    case '-':
    case '_':
      return { ...p, direction: dir, fov: Math.max(10, fov - 10) };
    case '=':
    case '+':
      return { ...p, direction: dir, fov: Math.min(360, fov + 10) };
    case ',':
    case '<':
      return { ...p, range: Math.max(0.05, Math.round((range - 0.05) * 100) / 100) };
    case '.':
    case '>':
      return { ...p, range: Math.min(2, Math.round((range + 0.05) * 100) / 100) };
  }
  return undefined;
}
