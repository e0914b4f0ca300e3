import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { ClipStore, safeSegment } from '../src/clip-store.js';
import type { ClipInfo } from '../src/types.js';

const DAY = 24 * 3600_000;

describe('ClipStore retention and listing', () => {
  let root: string;
  let store: ClipStore;
  const now = Date.parse('2026-06-01T00:00:00Z');
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'gw-clips-'));
    store = new ClipStore(root, pino({ level: 'silent' }));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function clip(alarmId: string, clipId: string, bytes: number, ageMs: number): Promise<void> {
    const dir = await store.ensureDir(alarmId);
    const info: ClipInfo = {
      clipId,
      alarmId,
      cameraId: 'cam',
      fileName: `${clipId}.mp4`,
      contentType: 'video/mp4',
      bytes,
      durationMs: 1000,
      requestedAt: new Date(now - ageMs).toISOString(),
      beforeMs: 0,
      afterMs: 1000,
      createdAt: new Date(now - ageMs).toISOString(),
    };
    await writeFile(join(dir, `${clipId}.mp4`), Buffer.alloc(bytes));
    await store.save(info);
    const t = new Date(now - ageMs);
    await utimes(join(dir, `${clipId}.mp4`), t, t);
  }

  it('drops clips past the age limit, then the oldest until under the size limit', async () => {
    await clip('a1', 'old', 100, 40 * DAY);
    await clip('a1', 'mid', 300, 3 * DAY);
    await clip('a2', 'new', 300, 1 * DAY);
    await clip('a2', 'newest', 300, 1000);
    const removed = await store.prune(now, 30 * DAY, 700);
    assert.equal(removed, 2);
    assert.deepEqual(
      (await store.list('a1')).map((c) => c.clipId),
      [],
    );
    assert.deepEqual(
      (await store.list('a2')).map((c) => c.clipId),
      ['new', 'newest'],
    );
    assert.deepEqual((await readdir(join(root, 'a1'))).sort(), [], 'mp4 and json sidecar both removed');
    assert.ok(await store.file('a2', 'newest'));
    assert.equal(await store.file('a2', 'old'), undefined);
  });

  it('F17: clips of public spaces are readable by the center user only (dirs 0700, files 0600)', async () => {
    await chmod(root, 0o755);
    await store.ensureRoot();
    await clip('a3', 'private', 10, 1000);
    const mode = async (p: string) => (await stat(p)).mode & 0o777;
    assert.equal(await mode(root), 0o700);
    assert.equal(await mode(join(root, 'a3')), 0o700);
    assert.equal(await mode(join(root, 'a3', 'private.mp4')), 0o600);
    assert.equal(await mode(join(root, 'a3', 'private.json')), 0o600);
  });

  it('keeps ids from escaping the clips directory', async () => {
    assert.equal(safeSegment('../../etc'), '%2E%2E%2F%2E%2E%2Fetc');
    assert.equal(safeSegment('alarm-42'), 'alarm-42');
    await mkdir(join(root, 'x'), { recursive: true });
    assert.equal(await store.file('x', '../a2/newest'), undefined);
    assert.deepEqual(await store.list('never'), []);
  });
});
