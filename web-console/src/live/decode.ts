/**
 * The console's one decode point for `/live` events (CONTRACT "Socket.IO"). Each payload is
 * narrowed from unknown; a malformed one is dropped with a console warning naming the event,
 * never allowed into the store.
 */
import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import type { FloodState, LiveAgent, LiveCamera, LivePresetRecall, LiveReading } from '@gwanje/protocol/socket';
import type { LiveMessage } from './state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj, k: string): boolean => typeof o[k] === 'string';
const num = (o: Obj, k: string): boolean => typeof o[k] === 'number' && Number.isFinite(o[k]);

export function isAlarm(v: unknown): v is Alarm {
  return (
    isObj(v) &&
    str(v, 'id') &&
    str(v, 'siteId') &&
    str(v, 'sourceId') &&
    str(v, 'type') &&
    str(v, 'state') &&
    num(v, 'raisedAt') &&
    [1, 2, 3, 4].includes(v.priority as number) &&
    Array.isArray(v.cameras)
  );
}

export function isReading(v: unknown): v is LiveReading {
  return isObj(v) && str(v, 'sensorId') && str(v, 'siteId') && num(v, 'value') && num(v, 'ts');
}

const isAgent = (v: unknown): v is LiveAgent =>
  isObj(v) && str(v, 'agentId') && str(v, 'siteId') && (v.state === 'online' || v.state === 'offline');
const isCamera = (v: unknown): v is LiveCamera => isObj(v) && str(v, 'cameraId') && str(v, 'state');
const isPresetRecall = (v: unknown): v is LivePresetRecall =>
  isObj(v) &&
  ['cameraId', 'siteId', 'preset', 'alarmId', 'alarmType', 'sourceId'].every((k) => str(v, k)) &&
  num(v, 'ts');
const isFlood = (v: unknown): v is FloodState => isObj(v) && str(v, 'siteId') && typeof v.active === 'boolean';

/** Decodes one server event into a store message, or null (dropped, with a reason logged). */
export function decodeLive(event: string, payload: unknown): LiveMessage | null {
  let msg: LiveMessage | null = null;
  switch (event) {
    case 'alarm':
      if (isAlarm(payload)) msg = { kind: 'alarm', alarm: payload };
      break;
    case 'alarms:snapshot':
      if (Array.isArray(payload)) msg = { kind: 'alarms', alarms: payload.filter(isAlarm), source: 'snapshot' };
      break;
    case 'agent':
      if (isAgent(payload)) msg = { kind: 'agent', agent: payload };
      break;
    case 'camera':
      if (isCamera(payload)) msg = { kind: 'camera', camera: payload };
      break;
    case 'flood':
      if (isFlood(payload)) msg = { kind: 'flood', flood: payload };
      break;
    case 'camera:preset':
      if (isPresetRecall(payload)) msg = { kind: 'preset', recall: payload };
      break;
    default:
      return null;
  }
  if (!msg) console.warn(`live: dropped malformed '${event}' event`);
  return msg;
}
