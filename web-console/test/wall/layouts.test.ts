import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  defaultConfig,
  loadConfig,
  nextInTour,
  placeCamera,
  resize,
  saveAs,
  saveConfig,
} from '../../src/wall/layouts.js';

class MemoryStorage {
  private m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, v);
}

test('resizing keeps the cameras that still fit and caps the grid', () => {
  const l = { name: '', cols: 2, rows: 2, tiles: ['a', 'b', 'c', 'd'] };
  assert.deepEqual(resize(l, 1, 1).tiles, ['a']);
  assert.equal(resize(l, 3, 3).tiles.length, 9);
  assert.equal(resize(l, 99, 2).cols, 6);
});

test('dropping a camera already on the wall moves it instead of duplicating', () => {
  const l = { name: '', cols: 2, rows: 1, tiles: ['a', 'b'] };
  assert.deepEqual(placeCamera(l, 1, 'a').tiles, ['b', 'a']);
});

test('layouts are saved per user and tours cycle saved layouts', () => {
  const st = new MemoryStorage() as unknown as Storage;
  let c = defaultConfig(['a', 'b']);
  c = saveAs(c, 'one');
  c = saveAs({ ...c, current: resize(c.current, 3, 3) }, 'two');
  c = { ...c, tour: { names: ['one', 'two'], seconds: 10 } };
  saveConfig('kim', st, c);
  assert.equal(loadConfig('lee', st, []).saved.length, 0, 'another user starts fresh');
  const back = loadConfig('kim', st, []);
  assert.deepEqual(
    back.saved.map((s) => s.name),
    ['one', 'two'],
  );
  assert.equal(nextInTour(back, 'one')?.name, 'two');
  assert.equal(nextInTour(back, 'two')?.name, 'one');
});
