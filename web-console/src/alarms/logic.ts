/** Pure alarm-list logic: ordering, filtering, what needs the horn, worst alarm per site. */
import type { Alarm, AlarmState, AlarmType } from '@gwanje/protocol/schemas/alarm.js';
import { ALARM_STATES, ALARM_TYPES } from '@gwanje/protocol/schemas/alarm-vocab.js';

/** Icon + colour token per priority: shape and text carry the meaning too (never colour alone). */
export const PRIORITY_ICON: Record<1 | 2 | 3 | 4, string> = { 1: '▲', 2: '◆', 3: '■', 4: '●' };

/** Unacknowledged states (ISA-18.2 5.3 alarm states table): the operator still owes an ack. */
export const isUnacked = (s: AlarmState): boolean => s === 'unack' || s === 'rtn-unack';

export interface AlarmFilter {
  siteId: string;
  state: string;
  type: string;
}

export const emptyFilter: AlarmFilter = { siteId: '', state: '', type: '' };

/**
 * Highest priority first, then unacknowledged before acknowledged, then newest first
 * (ISA-18.2 HMI guidance: the operator's next action is at the top).
 */
export function compareAlarms(a: Alarm, b: Alarm): number {
  return a.priority - b.priority || Number(isUnacked(b.state)) - Number(isUnacked(a.state)) || b.raisedAt - a.raisedAt;
}

export function visibleAlarms(all: Iterable<Alarm>, f: AlarmFilter): Alarm[] {
  const out: Alarm[] = [];
  for (const a of all) {
    if (f.siteId && a.siteId !== f.siteId) continue;
    if (f.state && a.state !== f.state) continue;
    if (f.type && a.type !== f.type) continue;
    out.push(a);
  }
  return out.sort(compareAlarms);
}

/** The horn sounds while any priority 1-2 alarm is unacknowledged (and not shelved). */
export function toneNeeded(all: Iterable<Alarm>): boolean {
  for (const a of all) if (a.priority <= 2 && isUnacked(a.state)) return true;
  return false;
}

/** Worst (lowest number) priority among a site's active alarms, excluding shelved/out-of-service. */
export const worstBySite = (all: Iterable<Alarm>): Map<string, 1 | 2 | 3 | 4> => worstBy(all, (a) => a.siteId);

/** Worst priority of the active alarms grouped by `key` (undefined: left out), e.g. per device of a site plan. */
export function worstBy(all: Iterable<Alarm>, key: (a: Alarm) => string | undefined): Map<string, 1 | 2 | 3 | 4> {
  const m = new Map<string, 1 | 2 | 3 | 4>();
  for (const a of all) {
    if (a.state === 'shelved' || a.state === 'out-of-service' || a.state === 'normal') continue;
    const k = key(a);
    if (k === undefined) continue;
    const cur = m.get(k);
    if (cur === undefined || a.priority < cur) m.set(k, a.priority);
  }
  return m;
}

/** Actions the state allows (ISA-18.2 state transitions); the server is the authority. */
export function allowedActions(a: Alarm): { ack: boolean; shelve: boolean; unshelve: boolean; reset: boolean } {
  return {
    ack: isUnacked(a.state),
    shelve: a.state !== 'shelved' && a.state !== 'out-of-service',
    unshelve: a.state === 'shelved',
    reset: a.state === 'latched',
  };
}

/** Filter choices, from the protocol's TypeBox-free vocabulary (no schema library in the bundle). */
export const FILTER_STATES: readonly AlarmState[] = ALARM_STATES.filter((s) => s !== 'normal');
export const FILTER_TYPES: readonly AlarmType[] = ALARM_TYPES;
