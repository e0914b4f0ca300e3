/** Chattering grouping (ISA-18.2 16.6) and per-site flood with first-out (ISA-18.2 16.5, EEMUA 191). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transition } from '../src/types.js';
import { ch4, engine, reading, sensor, T0 } from './fixtures.js';

const noDelay = [
  { type: 'gas-low', onDelayMs: 0, offDelayMs: 0 },
  { type: 'gas-high', enabled: false },
  { type: 'rate-of-rise', enabled: false },
];

describe('chattering', () => {
  it('flags the 4th activation within 60 s, groups later toggles, settles after a quiet window', () => {
    const e = engine();
    const ctx = { ...ch4(noDelay), intervalMs: 60_000 };
    const log: string[] = [];
    const note = (ts: Transition[]) => {
      for (const t of ts) log.push(`${t.action}${t.announce ? '' : '(silent)'}${t.alarm.chattering ? '*' : ''}`);
    };
    let t = T0;
    for (let i = 0; i < 6; i++) {
      note(e.onReading(reading(ctx, t, 12), ctx, t));
      t += 4000;
      note(e.onReading(reading(ctx, t, 0), ctx, t));
      t += 4000;
    }
    assert.deepEqual(log, [
      'raise',
      'clear',
      're-alarm',
      'clear',
      're-alarm',
      'clear',
      're-alarm*', // 4th activation in 60 s: announced once, flagged
      'clear(silent)*',
      're-alarm(silent)*',
      'clear(silent)*',
      're-alarm(silent)*',
      'clear(silent)*',
    ]);
    log.length = 0;
    note(e.tick(t + 30_000));
    assert.deepEqual(log, [], 'not yet a whole quiet window');
    note(e.tick(t + 60_000));
    assert.deepEqual(log, ['chatter-settled(silent)']);
    log.length = 0;
    note(e.onReading(reading(ctx, t + 61_000, 12), ctx, t + 61_000));
    assert.deepEqual(log, ['re-alarm'], 'announced again once settled');
  });

  it('groups new occurrences of a chattering source too (acked alarms that close and reopen)', () => {
    const e = engine();
    const ctx = { ...ch4(noDelay), intervalMs: 60_000 };
    const announced: boolean[] = [];
    let t = T0;
    for (let i = 0; i < 6; i++) {
      const [r] = e.onReading(reading(ctx, t, 12), ctx, t);
      announced.push(r.announce);
      e.act(r.alarm.id, 'ack', 'kim', t + 1);
      t += 5000;
      e.onReading(reading(ctx, t, 0), ctx, t);
      t += 5000;
    }
    assert.deepEqual(announced, [true, true, true, true, false, false]);
  });
});

describe('flood per site', () => {
  const sensors = Array.from({ length: 12 }, (_, i) =>
    sensor(`suwon-flame-${i + 1}`, { metric: 'flame', unit: 'bool', intervalMs: 3_600_000 }),
  );

  it('10 alarms in 10 minutes is not a flood; the 11th starts one and marks the first alarm first-out', () => {
    const e = engine();
    const all: Transition[] = [];
    for (let i = 0; i < 10; i++)
      all.push(...e.onReading(reading(sensors[i], T0 + i * 50_000, 1), sensors[i], T0 + i * 50_000));
    assert.deepEqual(e.flood('suwon'), { siteId: 'suwon', active: false, count: 10 });
    assert.deepEqual(e.takeFloodChanges(), []);
    const eleventh = e.onReading(reading(sensors[10], T0 + 540_000, 1), sensors[10], T0 + 540_000);
    assert.deepEqual(
      eleventh.map((t) => [t.alarm.id, t.action, t.alarm.firstOut === true]),
      [
        ['a11', 'raise', false],
        ['a1', 'first-out', true],
      ],
    );
    assert.deepEqual(e.flood('suwon'), { siteId: 'suwon', active: true, count: 11, firstOutAlarmId: 'a1' });
    assert.deepEqual(e.takeFloodChanges(), [{ siteId: 'suwon', active: true, count: 11, firstOutAlarmId: 'a1' }]);
    assert.equal(e.active().find((a) => a.id === 'a1')?.firstOut, true);
    assert.deepEqual(e.flood('seongnam'), { siteId: 'seongnam', active: false, count: 0 });
  });

  it('the flood ends once fewer than 5 alarms remain in the window', () => {
    const e = engine();
    for (let i = 0; i < 11; i++) e.onReading(reading(sensors[i], T0 + i * 1000, 1), sensors[i], T0 + i * 1000);
    assert.equal(e.flood('suwon').active, true);
    e.takeFloodChanges();
    e.tick(T0 + 600_000 + 6000); // alarms 0..6 have left the window: 4 remain
    assert.deepEqual(e.flood('suwon'), { siteId: 'suwon', active: false, count: 4 });
    assert.deepEqual(e.takeFloodChanges(), [{ siteId: 'suwon', active: false, count: 4 }]);
  });

  it('alarms spread over more than 10 minutes never flood', () => {
    const e = engine();
    for (let i = 0; i < 12; i++) {
      const t = T0 + i * 61_000;
      e.onReading(reading(sensors[i], t, 1), sensors[i], t);
      e.tick(t);
    }
    assert.equal(e.flood('suwon').active, false);
  });
});
