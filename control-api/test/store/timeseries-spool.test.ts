/**
 * The outage spool on disk: record framing (length + CRC-32) round trip, a torn or corrupt tail
 * truncated at the last whole record on recovery, replay order across segments and restarts,
 * and the byte cap evicting the oldest segments with every evicted point counted.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { decodeRecords, encodeRecord, OutageSpool } from '../../src/store/timeseries-spool.js';

const log = pino({ level: 'silent' });
const root = mkdtempSync(join(tmpdir(), 'gwanje-spool-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `s${n++}`);
const rec = (i: number, count = 10) => ({
  bytes: Buffer.from(`reading,sensorId=s${i} value=${i} ${1000 + i}\n`),
  count,
  minTs: 1000 + i,
});

async function drain(spool: OutageSpool): Promise<number[]> {
  const out: number[] = [];
  for (let r = await spool.peek(); r; r = await spool.peek()) {
    out.push(r.minTs - 1000);
    spool.ack();
  }
  return out;
}

test('records round trip; decoding stops at a torn or corrupt record', () => {
  const a = encodeRecord(rec(1, 3));
  const korean = Buffer.from('reading,sensorId=한글\\ x value=1.5 7\n');
  const b = encodeRecord({ bytes: korean, count: 1, minTs: 7 });
  const both = Buffer.concat([a, b]);
  const { records, end } = decodeRecords(both);
  assert.equal(end, both.length);
  assert.deepEqual(
    records.map((r) => ({ bytes: gunzipSync(r.gz), count: r.count, minTs: r.minTs })),
    [rec(1, 3), { bytes: korean, count: 1, minTs: 7 }],
  );
  assert.equal(decodeRecords(both.subarray(0, both.length - 1)).end, a.length, 'torn tail');
  const flipped = Buffer.from(both);
  flipped[a.length + 20] ^= 0xff;
  assert.equal(decodeRecords(flipped).end, a.length, 'CRC mismatch');
});

test('replays in order across segments and a restart; a torn tail is truncated, not replayed', async () => {
  const dir = freshDir();
  const s1 = new OutageSpool({ dir, log, segmentBytes: 200, maxBytes: 1e9 });
  s1.open();
  for (let i = 0; i < 10; i++) s1.append([rec(i)]);
  assert.equal(s1.points, 100);
  await s1.close();
  const segs = readdirSync(dir).sort();
  assert.ok(segs.length >= 3, `several segments (${segs.length})`);
  // A crash mid-append: half a record at the end of the newest segment.
  const last = join(dir, segs[segs.length - 1]);
  const whole = statSync(last).size;
  appendFileSync(last, encodeRecord(rec(99)).subarray(0, 15));

  const s2 = new OutageSpool({ dir, log, segmentBytes: 200, maxBytes: 1e9 });
  s2.open();
  assert.equal(statSync(last).size, whole, 'torn tail truncated');
  assert.equal(s2.points, 100);
  const first = await s2.peek();
  assert.equal(first?.minTs, 1000);
  s2.ack();
  // Restart mid-replay: the unacknowledged rest is still there (the first segment's acknowledged
  // records may come again, which InfluxDB de-duplicates).
  await s2.close();
  const s3 = new OutageSpool({ dir, log, segmentBytes: 200, maxBytes: 1e9 });
  s3.open();
  s3.append([rec(10)]);
  const order = await drain(s3);
  assert.deepEqual(order.slice(-10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(s3.points, 0);
  assert.deepEqual(readdirSync(dir), [], 'replayed segments deleted');
});

test('a segment corrupt in the middle keeps the records before the damage', async () => {
  const dir = freshDir();
  const s = new OutageSpool({ dir, log, maxBytes: 1e9 });
  s.open();
  for (let i = 0; i < 5; i++) s.append([rec(i)]);
  await s.close();
  const [seg] = readdirSync(dir);
  const buf = readFileSync(join(dir, seg));
  const recLen = encodeRecord(rec(0)).length;
  buf[2 * recLen + 10] ^= 0x55; // third record damaged
  writeFileSync(join(dir, seg), buf);
  const s2 = new OutageSpool({ dir, log, maxBytes: 1e9 });
  s2.open();
  assert.equal(s2.points, 20);
  assert.deepEqual(await drain(s2), [0, 1]);
});

test('the byte cap evicts the oldest segments first and counts every evicted point', async () => {
  const dir = freshDir();
  const recLen = encodeRecord(rec(0)).length;
  // Two records per segment, room for three segments.
  const s = new OutageSpool({ dir, log, segmentBytes: 2 * recLen, maxBytes: 6 * recLen });
  s.open();
  assert.equal(s.maxBytes, 6 * recLen);
  for (let i = 0; i < 11; i++) s.append([rec(i, i + 1)]);
  assert.ok(s.bytes <= 6 * recLen);
  const kept = await drain(s);
  const evicted = Array.from({ length: 11 }, (_, i) => i).filter((i) => !kept.includes(i));
  assert.deepEqual(kept, [6, 7, 8, 9, 10], 'the newest survive, in order');
  assert.equal(
    s.evicted,
    evicted.reduce((t, i) => t + i + 1, 0),
    'points of evicted records, exactly',
  );
});

test('the default cap is at most 2 GiB and a quarter of the free disk', () => {
  const s = new OutageSpool({ dir: freshDir(), log });
  s.open();
  assert.ok(s.maxBytes > 0 && s.maxBytes <= 2 * 1024 ** 3);
});
