/** Issue 19: two centers on one data directory (SQLite, embedded broker): the second refuses, clearly. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataDirLock } from '../../src/cluster/data-dir-lock.js';

test('a live holder makes a second center refuse; its release lets the next one in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-lock-'));
  try {
    const first = DataDirLock.acquire(dir, 'use PostgreSQL');
    assert.throws(
      () => DataDirLock.acquire(dir, 'use PostgreSQL'),
      /^Error: cluster: another center \(this process, pid \d+\) already runs on the data directory .*; use PostgreSQL$/,
    );
    first.release();
    DataDirLock.acquire(dir, 'x').release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock of another live process refuses; one left by a dead process is taken over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-lock-'));
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
  try {
    writeFileSync(join(dir, 'instance.lock'), JSON.stringify({ pid: sleeper.pid, host: hostname() }));
    assert.throws(() => DataDirLock.acquire(dir, 'n'), new RegExp(`pid ${sleeper.pid} on ${hostname()}`));
    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('exit', r));
    const lock = DataDirLock.acquire(dir, 'n');
    lock.release();
  } finally {
    sleeper.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
