import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alarmSms, floodSummarySms, measureSms } from '../src/message.js';
import { DEFAULT_POLICY, matchPolicy, planSteps, tierStopped } from '../src/policy.js';
import { parseReceipt } from '../src/providers/smpp.js';
import { twilioSignature } from '../src/providers/twilio.js';
import { newAckCode, normalizePhone, parseAckReply } from '../src/reply.js';
import { onDuty } from '../src/roster.js';
import { roster, T_MONDAY_10_KST } from './support.js';

const H = 3_600_000;

describe('SMS length (EUC-KR 90 bytes / UCS-2 70 chars)', () => {
  it('counts Hangul as 2 bytes and ASCII as 1', () => {
    assert.deepEqual(measureSms('가'.repeat(45)), { encoding: 'EUC-KR', units: 90, kind: 'SMS' });
    assert.deepEqual(measureSms('가'.repeat(45) + 'a'), { encoding: 'EUC-KR', units: 91, kind: 'LMS' });
    assert.deepEqual(measureSms('a'.repeat(90)), { encoding: 'EUC-KR', units: 90, kind: 'SMS' });
  });
  it('falls back to UCS-2 for characters EUC-KR cannot carry', () => {
    assert.equal(measureSms('🔥 불').encoding, 'UCS-2');
    assert.equal(measureSms('🔥'.repeat(36)).kind, 'LMS');
  });
  const facts = {
    siteName: 'Namyangju',
    siteNameKo: '남양주',
    sourceId: 'namyangju-ch4-12',
    type: 'gas-high',
    priority: 1,
    gas: 'CH4',
    value: 62.4,
    unit: '%LEL',
    raisedAt: Date.UTC(2026, 10, 23, 5, 3),
    code: '482193',
  };
  it('a Korean gas alarm fits one SMS and carries site, gas, value, time and code', () => {
    const m = alarmSms(facts, 'ko');
    assert.equal(m.kind, 'SMS', m.text);
    for (const part of ['남양주', 'CH4', '62.4%LEL', '14:03', '482193'])
      assert.ok(m.text.includes(part), `${part} in ${m.text}`);
  });
  it('an English alarm fits one SMS', () => {
    const m = alarmSms(facts, 'en');
    assert.equal(m.kind, 'SMS', m.text);
    assert.match(m.text, /Namyangju gas-high CH4 62.4%LEL .*ACK 482193/);
  });
  it('a flood summary names the count and the first-out alarm', () => {
    const m = floodSummarySms({ siteName: 'Suwon', siteNameKo: '수원', count: 12, first: facts }, 'ko');
    assert.match(m.text, /수원 경보폭주 12건/);
    assert.ok(m.text.includes('482193'));
  });
});

describe('replies', () => {
  // F16: six-digit codes only (four digits could be guessed within a shift).
  const table: Array<[string, string | null]> = [
    ['ACK 482193', '482193'],
    ['ack482193', '482193'],
    [' Ack: 482193 ', '482193'],
    ['확인 482193', '482193'],
    ['승인482193', '482193'],
    ['OK 482193', null],
    ['ACK 4821', null],
    ['ACK 48219', null],
    ['ACK 4821930', null],
    ['please ACK 482193', null],
  ];
  for (const [text, code] of table)
    it(`"${text}" -> ${code}`, () => assert.deepEqual(parseAckReply(text), code ? { code } : null));
  it('normalizes Korean numbers', () => {
    assert.equal(normalizePhone('+82 10-1234-5678'), '01012345678');
    assert.equal(normalizePhone('821012345678'), '01012345678');
    assert.equal(normalizePhone('010.1234.5678'), '01012345678');
  });
  it('F16: ack codes are six digits from crypto.randomInt, zero-padded, avoiding codes in use', () => {
    let i = 0;
    const seq = [42, 42, 190_000];
    const asked: number[] = [];
    const int = (max: number) => {
      asked.push(max);
      return seq[i++];
    };
    assert.equal(newAckCode(new Set(['000042']), int), '190000');
    assert.deepEqual(asked, [1_000_000, 1_000_000, 1_000_000]);
    const codes = new Set(Array.from({ length: 200 }, () => newAckCode(new Set())));
    assert.ok([...codes].every((c) => /^\d{6}$/.test(c)));
    assert.ok(codes.size > 190, 'random, not a short sequence');
  });
});

