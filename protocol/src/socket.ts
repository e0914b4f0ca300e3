/** Socket.IO namespace `/live` (CONTRACT): event maps shared by control-api and the console. */
import type { Alarm } from './schemas/alarm.js';

export const LIVE_NAMESPACE = '/live';

export interface LiveReading {
  sensorId: string;
  siteId: string;
  value: number;
  ts: number;
  state: string;
}

export interface LiveAgent {
  agentId: string;
  siteId: string;
  state: 'online' | 'offline';
  ts: number;
  buffered?: number;
}

export interface LiveCamera {
  cameraId: string;
  siteId: string;
  state: 'live' | 'idle' | 'lost';
}

/**
 * Extension (issue 20): a PTZ camera was turned to a preset because a sensor linked to it raised an
 * alarm (control-api video/alarm-clips.ts), so a tile can say which preset, for which alarm.
 */
export interface LivePresetRecall {
  cameraId: string;
  siteId: string;
  preset: string;
  alarmId: string;
  alarmType: string;
  /** The sensor whose alarm asked for the preset. */
  sourceId: string;
  ts: number;
  /** How it was sent: the owning agent's `ptz.preset` command, or ONVIF GotoPreset from the center. */
  via: 'agent' | 'onvif';
}

export interface FloodState {
  siteId: string;
  active: boolean;
  firstOutAlarmId?: string;
  count: number;
}

export interface ServerToClientEvents {
  alarm: (alarm: Alarm) => void;
  reading: (reading: LiveReading) => void;
  agent: (agent: LiveAgent) => void;
  camera: (camera: LiveCamera) => void;
  /** Extension: the active alarm set, sent first to a socket that (re)connects. */
  'alarms:snapshot': (alarms: Alarm[]) => void;
  /** Extension: per-site flood mode changes. */
  flood: (flood: FloodState) => void;
  /** Extension (issue 20): a PTZ preset recalled on a sensor's alarm. */
  'camera:preset': (recall: LivePresetRecall) => void;
}

export interface ClientToServerEvents {
  /** Narrows to `siteIds` (never widens; '*' is not a site). `error: 'rate-limited'` when sent too often. */
  subscribe: (req: { siteIds: string[] }, ack?: (res: { siteIds: string[]; error?: string }) => void) => void;
}

/** Room name for a site. */
export const siteRoom = (siteId: string): string => `site:${siteId}`;
