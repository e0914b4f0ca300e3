import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { H264Depacketizer } from '../../src/rtsp/h264-rtp.js';
import {
  crc32Mpeg2,
  NAL_AUD,
  NAL_IDR,
  NAL_PPS,
  NAL_SPS,
  nalUnitTypes,
  PAT_PID,
  PacketAligner,
  parsePacketHeader,
  parsePat,
  parsePesStart,
  parsePmt,
  STREAM_TYPE_H264,
  TS_PACKET_SIZE,
  TsMuxer,
  TsSegmenter,
} from '../../src/ts/index.js';
import { makeTs } from '../support/fixture.js';
import { type CapturedUnit, captureUnits, H264RtpSender } from '../support/rtp.js';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
/** A slice NAL unit of `size` bytes (type 5 IDR or 1 non-IDR), with a non-zero byte pattern. */
function slice(type: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + 3) % 251 || 1;
  b[0] = 0x60 | type;
  b[1] = 0x88;
  return b;
}

interface PesSeen {
  packets: number;
  pts?: number;
  es: Buffer;
  pcr?: number;
  randomAccess: boolean;
  /** adaptation_field_length of the PES's last packet, -1 without an adaptation field. */
  lastAf: number;
}

/** Splits muxed output into PES packets of `pid`, checking each TS packet's framing on the way. */
function readPes(ts: Buffer, pid = 0x100): PesSeen[] {
  assert.equal(ts.length % TS_PACKET_SIZE, 0);
  const out: Array<PesSeen & { chunks: Buffer[] }> = [];
  for (let off = 0; off < ts.length; off += TS_PACKET_SIZE) {
    assert.equal(ts[off], 0x47, `sync byte at ${off}`);
    const h = parsePacketHeader(ts, off);
    assert.ok(h);
    if (h.pid !== pid) continue;
    assert.ok(h.payloadOffset > 0, 'every video packet carries payload');
    const afc = (ts[off + 3] >> 4) & 3;
    if (h.pusi) {
      assert.equal(afc, 3, 'first packet of a PES has an adaptation field');
      const flags = ts[off + 5];
      assert.ok(flags & 0x10, 'PCR_flag on the first packet of each PES');
      const pcr = ts.readUInt32BE(off + 6) * 2 + (ts[off + 10] >> 7);
      out.push({ packets: 0, pcr, randomAccess: (flags & 0x40) !== 0, es: Buffer.alloc(0), lastAf: -1, chunks: [] });
    }
    const cur = out.at(-1);
    assert.ok(cur, 'video payload before any PES start');
    cur.packets++;
    cur.lastAf = afc === 3 ? ts[off + 4] : -1;
    cur.chunks.push(ts.subarray(off + h.payloadOffset, off + TS_PACKET_SIZE));
  }
  return out.map(({ chunks, ...p }) => {
    const pes = Buffer.concat(chunks);
    const start = parsePesStart(pes, 0);
    assert.ok(start);
    assert.equal(start.streamId, 0xe0);
    assert.equal(pes.readUInt16BE(4), 0, 'PES_packet_length 0 (unbounded video)');
    return { ...p, pts: start.pts, es: pes.subarray(start.dataOffset) };
  });
}

function annexB(nals: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0, 0, 0, 1, 9, 0xf0]), ...nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n])]);
}

