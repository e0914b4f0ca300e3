/**
 * Issue 18: every POST/PUT/PATCH/DELETE the console sends is an entry of protocol's route map
 * (ApiMutations), sent through `mutate()`/`alarmAction()` and so typed by it. A raw `api('POST',
 * ...)` elsewhere would bypass the map: this test fails on one. (`apiUpload`, the plan image's
 * byte PUT, is not JSON and stays outside the map.)
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { API_MUTATIONS, mutationRequest } from '@gwanje/protocol/schemas/mutations.js';

const SRC = new URL('../../src/', import.meta.url).pathname;
const CLIENT = 'api/http.ts'; // the one HTTP client: mutate() and alarmAction() live there

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** `api('METHOD', ...)` / `api<T>(x, ...)` calls and the first argument of each. */
export function apiCalls(src: string): string[] {
  return [...src.matchAll(/(?<![\w.])api(?:<[^()]*?>)?\(\s*([^,)]+)/g)].map((m) => m[1].trim());
}

test('the scanner finds raw calls (a test that cannot fail is a defect)', () => {
  assert.deepEqual(apiCalls("await api<Foo[]>('GET', '/x'); api('POST', `/y`, {}); api(method, p)"), [
    "'GET'",
    "'POST'",
    'method',
  ]);
});

test('no console module sends a mutation outside the route map', () => {
  const raw: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    if (rel === CLIENT) continue;
    for (const first of apiCalls(readFileSync(file, 'utf8')))
      if (first !== "'GET'") raw.push(`${rel}: api(${first}, ...)`);
  }
  assert.deepEqual(raw, [], 'send these through mutate() with an ApiMutations entry');
});

test('mutationRequest splits the key and fills its parameters', () => {
  assert.deepEqual(mutationRequest('PATCH /users/:username', { username: 'kim lee' }), {
    method: 'PATCH',
    path: '/users/kim%20lee',
  });
  assert.deepEqual(mutationRequest('DELETE /alarms/:alarmId/sop/:stepId', { alarmId: 'a:1', stepId: 's-2' }), {
    method: 'DELETE',
    path: '/alarms/a%3A1/sop/s-2',
  });
  assert.throws(() => mutationRequest('PUT /sites/:siteId/link-radius', { siteId: '' }), /needs siteId/);
  assert.ok(API_MUTATIONS.every((k) => /^(POST|PUT|PATCH|DELETE) \//.test(k)));
});
