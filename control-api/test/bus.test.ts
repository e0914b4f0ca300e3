/** The center's event bus (bus.ts): listeners by owner, isolated failures, counted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../src/bus.js';
import { CenterMetrics } from '../src/metrics.js';

const reading = { sensorId: 's1', siteId: 'suwon', value: 1, ts: 1, state: 'normal' };

test('a throwing or rejecting listener is logged and counted; the others still hear the event', async () => {
  const errors: unknown[] = [];
  const metrics = new CenterMetrics({ processMetrics: false });
  const bus = new EventBus({ error: (o: unknown) => void errors.push(o) }, metrics.busListenerErrors);
  const heard: string[] = [];
  bus.on('broken', 'reading.accepted', () => {
    throw new Error('boom');
  });
  bus.on('slow', 'reading.accepted', async () => {
    throw new Error('later');
  });
  bus.on('live', 'reading.accepted', (r) => void heard.push(r.sensorId));
  bus.emit('reading.accepted', reading);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(heard, ['s1']);
  assert.equal(errors.length, 2);
  assert.deepEqual(
    errors.map((e) => (e as { owner: string }).owner),
    ['broken', 'slow'],
  );
  const text = await metrics.text();
  assert.match(text, /gwanje_bus_listener_errors_total\{event="reading.accepted",owner="broken"\} 1/);
  assert.match(text, /gwanje_bus_listener_errors_total\{event="reading.accepted",owner="slow"\} 1/);
});

test('off(owner) removes every listener of that owner and no other', () => {
  const bus = new EventBus({ error: () => undefined });
  const heard: string[] = [];
  bus.on('video', 'agent.revoked', () => void heard.push('video'));
  bus.on('video', 'sessions.changed', () => void heard.push('video-s'));
  bus.on('broker', 'agent.revoked', () => void heard.push('broker'));
  assert.deepEqual(bus.owners('agent.revoked'), ['video', 'broker']);
  bus.off('video');
  bus.emit('agent.revoked', { agentId: 'a1' });
  bus.emit('sessions.changed', { username: 'kim' });
  assert.deepEqual(heard, ['broker']);
  assert.deepEqual(bus.owners('sessions.changed'), []);
});

test('a listener added during an emit hears the next event, not the current one', () => {
  const bus = new EventBus({ error: () => undefined });
  const heard: string[] = [];
  bus.on('a', 'agent.revoked', () => {
    heard.push('a');
    bus.on('b', 'agent.revoked', () => void heard.push('b'));
  });
  bus.emit('agent.revoked', { agentId: 'x' });
  assert.deepEqual(heard, ['a']);
});
