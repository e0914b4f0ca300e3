/**
 * The part of detection's `DetectionEngine` the alarm service drives (BRIEF interface). Kept as
 * an interface so the service depends on behaviour, not on the engine's construction.
 */

import type {
  ActionArgs,
  AlarmAction,
  Condition,
  DetectionReading,
  RecentSample,
  SensorContext,
  ServiceChange,
  Transition,
} from '@gwanje/detection';
import type { Alarm, FloodState } from '@gwanje/protocol';

export interface AlarmEngine {
  onReading(reading: DetectionReading, ctx: SensorContext, now: number): Transition[];
  tick(now: number): Transition[];
  act(alarmId: string, action: AlarmAction, actor: string, now: number, args: ActionArgs): Transition[];
  agentStatus(agentId: string, siteId: string, state: 'online' | 'offline', now: number): Transition[];
  load(alarms: Alarm[]): void;
  /** The ISA-18.2 state machine, for conditions no detector judges (camera-loss from the gateway). */
  readonly machine?: { apply(c: Condition, now: number): Transition[]; readonly byId?: ReadonlyMap<string, Alarm> };
  active(): Alarm[];
  /** Camera-loss from the gateway's camera state ('idle' changes nothing). */
  cameraState?(cameraId: string, siteId: string, state: 'live' | 'idle' | 'lost', now: number): Transition[];
  /** Sites whose flood mode changed since the last call. */
  takeFloodChanges?(): FloodState[];
  // Issue 15 (DetectionEngine has them; optional so a minimal engine still fits).
  sensorConfigured?(ctx: SensorContext, now: number, lastTs?: number): Transition[];
  restoreExposure?(ctx: SensorContext, points: readonly [number, number][], stepMs: number, now: number): void;
  restoreAgentOffline?(agentId: string, now: number): void;
  // Issue 19: delays, rate-of-rise window and stale watch resumed from stored readings at a takeover.
  restoreRecent?(ctx: SensorContext, samples: readonly RecentSample[], now: number, heardAt?: number): Transition[];
  sourceService?(sourceId: string, change: ServiceChange, now: number): Transition[];
  isOutOfService?(sourceId: string): boolean;
  // Issue 19 (SiteEngines has them): a cluster member judges only the sites it owns.
  addSite?(siteId: string): void;
  /** Drops a site's state; the ids of the standing alarms it held. */
  dropSite?(siteId: string): string[];
  /** The stored standing alarm of a condition replaces the one held here (unique index conflict). */
  adopt?(stored: Alarm): void;
}

/** Active (condition present) as opposed to returned-to-normal or closed. */
export function isActive(a: Alarm): boolean {
  return a.active ?? (a.state === 'unack' || a.state === 'acked');
}
