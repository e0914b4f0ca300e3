/**
 * TsAccessUnitReader (issue 20, the WebRTC path): H.264 access units read back out of MPEG-TS,
 * against the project's muxer (exact round trip) and against a real ffmpeg capture.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NAL_IDR,
  NAL_PPS,
  NAL_SPS,
  splitAnnexB,
  TS_PACKET_SIZE,
  TsAccessUnitReader,
  TsMuxer,
  TsSegmenter,
} from '../../src/ts/index.js';
import { makeTs } from '../support/fixture.js';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
function slice(type: number, size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + seed) % 251 || 1;
  b[0] = 0x60 | type;
  return b;
}

/** Reads `ts` in chunks of `chunk` packets the way the relay sees it (PSI from its segmenter). */
function readAll(ts: Buffer, chunk: number, reader = new TsAccessUnitReader()) {
  const seg = new TsSegmenter();
  const out = [];
  for (let off = 0; off < ts.length; off += chunk * TS_PACKET_SIZE) {
    const packets = ts.subarray(off, Math.min(ts.length, off + chunk * TS_PACKET_SIZE));
    seg.push(packets);
    const psi = seg.psi();
    if (psi) reader.usePsi(psi);
    out.push(...reader.push(packets));
  }
  return out;
}

describe('TsAccessUnitReader', () => {
  const units = Array.from({ length: 12 }, (_, i) => ({
    timestamp: 90_000 + i * 3600,
    keyframe: i % 6 === 0,
    nals: i % 6 === 0 ? [SPS, PPS, slice(NAL_IDR, 3000 + i, i)] : [slice(1, 200 + i * 97, i)],
  }));
  const mux = new TsMuxer();
  const ts = Buffer.concat(units.map((u) => mux.mux(u)));

  for (const chunk of [1, 7, 1000]) {
    it(`gives back the muxed units, NAL for NAL, with PTS and keyframes (chunks of ${chunk} packets)`, () => {
      const got = readAll(ts, chunk);
      // The last unit's PES has no length: it ends only when a next one starts.
      assert.equal(got.length, units.length - 1);
      got.forEach((au, i) => {
        assert.equal(au.pts, (units[i].timestamp + 9000) % 2 ** 33, `pts of unit ${i}`); // + the muxer's 100 ms
        assert.equal(au.keyframe, units[i].keyframe);
        assert.deepEqual(au.nals, units[i].nals);
      });
    });
  }

  it('drops a unit that lost a packet (continuity counter gap) and resumes with the next', () => {
    const packets = ts.length / TS_PACKET_SIZE;
    const damaged: Buffer[] = [];
    // Unit 0 is long (a 3000-byte IDR): take out its 5th packet.
    for (let p = 0; p < packets; p++)
      if (p !== 5) damaged.push(ts.subarray(p * TS_PACKET_SIZE, (p + 1) * TS_PACKET_SIZE));
    const reader = new TsAccessUnitReader();
    const got = readAll(Buffer.concat(damaged), 3, reader);
    assert.equal(got.length, units.length - 2);
    assert.equal(reader.dropped, 1);
    assert.deepEqual(got[0].nals, units[1].nals);
  });

  it('reads nothing before it knows the video PID', () => {
    assert.deepEqual(new TsAccessUnitReader().push(ts), []);
  });

  it('reads a real ffmpeg capture: one unit per frame, IDR with SPS and PPS once per GOP', () => {
    const capture = makeTs({ seconds: 2, fps: 15, gop: 15 });
    const got = readAll(capture, 20);
    assert.ok(got.length >= 28 && got.length <= 30, `units: ${got.length}`);
    const keys = got.filter((u) => u.keyframe);
    assert.equal(keys.length, 2);
    for (const k of keys) {
      const types = k.nals.map((n) => n[0] & 0x1f);
      assert.ok(types.includes(NAL_SPS) && types.includes(NAL_PPS) && types.includes(NAL_IDR), String(types));
    }
    for (let i = 1; i < got.length; i++) assert.equal(got[i].pts - got[i - 1].pts, 6000, `frame ${i} 1/15 s later`);
  });
});

describe('splitAnnexB', () => {
  it('splits on 3- and 4-byte start codes, drops AUDs and empty units', () => {
    const es = Buffer.from([
      0, 0, 0, 1, 9, 0xf0, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 1, 0, 0, 1, 0x65, 4, 5,
    ]);
    assert.deepEqual(splitAnnexB(es), [Buffer.from([0x67, 1, 2]), Buffer.from([0x68, 3]), Buffer.from([0x65, 4, 5])]);
  });
});
