/**
 * Explicit changes of device ownership by an administrator (CONTRACT: "A camera or sensor belongs
 * to the site and agent that first registered it; ... only an admin of both sites can" move it;
 * security review F1, F8). Agents can only add their own devices; this is the one way to move a
 * sensor or camera to another agent (and its site), or to delete a sensor so its rightful owner's
 * next reading registers it again. The running ingest registry follows at once.
 */
import type { Repositories } from '../store/repositories.js';
import type { CameraRow, SensorRow } from '../store/types.js';

export interface DeviceOwner {
  siteId: string;
  agentId: string;
}

export interface OwnershipDeps {
  repos: Pick<Repositories, 'sensors' | 'cameras'>;
  /** The running ingest registry (`ingest.sensors`). */
  registry(): { reload(row: SensorRow): unknown; forget(sensorId: string): void } | undefined;
}

const withoutLast = ({ lastValue: _v, lastTs: _t, state: _s, ...rest }: SensorRow) => rest;

export class DeviceOwnership {
  constructor(private readonly deps: OwnershipDeps) {}

  /** Deletes a sensor (its readings stay in the time series); the row as it was, or undefined. */
  async deleteSensor(sensorId: string): Promise<SensorRow | undefined> {
    const row = await this.deps.repos.sensors.get(sensorId);
    if (!row) return undefined;
    await this.deps.repos.sensors.remove(sensorId);
    this.deps.registry()?.forget(sensorId);
    return row;
  }

  /**
   * Gives a sensor to another agent and its site. Camera links are kept within a site, so a move
   * to another site drops them (a sensor must not record another site's cameras).
   */
  async rehomeSensor(sensorId: string, to: DeviceOwner): Promise<{ before: SensorRow; after: SensorRow } | undefined> {
    const before = await this.deps.repos.sensors.get(sensorId);
    if (!before) return undefined;
    const after: SensorRow = {
      ...before,
      siteId: to.siteId,
      agentId: to.agentId,
      cameras: before.siteId === to.siteId ? before.cameras : null,
    };
    await this.deps.repos.sensors.upsert(withoutLast(after));
    this.deps.registry()?.reload(after);
    return { before, after };
  }

  /**
   * Gives a camera to another agent and its site. When the site changes, sensors of the old site
   * stop linking to it (their alarms must not record a camera they can no longer see).
   */
  async rehomeCamera(cameraId: string, to: DeviceOwner): Promise<{ before: CameraRow; after: CameraRow } | undefined> {
    const before = await this.deps.repos.cameras.setOwner(cameraId, to.siteId, to.agentId);
    if (!before) return undefined;
    if (before.siteId !== to.siteId) {
      for (const s of await this.deps.repos.sensors.list([before.siteId])) {
        const links = s.cameras ?? [];
        if (!links.some((l) => l.cameraId === cameraId)) continue;
        const next: SensorRow = { ...s, cameras: links.filter((l) => l.cameraId !== cameraId) };
        await this.deps.repos.sensors.upsert(withoutLast(next));
        this.deps.registry()?.reload(next);
      }
    }
    return { before, after: { ...before, siteId: to.siteId, agentId: to.agentId } };
  }
}
