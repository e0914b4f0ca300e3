/**
 * What an alarm and a journal entry say, in the operator's language (issue 15): rendered from the
 * alarm's `facts` (type, value, setpoint, unit, gas, fault code ...), never from the server's
 * English `message`, which is shown only for alarms stored before facts existed.
 */

import { CONFIG_ALARM_TYPE, evaluationOf, FAULT_CODES, isExposureType } from '@gwanje/protocol/safety';
import type { Alarm, AlarmFacts, JournalEntry } from '@gwanje/protocol/schemas/alarm.js';
import { CAMERA_CONDITION_TYPES } from '@gwanje/protocol/video/camera-conditions.js';

export type Translate = (key: string, opts?: Record<string, unknown>) => string;

const num = (v: number | undefined): string =>
  v === undefined ? '—' : Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);

const seconds = (ms: number | undefined): string => (ms === undefined ? '—' : String(Math.round(ms / 1000)));

/** The template key for an alarm of a per-sensor rule type, from how the table evaluates it. */
function ruleKey(type: string, f: AlarmFacts): string | undefined {
  const ev = evaluationOf(type);
  if (ev === undefined) return undefined;
  if (f.active === false) return ev === 'fault' ? 'faultCleared' : ev === 'stale' ? 'staleCleared' : 'returned';
  if (isExposureType(type)) return 'exposure';
  switch (ev) {
    case 'high':
    case 'low':
      if (f.reason === FAULT_CODES.overRange) return 'overRange';
      if (f.reason === FAULT_CODES.underRange) return 'underRange';
      return 'level';
    case 'bool':
      return 'detector';
    case 'rate':
      return 'rise';
    case 'range':
      return 'range';
    default:
      return ev;
  }
}

/** The alarm's text in the current language. */
export function alarmText(a: Pick<Alarm, 'type' | 'sourceId' | 'message' | 'facts'>, t: Translate): string {
  const f = a.facts;
  if (!f) return a.message;
  const what = f.gas ?? (f.metric ? t(`metric.${f.metric}`) : a.sourceId);
  const unit = f.unit === undefined || f.unit === 'bool' ? '' : f.unit;
  const params = {
    what,
    sensor: a.sourceId,
    value: num(f.value),
    setpoint: num(f.setpoint),
    unit,
    op: f.op ?? '>=',
    min: num(f.rangeMin),
    max: num(f.rangeMax),
    silent: seconds(f.silentMs),
    limit: seconds(f.limitMs),
    code: f.code ? t(`safety.fault.${f.code}`, { defaultValue: f.code }) : '',
    // The averaging window by how the table evaluates the type (8-hour TWA, 15-minute STEL).
    window: isExposureType(a.type) ? t(`safety.window.${evaluationOf(a.type)}`) : '',
    agent: f.agentId ?? a.sourceId,
    camera: f.cameraId ?? a.sourceId,
    gas: f.gas ?? '—',
  };
  const rule = ruleKey(a.type, f);
  if (rule) return t(`safety.text.${rule}`, params);
  if (a.type === CONFIG_ALARM_TYPE) return t(`safety.warning.${f.reason ?? 'resolved'}`, params);
  if (a.type === 'comm-loss') return t(f.active === false ? 'safety.text.commBack' : 'safety.text.commLoss', params);
  if (a.type === 'camera-loss')
    return t(f.active === false ? 'safety.text.cameraBack' : 'safety.text.cameraLoss', params);
  if (CAMERA_CONDITION_TYPES.has(a.type)) return t(`safety.text.${a.type}${f.active === false ? 'Back' : ''}`, params);
  if (a.type === 'anomaly') return t('safety.text.anomaly', params);
  return a.message;
}

/** A journal entry's action, and what a system-made one says (shelving expired, a flood's first-out). */
export function journalText(j: Pick<JournalEntry, 'action' | 'facts'>, t: Translate): string {
  const action = t(`safety.journal.action.${j.action}`, { defaultValue: j.action });
  const reason = j.facts?.reason;
  if (!reason) return action;
  return `${action} — ${t(`safety.journal.reason.${reason}`, { defaultValue: reason, site: j.facts?.siteId ?? '' })}`;
}
