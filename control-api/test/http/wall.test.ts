/**
 * Issue 20 "wall layouts stored on the server per user": what one console saves, another console
 * of the same user loads (a second login, as on another workstation); another user sees only
 * their own; a bad document is a 400 naming the field and leaves the stored wall as it was.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from './harness.js';

const PW = 'wall-Control-r00m-7!';
const wall = (tiles: (string | null)[]) => ({
  current: { name: 'gas yard', cols: 2, rows: 2, tiles },
  saved: [{ name: 'gas yard', cols: 2, rows: 2, tiles }],
  tour: { names: ['gas yard'], seconds: 20 },
});

describe('wall layouts per user', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
    await h.seedDevices(['suwon']);
    await h.auth.users.create({ username: 'kim', password: PW, role: 'operator', sites: ['suwon'] }, 'test', null);
    await h.auth.users.create({ username: 'lee', password: PW, role: 'viewer', sites: ['suwon'] }, 'test', null);
  });
  after(async () => {
    await h.close();
  });

  test('a wall saved on one console is there on another, and only for its user', async () => {
    const consoleA = await h.login('kim', PW);
    const consoleB = await h.login('kim', PW);
    const empty = await h.call('GET', '/api/v1/me/wall', { token: consoleB });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, { config: null, updatedAt: null });

    const saved = wall(['suwon-cam-1', null, null, null]);
    const put = await h.call('PUT', '/api/v1/me/wall', { token: consoleA, body: saved });
    assert.equal(put.status, 200, put.text);
    const got = await h.call('GET', '/api/v1/me/wall', { token: consoleB });
    assert.deepEqual((got.json as { config: unknown }).config, saved);
    assert.equal(typeof (got.json as { updatedAt: unknown }).updatedAt, 'number');

    const other = await h.call('GET', '/api/v1/me/wall', { token: await h.login('lee', PW) });
    assert.deepEqual(other.json, { config: null, updatedAt: null });

    // Saving again replaces it.
    const next = wall([null, 'suwon-cam-1', null, null]);
    assert.equal((await h.call('PUT', '/api/v1/me/wall', { token: consoleB, body: next })).status, 200);
    assert.deepEqual(
      ((await h.call('GET', '/api/v1/me/wall', { token: consoleA })).json as { config: unknown }).config,
      next,
    );
  });

  test('a bad wall is a 400 naming the field, and the stored one stays', async () => {
    const token = await h.login('kim', PW);
    const before = (await h.call('GET', '/api/v1/me/wall', { token })).json;
    const cases: Array<[unknown, RegExp]> = [
      [{ ...wall([]), current: { name: 'x', cols: 9, rows: 1, tiles: [] } }, /cols/],
      [{ ...wall([]), owner: 'lee' }, /owner/],
      [{ ...wall(['Bad Camera!']) }, /tiles/],
      [{ ...wall([]), tour: { names: [], seconds: 1 } }, /seconds/],
    ];
    for (const [body, field] of cases) {
      const r = await h.call('PUT', '/api/v1/me/wall', { token, body });
      assert.equal(r.status, 400, r.text);
      assert.match(r.text, field);
    }
    assert.deepEqual((await h.call('GET', '/api/v1/me/wall', { token })).json, before);
  });
});
