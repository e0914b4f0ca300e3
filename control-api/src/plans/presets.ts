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
 * presets are asked from its agent (`ptz.preset` with `list`), or for a direct camera from the device
 * over ONVIF (issue 20), one request per camera and alarm. Each preset sent is announced on the bus
 * as `camera.preset` (the console shows it on the camera's tiles).
 */
import type { Alarm, LivePresetRecall } from '@gwanje/protocol';
import type { CommandChannel } from '../broker/commands.js';
import type { EventSink } from '../bus.js';
import type { PtzArgs } from '../http/deps.js';
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
  bus?: EventSink;
  /** Direct cameras (no agent): PTZ over ONVIF from the center (video/direct-onvif.ts). */
  direct?: {
    ptz(cameraId: string, args: PtzArgs): Promise<unknown>;
    gotoPreset(cameraId: string, preset: string): Promise<void>;
  };
}

/** Turns the alarm's PTZ cameras to their presets (see above); each camera on its own, failures logged. */
export async function turnToPresets(d: AlarmPresetDeps, alarm: Alarm): Promise<void> {
  const sensor = await d.repos.sensors.get(alarm.sourceId);
  if (!sensor) return;
  const configured = new Map<string, string>();
  for (const link of sensor.cameras ?? []) if (link.preset) configured.set(link.cameraId, link.preset);
  const cameraIds = new Set([...configured.keys(), ...alarm.cameras]);
  let zone: Promise<string | undefined> | undefined;
  await Promise.all(
    [...cameraIds].map(async (cameraId) => {
      try {
        const cam = await d.repos.cameras.get(cameraId);
        if (!cam) return;
        const agentId = cam.agentId;
        const direct = agentId ? undefined : d.direct;
        if (!agentId && !direct) return;
        let preset = configured.get(cameraId);
        if (!preset) {
          if (!cam.ptz) return;
          const list: PtzArgs = { action: 'preset', list: true };
          const listed = (
            agentId
              ? await d.commands.ptz({ cameraId, siteId: cam.siteId, agentId }, list, 'system')
              : await direct?.ptz(cameraId, list)
          ) as { presets?: CameraPreset[] } | undefined;
          zone ??= d.zoneOf(sensor.sensorId);
          preset = presetNamedFor(listed?.presets ?? [], [sensor.sensorId, sensor.name ?? undefined, await zone]);
          if (!preset) return;
          d.log.info({ alarmId: alarm.id, cameraId, preset }, 'plans: PTZ preset named for the sensor or its zone');
        }
        let via: LivePresetRecall['via'];
        if (agentId) {
          d.commands.post(cam.siteId, agentId, 'ptz.preset', { cameraId, preset });
          via = 'agent';
        } else {
          await direct?.gotoPreset(cameraId, preset);
          via = 'onvif';
        }
        d.bus?.emit('camera.preset', {
          ...{ cameraId, siteId: cam.siteId, preset, alarmId: alarm.id, alarmType: alarm.type },
          ...{ sourceId: alarm.sourceId, ts: Date.now(), via },
        });
      } catch (err) {
        d.log.warn({ alarmId: alarm.id, cameraId, err: (err as Error).message }, 'plans: PTZ preset not sent');
      }
    }),
  );
}
