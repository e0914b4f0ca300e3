/**
 * Issue 15: alarm texts and journal entries are rendered by the console from the alarm's facts,
 * in Korean or English (the server's English `message` is only a fallback for old alarms).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import i18next from 'i18next';
import { alarmText, journalText } from '../../src/alarms/describe.js';
import { en } from '../../src/i18n/en.js';
import { ko } from '../../src/i18n/ko.js';

const i18n = i18next.createInstance();
await i18n.init({
  resources: { en: { translation: en }, ko: { translation: ko } },
  lng: 'en',
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});
const tr = (lng: 'en' | 'ko') => i18n.getFixedT(lng) as unknown as (k: string, o?: Record<string, unknown>) => string;

const alarm = (o: Partial<Alarm>): Alarm => ({
  id: 'a1',
  siteId: 'suwon',
  sourceId: 'suwon-ch4-1',
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'unack',
  raisedAt: 1_763_900_000_000,
  message: 'gas-high: CH4 60 %LEL >= 25 %LEL',
  cameras: [],
  ...o,
});

test('a gas level alarm and its return, in both languages', () => {
  const a = alarm({ facts: { active: true, gas: 'CH4', unit: '%LEL', value: 60, setpoint: 25, op: '>=' } });
  assert.equal(alarmText(a, tr('en')), 'CH4 60 %LEL >= 25 %LEL');
  assert.equal(alarmText(a, tr('ko')), 'CH4 60 %LEL >= 설정값 25 %LEL');
  const back = alarm({ facts: { active: false, gas: 'CH4', unit: '%LEL', value: 3 } });
  assert.equal(alarmText(back, tr('en')), 'CH4 back to normal (3 %LEL)');
});

test('#15 a pegged transmitter reads as over range, a fault code is translated', () => {
  const facts = {
    active: true,
    gas: 'CH4',
    unit: '%LEL',
    value: 150,
    setpoint: 25,
    op: '>=' as const,
    reason: 'over-range',
  };
  assert.equal(
    alarmText(alarm({ facts }), tr('en')),
    'CH4 beyond its measuring range (reads 150 %LEL): counts as above 25 %LEL',
  );
  const fault = alarm({ type: 'sensor-fault', facts: { active: true, metric: 'gas', gas: 'CH4', code: 'over-range' } });
  assert.equal(alarmText(fault, tr('en')), 'suwon-ch4-1 reports a fault: over range');
  assert.equal(alarmText(fault, tr('ko')), 'suwon-ch4-1 고장 신호: 측정 범위 초과');
});

test('exposure, stale, config and agent alarms', () => {
  const twa = alarm({
    type: 'gas-twa',
    facts: { active: true, gas: 'CO', unit: 'ppm', value: 35, setpoint: 30, op: '>=', windowMs: 8 * 3600_000 },
  });
  assert.equal(alarmText(twa, tr('en')), 'CO 8-hour average 35 ppm >= 30 ppm');
  assert.equal(alarmText(twa, tr('ko')), 'CO 8시간 평균 35 ppm >= 기준 30 ppm');
  const stale = alarm({ type: 'stale', facts: { active: true, silentMs: 7000, limitMs: 6000 } });
  assert.equal(alarmText(stale, tr('en')), 'suwon-ch4-1 silent for 7 s (limit 6 s)');
  const config = alarm({ type: 'config', facts: { active: true, reason: 'unknown-gas', gas: 'XYZ', unit: 'ppm' } });
  assert.match(alarmText(config, tr('en')), /^XYZ in ppm is not in the gas table/);
  const comm = alarm({ type: 'comm-loss', sourceKind: 'agent', facts: { active: true, agentId: 'suwon-gw-01' } });
  assert.equal(alarmText(comm, tr('ko')), '엣지 에이전트 suwon-gw-01 연결 끊김');
});

test('an alarm stored before facts existed shows its message', () => {
  assert.equal(alarmText(alarm({}), tr('ko')), 'gas-high: CH4 60 %LEL >= 25 %LEL');
});

test('journal actions and system reasons are data, rendered in the language', () => {
  assert.equal(
    journalText({ action: 'auto-unshelve', facts: { reason: 'shelving-expired' } }, tr('en')),
    'Unshelved — shelving time ran out',
  );
  assert.equal(
    journalText({ action: 'first-out', facts: { reason: 'flood', siteId: 'suwon' } }, tr('ko')),
    '최초 발생 — suwon 경보 폭주',
  );
  assert.equal(journalText({ action: 'return-to-service' }, tr('ko')), '사용 재개');
});

test('issue 20: camera tamper, video loss and a frozen or black picture, raised and back, in both languages', () => {
  const cam = (type: string, active: boolean) =>
    alarm({ type, sourceKind: 'camera', sourceId: 'suwon-cam-1', facts: { active, cameraId: 'suwon-cam-1' } });
  assert.match(alarmText(cam('camera-tamper', true), tr('en')), /suwon-cam-1 tampered with/);
  assert.match(alarmText(cam('camera-tamper', true), tr('ko')), /suwon-cam-1 훼손/);
  assert.match(alarmText(cam('video-loss', false), tr('en')), /video signal back/);
  assert.match(alarmText(cam('camera-frozen', true), tr('ko')), /영상 정지/);
  assert.match(alarmText(cam('camera-frozen', false), tr('en')), /moving again/);
  assert.match(alarmText(cam('camera-black', true), tr('en')), /suwon-cam-1: picture black/);
  assert.match(alarmText(cam('camera-black', true), tr('ko')), /렌즈 가림/);
  assert.match(alarmText(cam('camera-black', false), tr('ko')), /화면 복구/);
});
