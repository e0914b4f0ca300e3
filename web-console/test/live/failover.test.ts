/**
 * Issue 19: the console's list of centers (the login answer's `centers`) is cleaned before use:
 * origins only, http(s) only, no duplicates, junk dropped rather than dialled. Moving between
 * them on a dead center is exercised end to end in control-api/test/e2e/cluster-live.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCenterList } from '../../src/live/failover.js';

test('center lists keep http(s) origins once, in order, and drop what is not a center URL', () => {
  assert.deepEqual(parseCenterList('https://a.example:8443/, https://b.example:8444/console,https://a.example:8443'), [
    'https://a.example:8443',
    'https://b.example:8444',
  ]);
  assert.deepEqual(parseCenterList(['javascript:alert(1)', 'ftp://x', 'not a url', '', 'http://10.0.0.5:8080']), [
    'http://10.0.0.5:8080',
  ]);
  assert.deepEqual(parseCenterList(undefined), []);
});