describe('rosters', () => {
  it('day and night shifts with weekly rotation', () => {
    // Week of 2026-11-02 is turn 0, 11-09 turn 1, 11-16 turn 2, 11-23 turn 3 -> rotation index 1.
    assert.equal(onDuty(roster, 'supervisor', T_MONDAY_10_KST).contacts[0].id, 'lee');
    assert.equal(onDuty(roster, 'supervisor', T_MONDAY_10_KST + 11 * H).contacts[0].id, 'kim'); // 21:00 night shift
    assert.equal(onDuty(roster, 'supervisor', T_MONDAY_10_KST - 7 * 24 * H).contacts[0].id, 'kim'); // a week earlier
    assert.equal(onDuty(roster, 'supervisor', T_MONDAY_10_KST + 21 * H).contacts[0].id, 'kim'); // 07:00 next day, still night
  });
  it('holiday crew replaces the rotation, and an override beats both', () => {
    const xmas = Date.UTC(2026, 11, 25, 3);
    assert.deepEqual(
      onDuty(roster, 'supervisor', xmas).contacts.map((c) => c.id),
      ['park'],
    );
    const r2 = { ...roster, overrides: [{ role: 'supervisor', contact: 'choi', from: xmas - H, to: xmas + H }] };
    const a = onDuty(r2, 'supervisor', xmas);
    assert.equal(a.source, 'override');
    assert.deepEqual(
      a.contacts.map((c) => c.id),
      ['choi'],
    );
  });
  it('a role nobody covers answers none', () => {
    assert.equal(onDuty(roster, 'chemist', T_MONDAY_10_KST).source, 'none');
  });
});

describe('policies', () => {
  const alarm = { id: 'a1', siteId: 'suwon', priority: 1, type: 'gas-high', raisedAt: 1_000_000_000_000 };
  it('plans tiers with delays and repeats; console tier plans nothing', () => {
    const steps = planSteps(DEFAULT_POLICY, alarm);
    assert.deepEqual(
      steps.map((s) => [s.tier, s.rep, (s.dueAt - alarm.raisedAt) / 1000]),
      [
        [1, 0, 60],
        [1, 1, 360],
        [1, 2, 660],
        [2, 0, 180],
      ],
    );
  });
  it('matches by site, priority and type; advisory alarms never page', () => {
    assert.equal(matchPolicy([DEFAULT_POLICY], alarm)?.id, 'default-critical');
    assert.equal(matchPolicy([DEFAULT_POLICY], { ...alarm, priority: 3 }), undefined);
    assert.equal(matchPolicy([DEFAULT_POLICY], { ...alarm, advisory: true }), undefined);
  });
  it('stop conditions', () => {
    const tier = { name: 't', delaySec: 0, recipients: [], stopOn: ['ack' as const] };
    assert.equal(tierStopped(tier, { state: 'acked' }), true);
    assert.equal(tierStopped(tier, { state: 'rtn-unack' }), false);
    assert.equal(tierStopped({ ...tier, stopOn: ['clear'] }, { state: 'rtn-unack' }), true);
  });
});

describe('provider codecs', () => {
  it('parses SMPP delivery receipts', () => {
    assert.deepEqual(
      parseReceipt(
        'id:0123abc sub:001 dlvrd:001 submit date:2611231403 done date:2611231403 stat:DELIVRD err:000 text:x',
      ),
      {
        id: '0123abc',
        stat: 'DELIVRD',
      },
    );
  });
  it('computes the Twilio signature over URL + sorted params (vector from openssl dgst -sha1 -hmac)', () => {
    const sig = twilioSignature('tok', 'https://example.org/api/v1/sms/twilio/status', {
      MessageStatus: 'delivered',
      MessageSid: 'SM1',
    });
    assert.equal(sig, 'UHFJdvboQidgYkBvbqhukcda8Fc=');
  });
});
