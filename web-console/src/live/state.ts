/**
 * The console's live state and its one reducer. Pure: no sockets, no timers, no DOM.
 * Messages come from live/decode.ts (server events) and from HTTP resyncs.
 */
import type { Alarm } from '@gwanje/protocol/schemas/alarm.js';
import type { FloodState, LiveAgent, LiveCamera, LivePresetRecall } from '@gwanje/protocol/socket';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface LiveState {
  conn: ConnState;
  /** Reconnect attempts since the last successful connection. */
  attempt: number;
  /** Issue 19: the center instance connected to (`host:port`), when the console knows several. */
  center?: string;
  /** Standing alarms (state != normal) by id. */
  alarms: ReadonlyMap<string, Alarm>;
  agents: ReadonlyMap<string, LiveAgent>;
  cameras: ReadonlyMap<string, LiveCamera>;
  flood: ReadonlyMap<string, FloodState>;
  /** The last PTZ preset recalled on an alarm, by camera (issue 20: shown on the tile while that alarm stands). */
  presets: ReadonlyMap<string, LivePresetRecall>;
  /** Ids of priority 1-2 alarms with cameras that arrived live, newest first (alarm-driven video). */
  alarmVideo: readonly string[];
}

export type LiveMessage =
  | { kind: 'conn'; conn: ConnState; attempt?: number }
  | { kind: 'center'; center: string | undefined }
  | { kind: 'alarm'; alarm: Alarm }
  | { kind: 'alarms'; alarms: Alarm[]; source: 'snapshot' | 'http' }
  | { kind: 'agent'; agent: LiveAgent }
  | { kind: 'camera'; camera: LiveCamera }
  | { kind: 'flood'; flood: FloodState }
  | { kind: 'preset'; recall: LivePresetRecall }
  | { kind: 'dismiss-video'; alarmId: string };

export const initialLiveState: LiveState = {
  conn: 'connecting',
  attempt: 0,
  alarms: new Map(),
  agents: new Map(),
  cameras: new Map(),
  flood: new Map(),
  presets: new Map(),
  alarmVideo: [],
};

const ALARM_VIDEO_MAX = 4;

/** Best guess of when an alarm object was last changed, for ordering a resync against live events. */
export const alarmVersion = (a: Alarm): number =>
  a.updatedAt ?? Math.max(a.raisedAt, a.ackedAt ?? 0, a.clearedAt ?? 0, a.shelvedUntil ? 0 : 0);

function withAlarm(map: ReadonlyMap<string, Alarm>, a: Alarm): Map<string, Alarm> {
  const next = new Map(map);
  // ISA-18.2 5.3: `normal` closes the alarm; it leaves the standing list.
  if (a.state === 'normal') next.delete(a.id);
  else next.set(a.id, a);
  return next;
}

export function reduceLive(s: LiveState, m: LiveMessage): LiveState {
  switch (m.kind) {
    case 'conn':
      return { ...s, conn: m.conn, attempt: m.conn === 'connected' ? 0 : (m.attempt ?? s.attempt) };
    case 'center':
      return m.center === s.center ? s : { ...s, center: m.center };
    case 'alarm': {
      const isNew = !s.alarms.has(m.alarm.id);
      const alarms = withAlarm(s.alarms, m.alarm);
      let alarmVideo = s.alarmVideo;
      if (isNew && m.alarm.priority <= 2 && m.alarm.cameras.length > 0 && m.alarm.state === 'unack') {
        alarmVideo = [m.alarm.id, ...s.alarmVideo.filter((id) => id !== m.alarm.id)].slice(0, ALARM_VIDEO_MAX);
      }
      return { ...s, alarms, alarmVideo };
    }
    case 'alarms': {
      // A snapshot replaces the standing set; an HTTP list only fills in what the socket has not
      // already told us about more recently (live events win over a possibly older query).
      let alarms: Map<string, Alarm>;
      if (m.source === 'snapshot') {
        alarms = new Map();
        for (const a of m.alarms) if (a.state !== 'normal') alarms.set(a.id, a);
      } else {
        alarms = new Map(s.alarms);
        for (const a of m.alarms) {
          const cur = alarms.get(a.id);
          if (cur && alarmVersion(cur) >= alarmVersion(a)) continue;
          if (a.state === 'normal') alarms.delete(a.id);
          else alarms.set(a.id, a);
        }
      }
      return { ...s, alarms };
    }
    case 'agent': {
      const agents = new Map(s.agents);
      agents.set(m.agent.agentId, m.agent);
      return { ...s, agents };
    }
    case 'camera': {
      const cameras = new Map(s.cameras);
      cameras.set(m.camera.cameraId, m.camera);
      return { ...s, cameras };
    }
    case 'flood': {
      const flood = new Map(s.flood);
      if (m.flood.active) flood.set(m.flood.siteId, m.flood);
      else flood.delete(m.flood.siteId);
      return { ...s, flood };
    }
    case 'preset': {
      const presets = new Map(s.presets);
      presets.set(m.recall.cameraId, m.recall);
      return { ...s, presets };
    }
    case 'dismiss-video':
      return { ...s, alarmVideo: s.alarmVideo.filter((id) => id !== m.alarmId) };
  }
}
