/**
 * Issue 21: the cameras an alarm without configured camera links gets (clips, snapshot, wall pop).
 * A sensor placed on its site's plan gets the cameras that see its position (field of view and
 * range), else those within the link radius, nearest first (alarms/camera-links.ts); a site with
 * no placed camera, a sensor not placed, or an agent's alarm keep the former rule: every camera of
 * the site, since nothing better is known. The radius is the site's own when an admin set one on
 * the plan screen, else DEFAULT_LINK_RADIUS. Each site's layout is cached briefly and dropped at
 * once when an admin moves a device, changes the plan or the radius, or a camera of the site changes.
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

interface SiteLayoutCache {
  aspect: number;
  /** The site's own radius (PUT /sites/{id}/link-radius), else the center's default. */
  radius: number;
  sensors: Map<string, PlanPosition>;
  cameras: PlacedCamera[];
  siteCameras: string[];
  until: number;
}

export class CameraLinker {
  private readonly cache = new Map<string, SiteLayoutCache>();
  private readonly now: () => number;
  /** The center's default link radius (a site without its own). */
  readonly radius: number;

  constructor(private readonly deps: CameraLinkerDeps) {
    this.now = deps.now ?? Date.now;
    this.radius = deps.radius ?? DEFAULT_LINK_RADIUS;
  }

  /** Cameras for an alarm that has none configured. */
  async camerasFor(alarm: Pick<Alarm, 'siteId' | 'sourceId' | 'sourceKind'>): Promise<string[]> {
    const site = await this.site(alarm.siteId);
    const at = alarm.sourceKind === 'sensor' ? site.sensors.get(alarm.sourceId) : undefined;
    // Only the cameras of this site (a position row left behind by a re-homed camera is ignored).
    const mine = new Set(site.siteCameras);
    const placed = site.cameras.filter((c) => mine.has(c.cameraId));
    if (!at || placed.length === 0) return site.siteCameras;
    return camerasFor(at, placed, { aspect: site.aspect, radius: site.radius, max: MAX_LINKED_CAMERAS });
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

  /** Forget a site's cached layout (a device moved, the plan or the cameras changed). */
  invalidate(siteId?: string): void {
    if (siteId === undefined) this.cache.clear();
    else this.cache.delete(siteId);
  }

  private async site(siteId: string): Promise<SiteLayoutCache> {
    const hit = this.cache.get(siteId);
    if (hit && hit.until > this.now()) return hit;
    const [info, pos, siteCameras, radius] = await Promise.all([
      this.deps.store.info(siteId),
      this.deps.store.positions(siteId),
      this.deps.siteCameras(siteId),
      this.deps.store.linkRadius(siteId),
    ]);
    const cameras = [...pos.cameras].map(([cameraId, position]: [string, CameraPosition]) => ({ cameraId, position }));
    const entry: SiteLayoutCache = {
      aspect: info ? info.height / info.width : 1,
      radius: radius ?? this.radius,
      sensors: pos.sensors,
      cameras,
      siteCameras,
      until: this.now() + (this.deps.ttlMs ?? 30_000),
    };
    this.cache.set(siteId, entry);
    return entry;
  }
}
