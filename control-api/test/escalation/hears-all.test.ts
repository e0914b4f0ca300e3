/**
 * Issue 18: escalation hears every alarm transition, including those chattering suppression
 * (ISA-18.2 16.6) records without announcing, because an alarm that keeps toggling silently is
 * still active or back to normal for the people being texted. The real center's module table, with
 * the escalation module's own `alarm.changed` listener; consoles get only the announced ones.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { ch4, reading, T0 } from '../../../detection/test/fixtures.js';
import { waitFor } from '../../../testkit/index.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

let c: TestCenter;
let now = T0;

before(async () => {
  c = await startTestCenter({ password: 'hears-All-transitions-1', now: () => now });
});
after(() => c?.stop());

test('silent chattering transitions reach escalation, not the consoles', async () => {
  const { center } = c;
  assert.ok(center.bus.owners('alarm.changed').includes('escalation'));
  const service = center.escalation.escalation.service;
  const heard: Alarm[] = [];
  const original = service.onAlarm.bind(service);
  service.onAlarm = async (a: Alarm) => {
    heard.push(a);
    await original(a);
  };
  const announced: Alarm[] = [];
  center.bus.on('test', 'alarm.changed', (e) => {
    if (e.announced) announced.push(e.alarm);
  });

  const ctx = {
    ...ch4([
      { type: 'gas-low', onDelayMs: 0, offDelayMs: 0 },
      { type: 'gas-high', enabled: false },
      { type: 'rate-of-rise', enabled: false },
    ]),
    intervalMs: 60_000,
  };
  const alarms = center.alarms.service;
  for (let i = 0; i < 6; i++) {
    alarms.onReading(reading(ctx, now, 12), ctx, now);
    now += 4000;
    alarms.onReading(reading(ctx, now, 0), ctx, now);
    now += 4000;
  }
  await alarms.idle();
  // raise, clear, re-alarm x2 with clears, the 4th activation announced once: 7 announced, 5 silent.
  await waitFor(() => heard.length === 12, 10_000);
  assert.equal(announced.length, 7);
  assert.deepEqual(
    heard.map((a) => a.active),
    [true, false, true, false, true, false, true, false, true, false, true, false],
  );
  assert.ok(
    heard.slice(7).every((a) => a.chattering),
    'the silent ones are the chattering toggles',
  );
});
