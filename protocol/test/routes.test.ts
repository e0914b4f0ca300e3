/** Issue 18: the console's URLs come from protocol's route map through routePath. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routePath } from '../src/schemas/routes.js';

test('routePath fills :params encoded and appends defined query values in order', () => {
  assert.equal(routePath('/alarms/:alarmId/clips', { alarmId: 'a/b c' }), '/alarms/a%2Fb%20c/clips');
  assert.equal(
    routePath('/sensors', {}, { siteId: 'suwon', from: 5, to: undefined, x: '' }),
    '/sensors?siteId=suwon&from=5',
  );
  assert.equal(routePath('/sites', {}), '/sites');
});

test('routePath refuses a missing parameter rather than requesting the literal :name', () => {
  assert.throws(() => routePath('/agents/:agentId/config', { agentId: '' }), /needs agentId/);
  assert.throws(() => routePath('/agents/:agentId/config', {} as { agentId: string }), /needs agentId/);
});