describe('TsMuxer', () => {
  it('writes PAT and PMT that psi.ts parses, with valid CRCs, for default and custom PIDs', () => {
    const cases = [
      { opts: {}, pmtPid: 0x1000, videoPid: 0x100, program: 1 },
      { opts: { videoPid: 0x44, pmtPid: 0x20, programNumber: 7 }, pmtPid: 0x20, videoPid: 0x44, program: 7 },
    ];
    for (const c of cases) {
      const ts = new TsMuxer(c.opts).mux({ timestamp: 0, nals: [SPS, PPS, slice(NAL_IDR, 500)], keyframe: true });
      const pat = parsePacketHeader(ts, 0);
      const pmt = parsePacketHeader(ts, TS_PACKET_SIZE);
      assert.equal(pat?.pid, PAT_PID);
      assert.equal(pmt?.pid, c.pmtPid);
      assert.deepEqual(parsePat(ts.subarray(0, TS_PACKET_SIZE), pat.payloadOffset), [c.pmtPid]);
      const pmtPacket = ts.subarray(TS_PACKET_SIZE, 2 * TS_PACKET_SIZE);
      assert.deepEqual(parsePmt(pmtPacket, pmt.payloadOffset), [{ streamType: STREAM_TYPE_H264, pid: c.videoPid }]);
      assert.equal(pmtPacket.readUInt16BE(13) & 0x1fff, c.videoPid, 'PCR_PID is the video PID');
      for (const packet of [ts.subarray(0, TS_PACKET_SIZE), pmtPacket]) {
        const sectionLength = packet.readUInt16BE(6) & 0x0fff;
        assert.equal(crc32Mpeg2(packet, 5, 8 + sectionLength), 0, 'section with its CRC_32 checks to 0');
        assert.equal(packet.readUInt16BE(8), packet === pmtPacket ? c.program : 1);
      }
      assert.equal(readPes(ts, c.videoPid).length, 1);
    }
  });

  it('crc32Mpeg2: the standard check value, and the PAT ffmpeg writes is the same as ours', () => {
    assert.equal(crc32Mpeg2(Buffer.from('123456789')), 0x0376e6e7);
    const capture = makeTs({ seconds: 0.2 });
    let at = 0;
    while (at < capture.length && parsePacketHeader(capture, at)?.pid !== PAT_PID) at += TS_PACKET_SIZE;
    const ffPat = capture.subarray(at, at + TS_PACKET_SIZE);
    assert.equal(parsePacketHeader(ffPat)?.pid, PAT_PID);
    const ours = new TsMuxer().mux({ timestamp: 0, nals: [slice(NAL_IDR, 50)], keyframe: true });
    // Same section (transport_stream_id 1, program 1 -> PMT 0x1000) and so the same CRC_32.
    assert.deepEqual(ours.subarray(4, TS_PACKET_SIZE), ffPat.subarray(4));
  });

  it('PAT and PMT come before the first unit and before every keyframe, not before other frames', () => {
    const mux = new TsMuxer();
    const kinds = [false, false, true, false, true];
    const firstPids = kinds.map((keyframe, i) => {
      const ts = mux.mux({ timestamp: i * 3000, nals: [slice(keyframe ? NAL_IDR : 1, 300)], keyframe });
      return [0, 1, 2].map((k) => parsePacketHeader(ts, k * TS_PACKET_SIZE)?.pid);
    });
    const psi = [PAT_PID, 0x1000, 0x100];
    const video = [0x100, 0x100, undefined]; // 300-byte slice: two packets
    assert.deepEqual(firstPids, [psi, video, psi, video, psi]);
  });

  it('continuity counters count mod 16 per PID; every packet is 188 bytes starting with 0x47', () => {
    const mux = new TsMuxer();
    const chunks: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const keyframe = i % 10 === 0;
      chunks.push(mux.mux({ timestamp: i * 3000, nals: [slice(keyframe ? NAL_IDR : 1, 100 + i * 97)], keyframe }));
    }
    const ts = Buffer.concat(chunks);
    assert.equal(ts.length % TS_PACKET_SIZE, 0);
    const last = new Map<number, number>();
    const count = new Map<number, number>();
    for (let off = 0; off < ts.length; off += TS_PACKET_SIZE) {
      assert.equal(ts[off], 0x47);
      const h = parsePacketHeader(ts, off);
      assert.ok(h);
      const prev = last.get(h.pid);
      if (prev !== undefined) assert.equal(h.continuityCounter, (prev + 1) % 16, `PID ${h.pid} at ${off}`);
      else assert.equal(h.continuityCounter, 0);
      last.set(h.pid, h.continuityCounter);
      count.set(h.pid, (count.get(h.pid) ?? 0) + 1);
    }
    assert.equal(count.get(PAT_PID), 6);
    assert.equal(count.get(0x1000), 6);
    assert.ok((count.get(0x100) ?? 0) > 16, 'the video counter wraps');
  });

  // PES = 14-byte header + 6-byte AUD + 4-byte start code + NAL. The first packet holds 176 bytes
  // after its PCR, the others 184; the last one is filled by adaptation-field stuffing.
  const sizes = [
    { name: 'a tiny unit: one packet, PCR plus stuffing', pes: 40, packets: 1, lastAf: 183 - 40 },
    { name: 'exactly one first packet', pes: 176, packets: 1, lastAf: 7 },
    { name: 'one byte into a second packet', pes: 177, packets: 2, lastAf: 182 },
    { name: 'second packet short by one: flags-only adaptation field', pes: 176 + 182, packets: 2, lastAf: 1 },
    { name: 'second packet short by one byte: adaptation_field_length 0', pes: 176 + 183, packets: 2, lastAf: 0 },
    { name: 'second packet exactly full: no adaptation field', pes: 176 + 184, packets: 2, lastAf: -1 },
    // (20000 - 176) = 107 * 184 + 136: 109 packets, the last with 136 bytes.
    { name: 'a 20 kB unit', pes: 20_000, packets: 109, lastAf: 183 - 136 },
  ];
  for (const s of sizes) {
    it(`PES framing: ${s.name}`, () => {
      const nal = slice(NAL_IDR, s.pes - 24);
      const ts = new TsMuxer().mux({ timestamp: 12_345, nals: [nal], keyframe: false });
      assert.equal(ts.length, (2 + s.packets) * TS_PACKET_SIZE);
      const [pes] = readPes(ts);
      assert.equal(pes.packets, s.packets);
      assert.equal(pes.lastAf, s.lastAf);
      // Exactly the Annex B bytes: no 0xFF payload padding, nothing missing.
      assert.deepEqual(pes.es, annexB([nal]));
      assert.equal(pes.pts, 12_345 + 9000);
      assert.equal(pes.pcr, 12_345);
      const lastStart = ts.length - TS_PACKET_SIZE;
      if (s.lastAf >= 1 && s.packets > 1) {
        assert.equal(ts[lastStart + 5], 0, 'stuffing adaptation field has no flags');
        assert.ok(ts.subarray(lastStart + 6, lastStart + 5 + s.lastAf).every((b) => b === 0xff));
      }
    });
  }

  it('one AUD leads each PES; AUDs in the input are dropped; NAL order is kept', () => {
    const aud = Buffer.from([NAL_AUD, 0x10]);
    const nals = [aud, SPS, PPS, slice(NAL_IDR, 900)];
    const [pes] = readPes(new TsMuxer().mux({ timestamp: 0, nals, keyframe: true }));
    assert.deepEqual(nalUnitTypes(pes.es), [NAL_AUD, NAL_SPS, NAL_PPS, NAL_IDR]);
    assert.deepEqual(pes.es, annexB(nals.slice(1)));
  });

  it('random_access_indicator on keyframes only; PCR and PTS follow each timestamp', () => {
    const mux = new TsMuxer({ ptsOffset: 4500 });
    const units = [0, 1, 2, 3].map((i) => ({
      timestamp: 1000 + i * 3003,
      nals: [slice(i === 2 ? 5 : 1, 400)],
      keyframe: i === 2,
    }));
    const pes = readPes(Buffer.concat(units.map((u) => mux.mux(u))));
    assert.deepEqual(
      pes.map((p) => [p.randomAccess, p.pcr, p.pts]),
      units.map((u) => [u.keyframe, u.timestamp, u.timestamp + 4500]),
    );
  });

  it('PTS and PCR wrap modulo 2^33, beyond 32 bits without truncation', () => {
    const cases = [
      { timestamp: 2 ** 32 + 1, pts: 2 ** 32 + 9001, pcr: 2 ** 32 + 1 },
      { timestamp: 2 ** 33 - 100, pts: 8900, pcr: 2 ** 33 - 100 },
      { timestamp: 2 ** 33 - 9000, pts: 0, pcr: 2 ** 33 - 9000 },
      { timestamp: 2 ** 34 + 5, pts: 9005, pcr: 5 },
      { timestamp: 2 ** 33 - 9001, pts: 2 ** 33 - 1, pcr: 2 ** 33 - 9001 },
      { timestamp: -100, pts: 8900, pcr: 2 ** 33 - 100 },
    ];
    for (const c of cases) {
      const [pes] = readPes(new TsMuxer().mux({ timestamp: c.timestamp, nals: [slice(1, 10)], keyframe: false }));
      assert.deepEqual({ pts: pes.pts, pcr: pes.pcr }, { pts: c.pts, pcr: c.pcr }, `timestamp ${c.timestamp}`);
    }
  });

  it('refuses reserved, null or colliding PIDs', () => {
    for (const opts of [
      { videoPid: 0x0f },
      { pmtPid: 0x1fff },
      { videoPid: 0x100, pmtPid: 0x100 },
      { programNumber: 0 },
    ]) {
      assert.throws(() => new TsMuxer(opts), RangeError, JSON.stringify(opts));
    }
  });
});

