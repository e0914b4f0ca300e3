import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterleavedReader } from '../../src/rtsp/reader.js';

function frame(channel: number, payload: Buffer): Buffer {
  const h = Buffer.from([0x24, channel, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([h, payload]);
}

function collect() {
  const events: string[] = [];
  const reader = new InterleavedReader({
    frame: (ch, p) => events.push(`F${ch}:${p.length}:${p.toString('hex').slice(0, 16)}:${p.at(-1)}`),
    message: (m) => events.push(`M:${m.startLine}:${m.headers.get('cseq')?.[0]}:${m.body.toString()}`),
  });
  return { events, reader };
}

// A PLAY answer, RTP and RTCP frames (one larger than a typical socket chunk cut), then a
// keep-alive answer with a body between frames, as a camera sends them on one connection.
const payload = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));
const stream = Buffer.concat([
  Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 12345678\r\nRTP-Info: url=rtsp://h/cam/trackID=1\r\n\r\n'),
  frame(0, payload(1400, 1)),
  frame(1, payload(28, 2)),
  frame(0, payload(9000, 3)),
  Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 5\r\nContent-Length: 5\r\n\r\nhello'),
  frame(0, payload(0, 4)),
  frame(0, payload(65535, 5)),
  Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n'),
  frame(0, payload(3, 6)),
]);

describe('InterleavedReader', () => {
  const expected = (() => {
    const c = collect();
    c.reader.push(stream);
    return c.events;
  })();

  it('splits messages and frames in one chunk', () => {
    assert.equal(expected.length, 9);
    assert.equal(expected[0], 'M:RTSP/1.0 200 OK:4:');
    assert.match(expected[1], /^F0:1400:/);
    assert.match(expected[2], /^F1:28:/);
    assert.equal(expected[4], 'M:RTSP/1.0 200 OK:5:hello');
    assert.match(expected[6], /^F0:65535:/);
    assert.equal(expected[7], 'M:OPTIONS * RTSP/1.0:1:');
  });

  it('gives the same result for every two-way cut and for small random chunks', () => {
    // Every cut point near the structure boundaries, and a stride through the big frames.
    const cuts = new Set<number>();
    for (let i = 0; i < 200; i++) cuts.add(i);
    for (let i = 0; i < stream.length; i += 97) cuts.add(i);
    for (let i = stream.length - 200; i < stream.length; i++) cuts.add(i);
    for (const cut of cuts) {
      const c = collect();
      c.reader.push(stream.subarray(0, cut));
      c.reader.push(stream.subarray(cut));
      assert.deepEqual(c.events, expected, `cut at ${cut}`);
    }
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let run = 0; run < 50; run++) {
      const c = collect();
      for (let off = 0; off < stream.length; ) {
        const n = 1 + (rand() % 3000);
        c.reader.push(stream.subarray(off, off + n));
        off += n;
      }
      assert.deepEqual(c.events, expected, `run ${run}`);
    }
  });

  it('hands out frames without copying when they lie inside one chunk', () => {
    const chunk = frame(0, payload(100, 9));
    let got: Buffer | undefined;
    new InterleavedReader({ frame: (_c, p) => (got = p), message: () => {} }).push(chunk);
    assert.equal(got?.buffer, chunk.buffer);
  });

  it('throws on bytes that are neither RTSP nor a frame, and on absurd headers', () => {
    const { reader } = collect();
    assert.throws(() => reader.push(Buffer.from([0x47, 0x40, 0x00, 0x10, 0x00])), /unexpected bytes/);
    assert.throws(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')), /not an RTSP message/);
    assert.throws(
      () => collect().reader.push(Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 99999999\r\n\r\n')),
      /Content-Length/,
    );
    assert.throws(() => collect().reader.push(Buffer.from(`RTSP/1.0 200 OK\r\nX: ${'a'.repeat(70_000)}`)), /too long/);
  });
});
