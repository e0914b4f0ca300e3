/**
 * Camera health as alarms (issue 20): the camera-loss family. Pure: which ONVIF event topics mean
 * tamper or video loss, and the alarm each picture condition raises. Motion is recognized so it
 * can be told apart, and stays an event: it is never an alarm.
 *
 * ONVIF topics (ONVIF Core 9.x event topic set, tns1 = http://www.onvif.org/ver10/topics):
 * - `tns1:VideoSource/GlobalSceneChange/ImagingService` (also `.../AnalyticsService`): the view
 *   changed as a whole: the camera was covered, turned or spray-painted (tamper).
 * - `tns1:VideoSource/SignalLoss`: the encoder lost its video input (video loss).
 * - `tns1:VideoSource/MotionAlarm`, `tns1:RuleEngine/CellMotionDetector/Motion`: motion.
 * Their data carry a SimpleItem `State` (or `IsMotion`) true while the condition stands, false
 * when it ends; a message without one is taken as the condition present.
 */

/** Alarm types of the camera-loss family besides camera-loss itself (protocol ALARM_TYPES). */
export const CAMERA_CONDITION_ALARMS = {
  tamper: { type: 'camera-tamper', priority: 2 },
  'video-loss': { type: 'video-loss', priority: 2 },
  frozen: { type: 'camera-frozen', priority: 3 },
  // A covered lens or dead sensor: as serious as tamper (the scene is gone), seen by the gateway itself.
  black: { type: 'camera-black', priority: 2 },
} as const;

export type CameraCondition = keyof typeof CAMERA_CONDITION_ALARMS;

/** The alarm types above, for a console that words them. */
export const CAMERA_CONDITION_TYPES: ReadonlySet<string> = new Set(
  Object.values(CAMERA_CONDITION_ALARMS).map((a) => a.type),
);

export interface OnvifEventMeaning {
  kind: CameraCondition | 'motion';
  active: boolean;
}

/** The topic without namespace prefixes: `tns1:VideoSource/SignalLoss` -> `VideoSource/SignalLoss`. */
function topicPath(topic: string): string {
  return topic
    .split('/')
    .map((part) => part.slice(part.indexOf(':') + 1))
    .join('/');
}

const TOPICS: Array<[RegExp, OnvifEventMeaning['kind']]> = [
  [/^VideoSource\/GlobalSceneChange(\/|$)/i, 'tamper'],
  [/^VideoSource\/SignalLoss$/i, 'video-loss'],
  [/^(VideoSource\/MotionAlarm|RuleEngine\/CellMotionDetector\/Motion)$/i, 'motion'],
];

/** SimpleItems of a message's `data` as the `onvif` client parses them (one object or an array). */
function simpleItems(data: unknown): Array<{ name: string; value: unknown }> {
  const d = (data as { data?: { simpleItem?: unknown } } | undefined)?.data?.simpleItem;
  const items = Array.isArray(d) ? d : d ? [d] : [];
  return items.flatMap((it) => {
    const attrs = (it as { $?: { Name?: unknown; Value?: unknown } }).$;
    return attrs && typeof attrs.Name === 'string' ? [{ name: attrs.Name, value: attrs.Value }] : [];
  });
}

function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return String(v).trim().toLowerCase() === 'true' || String(v).trim() === '1';
}

/** What an ONVIF notification (topic and message as the agent forwards them) means, if anything we act on. */
export function classifyOnvifEvent(topic: string, message: unknown): OnvifEventMeaning | undefined {
  const path = topicPath(topic);
  const hit = TOPICS.find(([re]) => re.test(path));
  if (!hit) return undefined;
  const state = simpleItems(message).find((i) => /^(State|IsMotion|IsTamper|Signal)$/i.test(i.name));
  return { kind: hit[1], active: state ? truthy(state.value) : true };
}
