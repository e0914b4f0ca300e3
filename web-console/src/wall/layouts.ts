/** Wall layouts (pure): grids, per-user persistence, tours. */

export interface WallLayout {
  name: string;
  cols: number;
  rows: number;
  /** cameraId per tile, row-major; null = empty tile */
  tiles: (string | null)[];
}

export interface WallConfig {
  current: WallLayout;
  saved: WallLayout[];
  tour: { names: string[]; seconds: number };
}

export const PRESETS: readonly { key: string; cols: number; rows: number }[] = [
  { key: '1', cols: 1, rows: 1 },
  { key: '2x2', cols: 2, rows: 2 },
  { key: '3x3', cols: 3, rows: 3 },
  { key: '4x4', cols: 4, rows: 4 },
];

export const MAX_GRID = 6;

/** Resizes a layout's grid keeping the cameras that still fit, in order. */
export function resize(l: WallLayout, cols: number, rows: number): WallLayout {
  const c = Math.max(1, Math.min(MAX_GRID, Math.round(cols)));
  const r = Math.max(1, Math.min(MAX_GRID, Math.round(rows)));
  const tiles = Array.from({ length: c * r }, (_, i) => l.tiles[i] ?? null);
  return { ...l, cols: c, rows: r, tiles };
}

export function placeCamera(l: WallLayout, index: number, cameraId: string | null): WallLayout {
  const tiles = l.tiles.slice();
  // A camera shows once per layout: dropping it elsewhere moves it.
  if (cameraId) {
    const prev = tiles.indexOf(cameraId);
    if (prev >= 0) tiles[prev] = tiles[index] ?? null;
  }
  tiles[index] = cameraId;
  return { ...l, tiles };
}

export function defaultConfig(cameraIds: string[]): WallConfig {
  const tiles = Array.from({ length: 4 }, (_, i) => cameraIds[i] ?? null);
  return { current: { name: '', cols: 2, rows: 2, tiles }, saved: [], tour: { names: [], seconds: 30 } };
}

const key = (username: string) => `gwanje.wall.${username}`;

function isLayout(v: unknown): v is WallLayout {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  return typeof l.cols === 'number' && typeof l.rows === 'number' && Array.isArray(l.tiles);
}

export function loadConfig(username: string, storage: Storage, cameraIds: string[]): WallConfig {
  const raw = storage.getItem(key(username));
  if (raw) {
    try {
      const c = JSON.parse(raw) as Partial<WallConfig>;
      if (isLayout(c.current) && Array.isArray(c.saved) && c.tour) {
        return { current: c.current, saved: c.saved.filter(isLayout), tour: c.tour };
      }
    } catch (err) {
      console.warn('wall: stored layout unreadable, starting fresh', err);
    }
  }
  return defaultConfig(cameraIds);
}

export function saveConfig(username: string, storage: Storage, c: WallConfig): void {
  storage.setItem(key(username), JSON.stringify(c));
}

export function saveAs(c: WallConfig, name: string): WallConfig {
  const layout = { ...c.current, name };
  return { ...c, current: layout, saved: [...c.saved.filter((s) => s.name !== name), layout] };
}

/** Next layout of a tour after `name` (wraps), or undefined when the tour is empty. */
export function nextInTour(c: WallConfig, name: string): WallLayout | undefined {
  const list = c.tour.names.map((n) => c.saved.find((s) => s.name === n)).filter((x): x is WallLayout => !!x);
  if (list.length === 0) return undefined;
  const i = list.findIndex((l) => l.name === name);
  return list[(i + 1) % list.length];
}
