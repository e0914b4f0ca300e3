/** Issue 21: values of the schema-generated forms and the config diff. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, ValidationError } from '@gwanje/protocol';
import { PolicySchema, RosterSchema } from '@gwanje/protocol/schemas/escalation.js';
import {
  defaultFor,
  getAt,
  isLiteralUnion,
  isStarUnion,
  jsonDiff,
  objectVariants,
  setAt,
} from '../../src/supervise/schema-values.js';

test('setAt writes by the API error path and leaves the original alone', () => {
  const v = [{ id: 'p', tiers: [{ name: 'a', delaySec: 0 }] }];
  const next = setAt(v, ['0', 'tiers', '0', 'delaySec'], 90);
  assert.equal(getAt(next, ['0', 'tiers', '0', 'delaySec']), 90);
  assert.equal(v[0].tiers[0].delaySec, 0);
  assert.ok(Array.isArray(next));
  assert.deepEqual(setAt({ a: 1, b: 2 }, ['b'], undefined), { a: 1 });
});

test('the policy and roster schemas are recognised part by part', () => {
  const props = PolicySchema.properties;
  assert.ok(isStarUnion(props.siteIds));
  const recipient = props.tiers.items.properties.recipients.items;
  assert.equal(objectVariants(recipient)?.length, 2);
  assert.ok(isLiteralUnion(RosterSchema.properties.contacts.items.properties.lang));
});

test('a new roster from defaultFor is what the center validates (only the blanks to fill refused)', () => {
  const fresh = defaultFor(RosterSchema) as Record<string, unknown>;
  assert.deepEqual(Object.keys(fresh).sort(), [
    'contacts',
    'holidays',
    'id',
    'overrides',
    'shifts',
    'siteIds',
    'utcOffsetMin',
  ]);
  assert.equal(fresh.utcOffsetMin, 540);
  assert.throws(
    () => check(RosterSchema, fresh),
    (e: unknown) => e instanceof ValidationError && e.field === 'id',
  );
  assert.doesNotThrow(() => check(RosterSchema, { ...fresh, id: 'r1' }));
});

test('jsonDiff lists changed leaves by path, added and removed keys included', () => {
  const before = { logging: { level: 'info' }, sensors: [{ id: 's1', rate: 1 }], old: true };
  const after = { logging: { level: 'debug' }, sensors: [{ id: 's1', rate: 2 }, { id: 's2' }] };
  assert.deepEqual(jsonDiff(before, after), [
    { path: 'logging.level', before: 'info', after: 'debug' },
    { path: 'old', before: true },
    { path: 'sensors.0.rate', before: 1, after: 2 },
    { path: 'sensors.1', after: { id: 's2' } },
  ]);
  assert.deepEqual(jsonDiff(undefined, { a: 1 }), [{ path: '(root)', after: { a: 1 } }]);
  assert.deepEqual(jsonDiff({ a: [1] }, { a: [1] }), []);
});
