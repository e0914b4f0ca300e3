/**
 * Issue 6 follow-ups on a new gas/flame/smoke alarm (and issue 23's fire-suspected): record a clip
 * from every linked camera (10 s before to 30 s after the raise), store each camera's snapshot of
 * the raise (CONTRACT "each such alarm also gets a snapshot taken when it was raised") and turn PTZ
 * cameras to the preset the sensor's config names for them, else to their own preset named for the
 * sensor or its zone on the plan (plans/presets.ts): `ptz.preset` to the camera's owning agent, ONVIF
 * GotoPreset from the center for a direct camera, announced as `camera.preset` so consoles show which
 * preset, for which alarm, on the tile (issue 20). All fire-and-forget: a failed clip or PTZ move is
 * logged and never delays the alarm itself.
 */
import { HAZARD_RULE_TYPES } from '@gwanje/protocol';
import type { AlarmListener } from '../alarms/service.js';
import type { CommandChannel } from '../broker/commands.js';
import type { EventSink } from '../bus.js';
import type { Logger } from '../logger.js';
import { type AlarmPresetDeps, turnToPresets } from '../plans/presets.js';
import type { Repositories } from '../store/repositories.js';

/** Hazard alarms (gas, oxygen, flame, smoke) from protocol's safety table (issue 15: one vocabulary), and video fire (issue 23). */
export const CLIP_ALARM_TYPES: ReadonlySet<string> = new Set([...HAZARD_RULE_TYPES, 'fire-suspected']);

export interface AlarmClipDeps {
  log: Logger;
  gateway: {
    requestClip(alarmId: string, cameraIds: string[], o: { beforeMs: number; afterMs: number }): Promise<unknown>;
    recordSnapshot(alarmId: string, cameraIds: string[]): Promise<unknown>;
  };
  repos: Pick<Repositories, 'sensors' | 'cameras'>;
  commands: Pick<CommandChannel, 'post' | 'ptz'>;
  /** The sensor's zone on its site plan (issue 21: a preset named for the zone). */
  zoneOf: AlarmPresetDeps['zoneOf'];
  /** `camera.preset` once a preset was sent, so consoles show it on the camera's tiles (issue 20). */
  bus?: EventSink;
  /** Direct cameras (no agent): the center turns them itself over ONVIF (issue 20). */
  direct?: AlarmPresetDeps['direct'];
}

export function alarmClipListener(d: AlarmClipDeps): AlarmListener {
  return ({ alarm, raised, announced }) => {
    if (!raised || !announced || !CLIP_ALARM_TYPES.has(alarm.type)) return;
    if (alarm.cameras.length > 0) {
      d.gateway
        .requestClip(alarm.id, alarm.cameras, { beforeMs: 10_000, afterMs: 30_000 })
        .catch((err: Error) => d.log.error({ alarmId: alarm.id, err: err.message }, 'video: alarm clip failed'));
      d.gateway
        .recordSnapshot(alarm.id, alarm.cameras)
        .catch((err: Error) => d.log.error({ alarmId: alarm.id, err: err.message }, 'video: alarm snapshot failed'));
    }
    if (alarm.sourceKind === 'sensor') {
      turnToPresets(d, alarm).catch((err: Error) =>
        d.log.error({ alarmId: alarm.id, err: err.message }, 'video: PTZ preset not sent'),
      );
    }
  };
}
