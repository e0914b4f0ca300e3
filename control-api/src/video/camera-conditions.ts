/**
 * The camera-loss family of alarms (issue 20) from what the picture does: ONVIF tamper and video
 * loss reported by the camera through its agent, and a frozen or black picture the gateway sees. Each goes
 * through the same ISA-18.2 state machine and journal as every other alarm (AlarmService
 * `cameraCondition`), one alarm per camera and condition, returned to normal when the camera says so.
 */

import type { Condition } from '@gwanje/detection';
import type { CameraHealth } from '@gwanje/gateway';
import { CAMERA_CONDITION_ALARMS, type CameraCondition, type CameraHealthView } from '@gwanje/protocol';

export interface CameraConditionSink {
  cameraCondition(c: Omit<Condition, 'sourceKind'>, now: number): void;
}

const WORDS: Record<CameraCondition, [string, string]> = {
  tamper: ['tampered with (scene changed)', 'view restored'],
  'video-loss': ['reports video signal loss', 'video signal back'],
  frozen: ['picture frozen (no new keyframe)', 'picture moving again'],
  black: ['picture black (lens covered or sensor dead)', 'picture back'],
};

/** The API's view of a camera's stream health (CameraHealthView) from the gateway's. */
export function cameraHealthView(h: CameraHealth): CameraHealthView {
  return {
    ...{ state: h.state, fps: h.fps, bitrateBps: h.bitrateBps, lastKeyframeAt: h.lastKeyframeAt, viewers: h.viewers },
    ...{ prealarm: h.prealarm, preRollMs: Math.round(h.preRollMs), frozen: h.frozen, black: h.black },
  };
}

export function raiseCameraCondition(
  sink: CameraConditionSink,
  c: { cameraId: string; siteId: string; kind: CameraCondition; active: boolean; source: 'onvif' | 'gateway' },
  now: number,
): void {
  const { type, priority } = CAMERA_CONDITION_ALARMS[c.kind];
  const [on, off] = WORDS[c.kind];
  sink.cameraCondition(
    {
      sourceId: c.cameraId,
      siteId: c.siteId,
      type,
      priority,
      active: c.active,
      message: `${type}: camera ${c.cameraId} ${c.active ? on : off}`,
      facts: { active: c.active, cameraId: c.cameraId, reason: c.source },
      cameras: [c.cameraId],
    },
    now,
  );
}
