/**
 * Issue 6 follow-ups on a new gas/flame/smoke alarm (and issue 23's fire-suspected): record a clip
 * from every linked camera (10 s before to 30 s after the raise), store each camera's snapshot of
 * the raise (CONTRACT "each such alarm also gets a snapshot taken when it was raised") and turn PTZ cameras to the preset the sensor's config
 * names for them (`ptz.preset` to the camera's owning agent, ONVIF GotoPreset from the center for a
 * direct camera), announced as `camera.preset` so consoles show which preset, for which alarm, on
 * the tile (issue 20). All fire-and-forget: a failed clip or PTZ move is logged and never delays
 * the alarm itself.
 */
import { type Alarm, HAZARD_RULE_TYPES, type LivePresetRecall } from '@gwanje/protocol';
import type { AlarmListener } from '../alarms/service.js';
import type { CommandChannel } from '../broker/commands.js';
import type { EventSink } from '../bus.js';
import type { Logger } from '../logger.js';
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
  commands: Pick<CommandChannel, 'post'>;
  /** `camera.preset` once a preset was sent, so consoles show it on the camera's tiles (issue 20). */
  bus?: EventSink;
  /** Direct cameras (no agent): the center turns them itself, ONVIF GotoPreset (issue 20). */
  direct?: { gotoPreset(cameraId: string, preset: string): Promise<void> };
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
      presets(d, alarm).catch((err: Error) =>
        d.log.error({ alarmId: alarm.id, err: err.message }, 'video: PTZ preset not sent'),
      );
    }
  };
}

async function presets(d: AlarmClipDeps, alarm: Alarm): Promise<void> {
  const sensor = await d.repos.sensors.get(alarm.sourceId);
  if (!sensor?.cameras) return;
  const links = JSON.parse(sensor.cameras) as Array<string | { cameraId: string; preset?: string }>;
  for (const link of links) {
    if (typeof link === 'string' || !link.preset) continue;
    const cam = await d.repos.cameras.get(link.cameraId);
    if (!cam) continue;
    const { cameraId, preset } = { cameraId: link.cameraId, preset: link.preset };
    let via: LivePresetRecall['via'];
    if (cam.agentId) {
      d.commands.post(cam.siteId, cam.agentId, 'ptz.preset', { cameraId, preset });
      via = 'agent';
    } else if (d.direct) {
      // One camera that does not answer must not keep the others from turning.
      try {
        await d.direct.gotoPreset(cameraId, preset);
      } catch (err) {
        d.log.error({ alarmId: alarm.id, cameraId, err: (err as Error).message }, 'video: ONVIF preset not recalled');
        continue;
      }
      via = 'onvif';
    } else continue;
    d.bus?.emit('camera.preset', {
      ...{ cameraId, siteId: cam.siteId, preset, alarmId: alarm.id, alarmType: alarm.type },
      ...{ sourceId: alarm.sourceId, ts: Date.now(), via },
    });
  }
}
