import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alarm } from '@gwanje/protocol';
import { allowedActions, toneNeeded, visibleAlarms, worstBySite } from '../../src/alarms/logic.js';

const a = (id: string, o: Partial<Alarm>): Alarm => ({
  id,
  siteId: 'suwon',
  sourceId: 's',
  sourceKind: 'sensor',
  type: 'gas-low',
  priority: 3,
  state: 'unack',
  raisedAt: 1_763_900_000_000,
  message: '',
  cameras: [],
  ...o,
});

test('list order: priority, then unacknowledged, then newest', () => {
  const list = [
    a('old-p1', { priority: 1, raisedAt: 1e12 }),
    a('p3', { priority: 3, raisedAt: 3e12 }),
    a('new-p1-acked', { priority: 1, raisedAt: 4e12, state: 'acked' }),
    a('new-p1', { priority: 1, raisedAt: 2e12 }),
  ];
  assert.deepEqual(
    visibleAlarms(list, { siteId: '', state: '', type: '' }).map((x) => x.id),
    ['new-p1', 'old-p1', 'new-p1-acked', 'p3'],
  );
});

test('filters by site, state and type', () => {
  const list = [a('x', { siteId: 'osan' }), a('y', { type: 'flame' }), a('z', { state: 'shelved' })];
  assert.deepEqual(
    visibleAlarms(list, { siteId: 'osan', state: '', type: '' }).map((x) => x.id),
    ['x'],
  );
  assert.deepEqual(
    visibleAlarms(list, { siteId: '', state: 'shelved', type: '' }).map((x) => x.id),
    ['z'],
  );
  assert.deepEqual(
    visibleAlarms(list, { siteId: '', state: '', type: 'flame' }).map((x) => x.id),
    ['y'],
  );
});

test('the horn sounds only for unacknowledged priority 1-2', () => {
  assert.equal(toneNeeded([a('1', { priority: 3 })]), false);
  assert.equal(toneNeeded([a('1', { priority: 2, state: 'acked' })]), false);
  assert.equal(toneNeeded([a('1', { priority: 2, state: 'rtn-unack' })]), true);
  assert.equal(toneNeeded([a('1', { priority: 1, state: 'shelved' })]), false);
});

test('worst active alarm per site ignores shelved ones', () => {
  const m = worstBySite([a('1', { priority: 3 }), a('2', { priority: 1, state: 'shelved' }), a('3', { priority: 2 })]);
  assert.equal(m.get('suwon'), 2);
});

test('actions follow the alarm state', () => {
  assert.deepEqual(allowedActions(a('1', { state: 'latched' })), {
    ack: false,
    shelve: true,
    unshelve: false,
    reset: true,
  });
  assert.equal(allowedActions(a('1', { state: 'unack' })).ack, true);
  assert.equal(allowedActions(a('1', { state: 'shelved' })).unshelve, true);
});