/** ffprobe's view of a file: decoded frames (pts, key) and whatever it printed on stderr. */
function probe(file: string) {
  const r = spawnSync('ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts,key_frame', '-of', 'json', file],
  ]);
  const frames = (JSON.parse(r.stdout.toString()).frames ?? []) as Array<{ pts: number; key_frame: number }>;
  return { frames, stderr: r.stderr.toString() };
}

/** ffmpeg decoding the whole file: its error output (empty when every frame decodes). */
function decodeErrors(file: string): string {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-']);
  return `${r.status === 0 ? '' : `exit ${r.status} `}${r.stderr.toString()}`;
}

describe('RTP -> H264Depacketizer -> TsMuxer on a real capture', () => {
  const FRAME = 6000; // 15 fps at 90 kHz
  const BASE = 2 ** 32 - 2 * FRAME; // RTP timestamps wrap after the second frame
  let units: CapturedUnit[];
  let dir: string;
  before(() => {
    // libx264, 640x360, 15 fps, IDR every 15 frames: 30 frames, 2 GOPs, IDRs well over one MTU.
    units = captureUnits(makeTs({ seconds: 2, width: 640, height: 360, fps: 15, gop: 15, bitrate: '1500k' }));
    dir = mkdtempSync(join(tmpdir(), 'gw-muxer-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** RTP packets per unit (sequence numbers wrap in the first unit), as a camera would send them. */
  function packetize(nalsOf: (u: CapturedUnit) => Buffer[] = (u) => u.nals): Buffer[][] {
    const sender = new H264RtpSender(65530, 1400);
    return units.map((u, i) => sender.send(nalsOf(u), (BASE + i * FRAME) % 2 ** 32));
  }

  function run(packets: Buffer[][], dep = new H264Depacketizer()) {
    const aus = packets.flat().flatMap((p) => dep.push(p));
    const mux = new TsMuxer();
    const ts = Buffer.concat(aus.map((au) => mux.mux(au)));
    const file = join(dir, `${Math.random().toString(36).slice(2)}.ts`);
    writeFileSync(file, ts);
    return { dep, aus, ts, file };
  }

  it('every frame arrives intact, and the TS decodes in ffmpeg and in our segmenter', () => {
    assert.equal(units.length, 30);
    assert.deepEqual(
      units.flatMap((u, i) => (u.keyframe ? [i] : [])),
      [0, 15],
    );
    const packets = packetize();
    assert.ok(packets[0].length > 5, 'the IDR goes out as FU-A fragments');
    const { dep, aus, ts, file } = run(packets);
    assert.deepEqual(
      aus.map((a) => a.nals),
      units.map((u) => u.nals),
    );
    assert.deepEqual(
      aus.map((a) => [a.timestamp, a.keyframe]),
      units.map((u, i) => [BASE + i * FRAME, u.keyframe]),
    );
    assert.deepEqual([dep.stats.lostPackets, dep.stats.droppedUnits, dep.stats.malformed], [0, 0, 0]);

    const seg = new TsSegmenter();
    const segments = seg.push(new PacketAligner().push(ts));
    assert.deepEqual([seg.pmtPid, seg.videoPid, seg.videoStreamType], [0x1000, 0x100, STREAM_TYPE_H264]);
    assert.deepEqual(
      segments.flatMap((s) => s.frames),
      aus.map((a) => ({ pts: (a.timestamp + 9000) % 2 ** 33, keyframe: a.keyframe })),
    );
    assert.equal(segments.filter((s) => s.keyframe).length, 2);

    const { frames, stderr } = probe(file);
    assert.equal(stderr, '');
    assert.equal(frames.length, 30);
    for (let i = 1; i < frames.length; i++) assert.ok(frames[i].pts > frames[i - 1].pts, `pts at frame ${i}`);
    assert.deepEqual(
      frames.flatMap((f, i) => (f.key_frame ? [i] : [])),
      [0, 15],
    );
    assert.equal(decodeErrors(file), '');
  });

  it('a lost P frame: the rest of its GOP is dropped, what is emitted still decodes', () => {
    const packets = packetize();
    packets[5] = []; // every packet of frame 5
    const { dep, aus, file } = run(packets);
    assert.deepEqual(
      aus.map((a) => (a.timestamp - BASE) / FRAME),
      [0, 1, 2, 3, 4, ...Array.from({ length: 15 }, (_, i) => 15 + i)],
    );
    assert.equal(dep.stats.droppedUnits, 9); // frames 6..14
    assert.ok(dep.stats.lostPackets >= 1);
    assert.equal(probe(file).frames.length, 20);
    assert.equal(decodeErrors(file), '');
  });

  it('a packet lost inside the second IDR: nothing more until a keyframe, no decode errors', () => {
    const packets = packetize();
    packets[15].splice(2, 1);
    const { dep, aus, file } = run(packets);
    assert.equal(aus.length, 15);
    assert.deepEqual([dep.stats.lostPackets, dep.stats.droppedUnits], [1, 15]);
    assert.equal(decodeErrors(file), '');
  });

  it('SPS/PPS only in the SDP: every keyframe is self-contained, a viewer can join at the second', () => {
    const isParam = (n: Buffer) => (n[0] & 0x1f) === NAL_SPS || (n[0] & 0x1f) === NAL_PPS;
    const sps = units[0].nals.find((n) => (n[0] & 0x1f) === NAL_SPS);
    const pps = units[0].nals.find((n) => (n[0] & 0x1f) === NAL_PPS);
    const packets = packetize((u) => u.nals.filter((n) => !isParam(n)));
    const { aus, ts } = run(packets, new H264Depacketizer({ sps, pps }));
    assert.equal(aus.length, 30);
    for (const k of aus.filter((a) => a.keyframe)) {
      assert.deepEqual(k.nals.slice(0, 2), [sps, pps]);
    }
    // A late joiner: PAT/PMT, then everything from the second keyframe on.
    const seg = new TsSegmenter();
    const segments = seg.push(ts);
    const [, from] = segments.flatMap((s, i) => (s.keyframe ? [i] : []));
    const psi = seg.psi();
    assert.ok(from && psi);
    const late = join(dir, 'late.ts');
    writeFileSync(late, Buffer.concat([psi, ...segments.slice(from).map((s) => s.data)]));
    const { frames, stderr } = probe(late);
    assert.equal(stderr, '');
    assert.equal(frames.length, 15);
    assert.equal(frames[0].key_frame, 1);
    assert.equal(decodeErrors(late), '');
  });
});
