import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  NAL_IDR,
  NAL_SPS,
  nalUnitTypes,
  PacketAligner,
  parsePacketHeader,
  parsePesStart,
  STREAM_TYPE_H264,
  TS_PACKET_SIZE,
  TsSegmenter,
} from '../../src/ts/index.js';
import { makeTs } from '../support/fixture.js';

// Real bytes: ffmpeg/libx264 at 15 fps with a keyframe every 15 frames, 2 s -> 30 frames, 2 GOPs.
let capture: Buffer;
before(() => {
  capture = makeTs({ seconds: 2, fps: 15, gop: 15 });
});

function segmentAll(chunks: Buffer[]) {
  const aligner = new PacketAligner();
  const seg = new TsSegmenter();
  const out = chunks.flatMap((c) => seg.push(aligner.push(c)));
  return { aligner, seg, out };
}

describe('PacketAligner + TsSegmenter on a real capture', () => {
  const cases: Array<{ name: string; chunks: () => Buffer[]; skipped: number }> = [
    { name: 'one buffer', chunks: () => [capture], skipped: 0 },
    {
      name: 'odd 1000-byte chunks',
      chunks: () =>
        Array.from({ length: Math.ceil(capture.length / 1000) }, (_, i) => capture.subarray(i * 1000, i * 1000 + 1000)),
      skipped: 0,
    },
    {
      name: 'garbage before the first packet',
      chunks: () => [Buffer.from('HTTP junk G G\x47\x47'), capture],
      skipped: 15,
    },
    {
      name: 'a truncated packet in the middle (resync)',
      chunks: () => [capture.subarray(0, 188 * 40 + 77), capture.subarray(188 * 41)],
      skipped: 77,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: finds PAT/PMT/H.264 PID and cuts at both keyframes`, () => {
      const { aligner, seg, out } = segmentAll(c.chunks());
      assert.equal(aligner.skippedBytes, c.skipped);
      assert.equal(seg.videoStreamType, STREAM_TYPE_H264);
      assert.equal(seg.pmtPid, 0x1000); // ffmpeg's default PMT PID
      assert.equal(seg.videoPid, 0x100);
      const keys = out.filter((s) => s.keyframe);
      assert.equal(keys.length, 2);
      const frames = out.flatMap((s) => s.frames);
      // The packet lost in the truncation case is mid-frame: no frame start goes missing.
      assert.equal(frames.length, 30);
      for (const s of out) assert.equal(s.data.length % TS_PACKET_SIZE, 0);
      // Every keyframe segment opens with the video PES start carrying SPS and an IDR.
      for (const k of keys) {
        const h = parsePacketHeader(k.data, 0);
        assert.ok(h?.pusi && h.pid === 0x100);
        const pes = parsePesStart(k.data, h.payloadOffset, TS_PACKET_SIZE);
        assert.ok(pes);
        const types = nalUnitTypes(k.data, pes.dataOffset, TS_PACKET_SIZE);
        assert.ok(types.includes(NAL_SPS), `types ${types}`);
      }
      // PTS advance by 90000/15 = 6000 ticks per frame.
      const pts = frames.map((f) => f.pts ?? -1).filter((p) => p >= 0);
      assert.ok(pts.length >= 29);
      for (let i = 1; i < pts.length; i++) assert.equal(pts[i] - pts[i - 1], 6000);
    });
  }

  it('psi() is PAT then PMT, two whole packets', () => {
    const { seg } = segmentAll([capture]);
    const psi = seg.psi();
    assert.ok(psi);
    assert.equal(psi.length, 2 * TS_PACKET_SIZE);
    assert.equal(parsePacketHeader(psi, 0)?.pid, 0);
    assert.equal(parsePacketHeader(psi, TS_PACKET_SIZE)?.pid, 0x1000);
  });

  it('the keyframe (IDR) NAL unit is present in the keyframe PES', () => {
    const { out } = segmentAll([capture]);
    const key = out.find((s) => s.keyframe);
    assert.ok(key);
    assert.ok(nalUnitTypes(key.data).includes(NAL_IDR));
  });
});

describe('parsePacketHeader', () => {
  it('rejects a packet without sync byte and reads the adaptation field flags', () => {
    const p = Buffer.alloc(188, 0xff);
    assert.equal(parsePacketHeader(p, 0), undefined);
    // sync, PUSI + PID 0x100, adaptation+payload, AF length 7 with random_access_indicator.
    p.set([0x47, 0x41, 0x00, 0x30, 0x07, 0x40], 0);
    const h = parsePacketHeader(p, 0);
    assert.deepEqual(h, { pid: 0x100, pusi: true, randomAccess: true, continuityCounter: 0, payloadOffset: 12 });
  });
});
