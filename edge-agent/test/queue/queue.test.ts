import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { StoreAndForwardQueue } from '../../src/queue/queue.js';

const log = pino({ level: 'silent' });
const WRITER = fileURLToPath(new URL('../helpers/queue-writer.ts', import.meta.url));

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-queue-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dir: string, maxBytes = 64 * 1024 * 1024, segmentBytes = 16 * 1024): StoreAndForwardQueue {
  const q = new StoreAndForwardQueue({ dir, maxBytes, segmentBytes, fsyncMs: 50, log });
  q.open();
  return q;
}

function readAll(q: StoreAndForwardQueue, from = q.firstIndex): number[] {
  const out: number[] = [];
  let at = from;
  while (at < q.nextIndex) {
    const { from: got, payloads } = q.read(at, 1000);
    assert.ok(payloads.length > 0, `records missing at ${at}`);
    for (const p of payloads) out.push((JSON.parse(p.toString()) as { n: number }).n);
    at = got + payloads.length;
  }
  return out;
}

/** Runs the writer child until it has reported `atLeast` accepted records, then kill -9. */
async function writeAndKill(dir: string, start: number, atLeast: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(start)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let last = -1;
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      const lines = b.toString().trim().split('\n');
      last = Number(lines[lines.length - 1]);
      if (last >= start + atLeast) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.once('exit', () => (last >= start + atLeast ? resolve() : reject(new Error(`writer died: ${err}`))));
  });
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
  return last;
}

test('kill -9 mid-write, three times: reopen finds every accepted record, in order, no corruption', async (t) => {
  const dir = tempDir(t);
  let next = 0;
  for (const n of [3000, 7000, 5000]) {
    const lastAcked = await writeAndKill(dir, next, n);
    const q = open(dir);
    const all = readAll(q);
    q.close();
    assert.deepEqual(
      all,
      Array.from({ length: all.length }, (_, i) => i),
      'records are contiguous from 0 (no gap, no duplicate, no garbage)',
    );
    assert.ok(all.length - 1 >= lastAcked, `accepted record ${lastAcked} survived (have up to ${all.length - 1})`);
    next = all.length;
  }
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.log')).length > 3, 'spans several segments');
});

test('a torn tail (half a frame) is truncated and appends continue after it', (t) => {
  const dir = tempDir(t);
  let q = open(dir);
  for (let n = 0; n < 10; n += 1) q.append(Buffer.from(JSON.stringify({ n })));
  q.close();
  const seg = readdirSync(dir).find((f) => f.endsWith('.log')) as string;
  // A header announcing 200 bytes followed by only 3: what a crash in the middle of write(2) leaves.
  appendFileSync(join(dir, seg), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]));
  q = open(dir);
  assert.equal(q.nextIndex, 10);
  q.append(Buffer.from(JSON.stringify({ n: 10 })));
  assert.deepEqual(
    readAll(q),
    Array.from({ length: 11 }, (_, i) => i),
  );
  q.close();
});

test('a flipped byte fails the CRC: recovery keeps the intact prefix', (t) => {
  const dir = tempDir(t);
  const q = open(dir, 64 * 1024 * 1024, 1024 * 1024);
  for (let n = 0; n < 5; n += 1) q.append(Buffer.from(JSON.stringify({ n })));
  q.close();
  const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.log')) as string);
  const buf = readFileSync(seg);
  buf[buf.length - 3] ^= 0xff; // inside the last record's payload
  writeFileSync(seg, buf);
  const q2 = open(dir, 64 * 1024 * 1024, 1024 * 1024);
  assert.deepEqual(readAll(q2), [0, 1, 2, 3]);
  q2.close();
});

test('commit and uplink state persist across reopen; delivered segments are deleted', (t) => {
  const dir = tempDir(t);
  let q = open(dir);
  for (let n = 0; n < 2000; n += 1) q.append(Buffer.from(JSON.stringify({ n })));
  const segsBefore = readdirSync(dir).filter((f) => f.endsWith('.log')).length;
  q.commit(1500, { nextSeq: 42, inflight: [{ seq: 41, from: 1500, to: 2000 }] });
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.log')).length < segsBefore);
  q.close();
  q = open(dir);
  assert.equal(q.committed, 1500);
  assert.equal(q.buffered, 500);
  assert.deepEqual(q.uplinkState, { nextSeq: 42, inflight: [{ seq: 41, from: 1500, to: 2000 }] });
  assert.deepEqual(
    readAll(q, q.committed),
    Array.from({ length: 500 }, (_, i) => 1500 + i),
  );
  q.close();
});

test('bounded by maxBytes: oldest segments go first and the loss is counted', (t) => {
  const dir = tempDir(t);
  const q = open(dir, 1024 * 1024, 64 * 1024);
  const total = 20_000;
  for (let n = 0; n < total; n += 1) q.append(Buffer.from(JSON.stringify({ n, pad: 'y'.repeat(60) })));
  assert.ok(q.bytes <= 1024 * 1024, `on disk ${q.bytes} <= maxBytes`);
  const kept = readAll(q);
  assert.equal(q.dropped + kept.length, total, 'every reading is either kept or counted as dropped');
  assert.equal(kept[kept.length - 1], total - 1, 'the newest reading is kept');
  assert.deepEqual(
    kept,
    Array.from({ length: kept.length }, (_, i) => total - kept.length + i),
    'in order',
  );
  q.close();
  const again = open(dir, 1024 * 1024, 64 * 1024);
  assert.equal(again.dropped, q.dropped, 'the drop counter survives a restart');
  again.close();
});

test('records larger than the read window round-trip', (t) => {
  const dir = tempDir(t);
  const q = open(dir, 64 * 1024 * 1024, 4 * 1024 * 1024);
  const big = 'z'.repeat(600 * 1024);
  q.append(Buffer.from(JSON.stringify({ n: 0, big })));
  q.append(Buffer.from(JSON.stringify({ n: 1 })));
  const { payloads } = q.read(0, 10);
  assert.equal(payloads.length, 2);
  assert.equal((JSON.parse(payloads[0].toString()) as { big: string }).big.length, big.length);
  q.close();
});
