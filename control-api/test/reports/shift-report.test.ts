/** Issue 21: the shift report page and the roster's shift occurrences it names. Pure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Roster, shiftSlots } from '@gwanje/escalation';
import type { Alarm } from '@gwanje/protocol';
import type { KpiResponse } from '@gwanje/protocol/schemas/escalation.js';
import { duration, localTime, renderShiftReport, responseTimes } from '../../src/reports/shift-report.js';

const T0 = Date.UTC(2026, 0, 5, 0, 0); // 2026-01-05 09:00 KST
const MIN = 60_000;
const alarm = (id: string, o: Partial<Alarm>): Alarm => ({
  id,
  siteId: 'suwon',
  sourceId: 'suwon-ch4-1',
  sourceKind: 'sensor',
  type: 'gas-high',
  priority: 1,
  state: 'normal',
  raisedAt: T0,
  message: 'm',
  cameras: [],
  ...o,
});

const kpis: KpiResponse = {
  from: T0,
  to: T0 + 720 * MIN,
  activations: 3,
  alarmsPer10Min: { average: 0.04, peak: 2 },
  percentTimeInFlood: 0,
  standing: { count: 0, alarmIds: [] },
  byPriority: { '1': 2, '2': 0, '3': 1, '4': 0 },
  topChattering: [],
  series: { bucketMs: 600_000, counts: [] },
  sites: [],
};

describe('shift report', () => {
  const raised = [
    alarm('a1', { ackedAt: T0 + 30_000 }),
    alarm('a2', { raisedAt: T0 + 60 * MIN, ackedAt: T0 + 62 * MIN }),
    alarm('a3', { priority: 3, siteId: 'osan', message: '<script>alert(1)</script>' }),
  ];

  it('gives raise-to-ack figures per priority (nearest-rank percentiles)', () => {
    const [p1, , p3] = responseTimes(raised);
    assert.deepEqual(p1, { priority: '1', raised: 2, acked: 2, medianMs: 30_000, p90Ms: 120_000, maxMs: 120_000 });
    assert.deepEqual(p3, { priority: '3', raised: 1, acked: 0 });
  });

  it('prints local time and durations', () => {
    assert.equal(localTime(T0, 540), '2026-01-05 09:00');
    assert.equal(duration(42_000), '42 s');
    assert.equal(duration(185_000), '3 m 05 s');
    assert.equal(duration(7_800_000), '2 h 10 m');
  });

  it('renders an escaped, self-contained page in Korean and English', () => {
    const data = {
      from: T0,
      to: T0 + 720 * MIN,
      utcOffsetMin: 540,
      generatedAt: T0 + 721 * MIN,
      generatedBy: 'kim',
      sites: [
        { siteId: 'osan', name: 'Osan' },
        { siteId: 'suwon', name: 'Suwon' },
      ],
      raised,
      open: [raised[2]],
      kpis,
      onDuty: [{ role: 'supervisor', name: 'day', start: T0 - 60 * MIN, end: T0 + 660 * MIN, contacts: ['Kim Jisoo'] }],
      sms: { delivered: 2, failed: 1 },
    };
    const en = renderShiftReport({ ...data, lang: 'en' });
    assert.match(en, /<html lang="en">/);
    assert.match(en, /Shift: <b>2026-01-05 09:00 – 2026-01-05 21:00<\/b> \(UTC\+9\)/);
    assert.ok(!en.includes('<script>'), 'an alarm message is escaped');
    assert.match(en, /&lt;script&gt;/);
    assert.match(en, /<td>Suwon<\/td><td>2<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>2<\/td>/);
    assert.match(en, /Kim Jisoo/);
    assert.match(en, /<td>failed<\/td><td>1<\/td>/);
    assert.ok(!/<script|src=|href=/.test(en), 'no scripts or external resources');
    const ko = renderShiftReport({ ...data, lang: 'ko' });
    assert.match(ko, /<h1>근무 보고서<\/h1>/);
    assert.match(ko, /미결 항목/);
  });
});

describe('shiftSlots', () => {
  const roster: Roster = {
    id: 'r',
    siteIds: ['suwon'],
    utcOffsetMin: 540,
    contacts: [
      { id: 'kim', name: 'Kim', phone: '+821000000001', lang: 'ko' },
      { id: 'lee', name: 'Lee', phone: '+821000000002', lang: 'ko' },
    ],
    shifts: [
      {
        role: 'supervisor',
        name: 'day',
        start: '2026-01-05T08:00',
        rrule: 'FREQ=DAILY',
        durationMin: 720,
        rotation: ['kim', 'lee'],
        rotateEveryDays: 1,
      },
      {
        role: 'supervisor',
        name: 'night',
        start: '2026-01-05T20:00',
        rrule: 'FREQ=DAILY',
        durationMin: 720,
        rotation: ['lee'],
      },
    ],
    holidays: [],
    overrides: [],
  };

  it('lists every occurrence overlapping the window, in UTC, with whose turn it is', () => {
    // 2026-01-06 00:00 to 2026-01-07 00:00 KST.
    const from = Date.UTC(2026, 0, 5, 15, 0);
    const slots = shiftSlots(roster, from, from + 24 * 60 * MIN);
    assert.deepEqual(
      slots.map((s) => [s.name, localTime(s.start, 540), s.contacts.map((c) => c.name).join()]),
      [
        ['night', '2026-01-05 20:00', 'Lee'],
        ['day', '2026-01-06 08:00', 'Lee'],
        ['night', '2026-01-06 20:00', 'Lee'],
      ],
    );
    assert.equal(slots[1].end - slots[1].start, 720 * MIN);
  });
});
