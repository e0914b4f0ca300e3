/**
 * Issue 21: which PTZ preset a camera is turned to when a sensor's hazard alarm is raised.
 *
 * What a site engineer sets up: on each PTZ camera, presets named after what they show. The
 * center turns a linked PTZ camera to
 *   1. the preset configured on the sensor's link to that camera (`cameras: [{cameraId, preset}]`,
 *      issue 6), else
 *   2. the camera's own preset named for the sensor: its id (`boiler-ch4-1`) or its name
 *      (`Boiler CH4`), else
 *   3. the camera's preset named for the sensor's zone on the site plan (`Boiler room`), so one
 *      preset serves every detector of a room.
 * Names match ignoring case, spaces, `_` and `-` (`Boiler room` = `boiler-room` = `BOILER_ROOM`).
 * A camera without such a preset is left where it is. This applies to every camera the alarm got,
 * configured links and those linked by position on the plan (plans/linker.ts) alike. The camera's
 * presets are asked from its agent (`ptz.preset` with `list`), one request per camera and alarm.
 */
import type { Alarm } from '@gwanje/protocol';
import type { CommandChannel } from '../broker/commands.js';
import { cameraLinksOf } from '../ingest/sensors.js';
import type { Logger } from '../logger.js';
import type { Repositories } from '../store/repositories.js';

export interface CameraPreset {
  token: string;
  name: string;
}

/** `Boiler room` -> `boilerroom` (pure): the form preset names are compared in. */
export function presetKey(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** The preset named for the first of `names` that any preset matches (pure). */
export function presetNamedFor(
  presets: readonly CameraPreset[],
  names: readonly (string | undefined)[],
): string | undefined {
  for (const want of names) {
    if (!want) continue;
    const hit = presets.find((p) => p.token && presetKey(p.name) === presetKey(want));
    if (hit) return hit.token;
  }
  return undefined;
}

export interface AlarmPresetDeps {
  log: Logger;
  repos: Pick<Repositories, 'sensors' | 'cameras'>;
  commands: Pick<CommandChannel, 'post' | 'ptz'>;
  /** The sensor's zone on its site plan, if placed with one. */
  zoneOf(sensorId: string): Promise<string | undefined>;
}

/** Turns the alarm's PTZ cameras to their presets (see above); each camera on its own, failures logged. */
export async function turnToPresets(d: AlarmPresetDeps, alarm: Alarm): Promise<void> {
  const sensor = await d.repos.sensors.get(alarm.sourceId);
  if (!sensor) return;
  const configured = new Map<string, string>();
  for (const link of cameraLinksOf(sensor.cameras)) if (link.preset) configured.set(link.cameraId, link.preset);
  const cameraIds = new Set([...configured.keys(), ...alarm.cameras]);
  let zone: Promise<string | undefined> | undefined;
  await Promise.all(
    [...cameraIds].map(async (cameraId) => {
      try {
        const cam = await d.repos.cameras.get(cameraId);
        if (!cam?.agentId) return;
        let preset = configured.get(cameraId);
        if (!preset) {
          if (!cam.ptz) return;
          const where = { cameraId, siteId: cam.siteId, agentId: cam.agentId };
          const listed = (await d.commands.ptz(where, { action: 'preset', list: true }, 'system')) as {
            presets?: CameraPreset[];
          };
          zone ??= d.zoneOf(sensor.sensorId);
          preset = presetNamedFor(listed?.presets ?? [], [sensor.sensorId, sensor.name ?? undefined, await zone]);
          if (!preset) return;
          d.log.info({ alarmId: alarm.id, cameraId, preset }, 'plans: PTZ preset named for the sensor or its zone');
        }
        d.commands.post(cam.siteId, cam.agentId, 'ptz.preset', { cameraId, preset });
      } catch (err) {
        d.log.warn({ alarmId: alarm.id, cameraId, err: (err as Error).message }, 'plans: PTZ preset not sent');
      }
    }),
  );
}
