/**
 * Issue 21: the cameras an alarm without configured camera links gets (clips, snapshot, wall pop).
 * A sensor placed on its site's plan gets the cameras that see its position (field of view and
 * range), else those within the link radius, nearest first (alarms/camera-links.ts); a site with
 * no placed camera, a sensor not placed, or an agent's alarm keep the former rule: every camera of
 * the site, since nothing better is known. The radius is the site's own when an admin set one on
 * the plan screen, else DEFAULT_LINK_RADIUS.
 *
 * Each site's layout is cached. A change the center knows of (a device moved, the plan, the radius
 * or a camera of the site changed) drops it at once and, for a site that has had an alarm, reads
 * it again straight away, so the next alarm finds it ready. Past its age (`ttlMs`) a layout is
 * still used while a fresh read runs (every known change drops it anyway). Issue 18: an alarm
 * whose cameras are in the cache is announced in the same turn as the reading that raised it
 * (`cachedFor`), not after a database read queued behind the center's other work.
 */
import type { Alarm, CameraPosition, PlanPosition } from '@gwanje/protocol';
import { camerasFor, DEFAULT_LINK_RADIUS, MAX_LINKED_CAMERAS, type PlacedCamera } from '../alarms/camera-links.js';
import type { PlanStore } from './store.js';

export interface CameraLinkerDeps {
  store: Pick<PlanStore, 'info' | 'positions' | 'linkRadius'>;
  siteCameras(siteId: string): Promise<string[]>;
  now?: () => number;
  ttlMs?: number;
  radius?: number;
}

interface SiteLayout {
  aspect: number;
  /** The site's own radius (PUT /sites/{id}/link-radius), else the center's default. */
  radius: number;
  sensors: Map<string, PlanPosition>;
  cameras: PlacedCamera[];
  siteCameras: string[];
}

interface SiteEntry {
  layout?: SiteLayout;
  /** When `layout` was read. */
  at: number;
  /** A read under way, with the generation it was started for. */
  loading?: Promise<SiteLayout>;
  /** Bumped by every invalidation: a read started before it is not kept. */
  generation: number;
}

export class CameraLinker {
  private readonly cache = new Map<string, SiteEntry>();
  private readonly now: () => number;
  /** The center's default link radius (a site without its own). */
  readonly radius: number;

  constructor(private readonly deps: CameraLinkerDeps) {
    this.now = deps.now ?? Date.now;
    this.radius = deps.radius ?? DEFAULT_LINK_RADIUS;
  }

  /** Cameras for an alarm that has none configured. */
  async camerasFor(alarm: Pick<Alarm, 'siteId' | 'sourceId' | 'sourceKind'>): Promise<string[]> {
    return linked(await this.site(alarm.siteId), alarm);
  }

  /**
   * The same, from the cache alone: undefined when the site's layout is not known now (never read,
   * or dropped by a change and not read again yet). An aged layout is used and read again behind.
   */
  cachedFor(alarm: Pick<Alarm, 'siteId' | 'sourceId' | 'sourceKind'>): string[] | undefined {
    const entry = this.cache.get(alarm.siteId);
    if (!entry?.layout) return undefined;
    if (entry.at + this.ttl() <= this.now() && !entry.loading)
      void this.load(alarm.siteId, entry).catch(() => undefined);
    return linked(entry.layout, alarm);
  }

  /**
   * Cameras linked by position to any of these placed sensors of a site (issue 21: they keep the
   * pre-alarm buffer like configured links do). An unplaced sensor adds none here: holding every
   * camera of its site for pre-roll would cost more than it shows.
   */
  async linkedByPosition(siteId: string, sensorIds: Iterable<string>): Promise<string[]> {
    const site = await this.site(siteId);
    const mine = new Set(site.siteCameras);
    const placed = site.cameras.filter((c) => mine.has(c.cameraId));
    const out = new Set<string>();
    if (placed.length === 0) return [];
    for (const id of sensorIds) {
      const at = site.sensors.get(id);
      if (!at) continue;
      const g = { aspect: site.aspect, radius: site.radius, max: MAX_LINKED_CAMERAS };
      for (const c of camerasFor(at, placed, g)) out.add(c);
    }
    return [...out];
  }

  /** The link radius that applies to a site now. */
  async radiusOf(siteId: string): Promise<number> {
    return (await this.site(siteId)).radius;
  }

  /**
   * A site's layout changed (a device moved, the plan or the cameras changed; no id: every site):
   * the cached one is dropped and read again now, so the next alarm of the site finds it ready.
   */
  invalidate(siteId?: string): void {
    for (const [id, entry] of this.cache) {
      if (siteId !== undefined && id !== siteId) continue;
      entry.layout = undefined;
      entry.loading = undefined;
      entry.generation++;
      // A failed read is retried by the next alarm (camerasFor), which reports its error.
      void this.load(id, entry).catch(() => undefined);
    }
  }

  private ttl(): number {
    return this.deps.ttlMs ?? 30_000;
  }

  private async site(siteId: string): Promise<SiteLayout> {
    let entry = this.cache.get(siteId);
    if (!entry) {
      entry = { at: 0, generation: 0 };
      this.cache.set(siteId, entry);
    }
    if (entry.layout && entry.at + this.ttl() > this.now()) return entry.layout;
    return entry.loading ?? this.load(siteId, entry);
  }

  /** Reads the site's layout into `entry` (unless a change came meanwhile: then the read is not kept). */
  private load(siteId: string, entry: SiteEntry): Promise<SiteLayout> {
    const generation = entry.generation;
    const loading = this.read(siteId).then(
      (layout) => {
        if (entry.generation === generation) {
          entry.layout = layout;
          entry.at = this.now();
          entry.loading = undefined;
        }
        return layout;
      },
      (err: unknown) => {
        if (entry.generation === generation) entry.loading = undefined;
        throw err;
      },
    );
    entry.loading = loading;
    return loading;
  }

  private async read(siteId: string): Promise<SiteLayout> {
    const [info, pos, siteCameras, radius] = await Promise.all([
      this.deps.store.info(siteId),
      this.deps.store.positions(siteId),
      this.deps.siteCameras(siteId),
      this.deps.store.linkRadius(siteId),
    ]);
    const cameras = [...pos.cameras].map(([cameraId, position]: [string, CameraPosition]) => ({ cameraId, position }));
    return {
      aspect: info ? info.height / info.width : 1,
      radius: radius ?? this.radius,
      sensors: pos.sensors,
      cameras,
      siteCameras,
    };
  }
}

/** The cameras of `layout` an alarm gets: those placed near its sensor, else every camera of the site. */
function linked(site: SiteLayout, alarm: Pick<Alarm, 'siteId' | 'sourceId' | 'sourceKind'>): string[] {
  const at = alarm.sourceKind === 'sensor' ? site.sensors.get(alarm.sourceId) : undefined;
  // Only the cameras of this site (a position row left behind by a re-homed camera is ignored).
  const mine = new Set(site.siteCameras);
  const placed = site.cameras.filter((c) => mine.has(c.cameraId));
  if (!at || placed.length === 0) return site.siteCameras;
  return camerasFor(at, placed, { aspect: site.aspect, radius: site.radius, max: MAX_LINKED_CAMERAS });
}
