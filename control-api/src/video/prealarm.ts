/**
 * Which cameras keep a pre-alarm buffer (CONTRACT "Video: gateway": a camera linked to a gas, flame
 * or smoke sensor keeps one, so every clip of such an alarm starts at least 10 s before the raise).
 * The gateway holds those cameras' upstreams open with nobody watching and keeps the last 20 s of
 * their MPEG-TS in the clip ring, without decoding (gateway README "Pre-alarm buffer").
 *
 * The set is recomputed from the sensors' camera links (and, issue 21, the cameras that see a
 * hazard sensor without configured links on its site plan) when an admin edits a sensor and every
 * `refreshMs` (agents add sensors with links from their config; positions change on the plan). At most `max` cameras are held
 * (sorted by id, the rest logged): each held camera is an upstream that never rests, and on the
 * simulated province every one is an encoder on this very machine.
 */

import type { Logger } from '../logger.js';
import type { SensorRow } from '../store/types.js';

/** Sensor metrics whose alarms get clips with pre-roll (the hazards a camera should show). */
export const PREALARM_METRICS: ReadonlySet<string> = new Set(['gas', 'flame', 'smoke']);

/** Cameras linked to a gas, flame or smoke sensor, sorted by id. Pure. */
export function prealarmCameras(sensors: Iterable<Pick<SensorRow, 'metric' | 'cameras'>>): string[] {
  const ids = new Set<string>();
  for (const s of sensors) {
    if (!PREALARM_METRICS.has(s.metric)) continue;
    for (const link of s.cameras ?? []) ids.add(link.cameraId);
  }
  return [...ids].sort();
}

type PrealarmSensor = Pick<SensorRow, 'sensorId' | 'siteId' | 'metric' | 'cameras'>;

export interface PrealarmDeps {
  log: Logger;
  sensors: { list(scope: '*'): Promise<PrealarmSensor[]> };
  /** Issue 21: cameras linked to these sensors by their position on the site plan. */
  positionLinks?: { linkedByPosition(siteId: string, sensorIds: string[]): Promise<string[]> };
  gateway: { holdPrealarm(cameraIds: Iterable<string>): void };
  /** Most cameras held at once (GWANJE_PREALARM_MAX). 0 turns the buffer off. */
  max: number;
  /**
   * Issue 19: whether this instance relays the site's cameras (it owns the site). Another instance
   * holds the pre-roll of the sites it owns, where the alarms are raised and the clips cut.
   */
  owns?: (siteId: string) => boolean;
  refreshMs?: number;
}

export class PrealarmLinks {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private held: string[] = [];

  constructor(private readonly d: PrealarmDeps) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.d.refreshMs ?? 60_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.d.gateway.holdPrealarm([]);
  }

  /** Cameras held now. */
  get cameras(): readonly string[] {
    return this.held;
  }

  /** Recomputes the held set now (a sensor's links changed); concurrent calls share one run. */
  refresh(): Promise<void> {
    this.running ??= this.compute().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async compute(): Promise<void> {
    try {
      const owns = this.d.owns;
      const sensors = await this.d.sensors.list('*');
      const mine = owns ? sensors.filter((x) => owns(x.siteId)) : sensors;
      const all = [...new Set([...prealarmCameras(mine), ...(await this.byPosition(mine))])].sort();
      const held = all.slice(0, Math.max(0, this.d.max));
      if (all.length > held.length)
        this.d.log.warn(
          { linked: all.length, held: held.length, max: this.d.max },
          'video: more linked cameras than GWANJE_PREALARM_MAX; the rest record alarm clips without pre-roll',
        );
      if (held.join() !== this.held.join())
        this.d.log.info({ cameras: held.length }, 'video: cameras held for alarm pre-roll');
      this.held = held;
      this.d.gateway.holdPrealarm(held);
    } catch (err) {
      this.d.log.error({ err: (err as Error).message }, 'video: pre-alarm camera set not refreshed');
    }
  }

  /** Cameras linked by plan position to hazard sensors with no configured links (as their alarms get them). */
  private async byPosition(sensors: PrealarmSensor[]): Promise<string[]> {
    if (!this.d.positionLinks) return [];
    const bySite = new Map<string, string[]>();
    for (const s of sensors) {
      if (!PREALARM_METRICS.has(s.metric) || (s.cameras ?? []).length > 0) continue;
      bySite.set(s.siteId, [...(bySite.get(s.siteId) ?? []), s.sensorId]);
    }
    const out: string[] = [];
    for (const [siteId, ids] of bySite) out.push(...(await this.d.positionLinks.linkedByPosition(siteId, ids)));
    return out;
  }
}
