/** EEMUA 191 figures from alarm records and their journal. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alarm, JournalEntry } from '@gwanje/protocol';
import { computeKpis } from '../src/kpis.js';
import { ch4, engine, reading, T0 } from './fixtures.js';

const S = 1000;
function alarm(id: string, sourceId: string, raisedAt: number, o: Partial<Alarm> = {}): Alarm {
  return {
    id,
    siteId: 'suwon',
    sourceId,
    sourceKind: 'sensor',
    type: 'gas-low',
    priority: 3,
    state: 'normal',
    raisedAt,
    message: 'm',
    cameras: [],
    ...o,
  };
}
const raise = (a: Alarm): JournalEntry => ({
  alarmId: a.id,
  ts: a.raisedAt,
  action: 'raise',
  actor: 'system',
  toState: 'unack',
});

describe('computeKpis', () => {
  // One hour, six 10-minute intervals. 12 alarms in the first 330 s (5 of them one chattering
  // sensor: raise + 4 re-alarms 10 s apart), 2 more at 1900 s and 1950 s.
  const from = T0;
  const to = T0 + 3600 * S;
  const alarms: Alarm[] = [];
  const journal: JournalEntry[] = [];
  const chatty = alarm('c1', 'suwon-ch4-9', from, { priority: 1, type: 'gas-high' });
  alarms.push(chatty);
  journal.push(raise(chatty));
  for (let k = 1; k <= 4; k++)
    journal.push({ alarmId: 'c1', ts: from + k * 10 * S, action: 're-alarm', actor: 'system' });
  for (let i = 0; i < 7; i++) {
    const a = alarm(`x${i}`, `suwon-co-${i}`, from + (60 + i * 45) * S);
    alarms.push(a);
    journal.push(raise(a));
  }
  // Two later alarms without journal entries: counted at raisedAt.
  alarms.push(alarm('y1', 'suwon-h2s-1', from + 1900 * S, { priority: 2 }));
  alarms.push(alarm('y2', 'suwon-h2s-2', from + 1950 * S, { priority: 2 }));
  // Standing: one acked for 25 h, one for 23 h, one closed after 30 h.
  alarms.push(alarm('s1', 'suwon-flame-1', to - 25 * 3600 * S, { state: 'acked', type: 'flame', priority: 1 }));
  alarms.push(alarm('s2', 'suwon-flame-2', to - 23 * 3600 * S, { state: 'latched', type: 'flame', priority: 1 }));
  alarms.push(alarm('s3', 'suwon-flame-3', to - 30 * 3600 * S, { state: 'normal', type: 'flame', priority: 1 }));

  const k = computeKpis(alarms, journal, { from, to });

  it('gives the activations per 10-minute bucket, the series the console charts (issue 21)', () => {
    assert.deepEqual(k.series, { bucketMs: 600 * S, counts: [12, 0, 0, 2, 0, 0] });
  });

  it('counts activations in range and alarms per 10 minutes (average and peak)', () => {
    assert.equal(k.activations, 14);
    assert.ok(Math.abs(k.alarmsPer10Min.average - 14 / 6) < 1e-9);
    assert.equal(k.alarmsPer10Min.peak, 12);
    assert.equal(k.alarmsPer10Min.peakAt, from);
  });

  it('computes the time in flood with the engine rule (> 10 starts, < 5 ends)', () => {
    // Activations: 0,10,20,30,40 (c1), 60,105,150,195,240,285,330 (x0..x6).
    // Start at 285 s (11th). Expiries: 600,610,620,630,640,660,705,750 -> after the 8th expiry
    // (750 s) 4 remain -> end at 750 s. 465 s of 3600 s.
    assert.ok(Math.abs(k.percentTimeInFlood - (465 / 3600) * 100) < 1e-9, String(k.percentTimeInFlood));
  });

  it('lists standing alarms (not normal, raised more than 24 h before the end)', () => {
    assert.deepEqual(k.standing, { count: 1, alarmIds: ['s1'] });
  });

  it('names the chattering source first, with its activations and episodes', () => {
    assert.deepEqual(k.topChattering, [
      { siteId: 'suwon', sourceId: 'suwon-ch4-9', type: 'gas-high', activations: 5, episodes: 1 },
    ]);
  });

  it('breaks activations down by priority', () => {
    assert.deepEqual(k.byPriority, { '1': 5, '2': 2, '3': 7, '4': 0 });
  });

  it('rejects an empty range', () => {
    assert.throws(() => computeKpis([], [], { from, to: from }), /kpis:/);
  });

  it('agrees with what the engine journals for a chattering sensor', () => {
    const e = engine();
    const ctx = {
      ...ch4([
        { type: 'gas-low', onDelayMs: 0, offDelayMs: 0 },
        { type: 'rate-of-rise', enabled: false },
      ]),
      intervalMs: 600_000,
    };
    const recs = new Map<string, Alarm>();
    const jr: JournalEntry[] = [];
    for (let i = 0; i < 8; i++) {
      for (const [t, v] of [
        [T0 + i * 6000, 12],
        [T0 + i * 6000 + 3000, 0],
      ]) {
        for (const tr of e.onReading(reading(ctx, t, v), ctx, t)) {
          recs.set(tr.alarm.id, tr.alarm);
          jr.push({ alarmId: tr.alarm.id, ts: t, action: tr.action, actor: tr.actor });
        }
      }
    }
    const r = computeKpis([...recs.values()], jr, { from: T0, to: T0 + 600_000 });
    assert.equal(r.activations, 8);
    assert.deepEqual(
      r.topChattering.map((c) => [c.sourceId, c.activations]),
      [['suwon-ch4-1', 8]],
    );
  });
});
