/**
 * Issue 21: which cameras show a point of the site plan. Pure geometry, no I/O.
 *
 * Coordinates are plan fractions (x of the width, y of the height, origin top left); distances
 * are measured in plan widths, so `aspect` (height / width) turns a y fraction into the same unit.
 * A camera sees a point when it lies within its field of view (direction +- fov/2, clockwise from
 * plan-up) and range. The cameras that see the point come first, nearest first; only when none
 * does are the cameras within `radius` taken, nearest first (a fixed camera with no field of view
 * entered, or a dome whose view is unknown).
 */
import type { CameraPosition, PlanPosition } from '@gwanje/protocol';

export interface PlacedCamera {
  cameraId: string;
  position: CameraPosition;
}

export interface LinkGeometry {
  /** Plan height / width (1 when the site has no plan image). */
  aspect: number;
  /** Fallback radius, in plan widths. */
  radius: number;
  /** At most this many cameras (the wall pops the first two). */
  max: number;
}

/** Default fallback radius: a fifth of the plan's width. */
export const DEFAULT_LINK_RADIUS = 0.2;
export const MAX_LINKED_CAMERAS = 4;

/** Bearing of (dx, dy) in degrees clockwise from plan-up, 0..360 (y grows downwards). */
export function bearing(dx: number, dy: number): number {
  const deg = (Math.atan2(dx, -dy) * 180) / Math.PI;
  return (deg + 360) % 360;
}

/** Smallest angle between two bearings, 0..180. */
export function angleBetween(a: number, b: number): number {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return d > 180 ? 360 - d : d;
}

export function distance(a: PlanPosition, b: PlanPosition, aspect: number): number {
  return Math.hypot(b.x - a.x, (b.y - a.y) * aspect);
}

/** True when the camera's field of view (direction, fov, range) covers the point. */
export function sees(cam: CameraPosition, p: PlanPosition, aspect: number): boolean {
  if (cam.direction === undefined || cam.fov === undefined) return false;
  const d = distance(cam, p, aspect);
  if (cam.range !== undefined && d > cam.range) return false;
  if (d === 0 || cam.fov >= 360) return true;
  return angleBetween(bearing(p.x - cam.x, (p.y - cam.y) * aspect), cam.direction) <= cam.fov / 2;
}

/** The cameras linked to a point: those that see it, else those within the radius; nearest first. */
export function camerasFor(p: PlanPosition, cameras: readonly PlacedCamera[], g: LinkGeometry): string[] {
  const byDistance = cameras
    .map((c) => ({ c, d: distance(c.position, p, g.aspect) }))
    .sort((a, b) => a.d - b.d || a.c.cameraId.localeCompare(b.c.cameraId));
  const seeing = byDistance.filter(({ c }) => sees(c.position, p, g.aspect));
  const chosen = seeing.length > 0 ? seeing : byDistance.filter(({ d }) => d <= g.radius);
  return chosen.slice(0, g.max).map(({ c }) => c.cameraId);
}
