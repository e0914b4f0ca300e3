import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AccessUnit, H264Depacketizer } from '../../src/rtsp/h264-rtp.js';
import { fuA, rtpPacket, stapA } from '../support/rtp.js';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const SPS2 = Buffer.from([0x67, 0x64, 0x00, 0x28, 0xac, 0xd9]);
const PPS2 = Buffer.from([0x68, 0xeb, 0xe3, 0xcb]);
const AUD = Buffer.from([0x09, 0xf0]);

/**
 * A slice of `size` bytes: type 5 (IDR) or 1. `first` sets first_mb_in_slice to 0 (the picture's
 * first slice: ue(v) '1'); otherwise a later slice (leading bit 0).
 */
function slice(type: number, size: number, first = true, seed = 0): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 2; i < size; i++) b[i] = (i * 13 + seed) % 251 || 1;
  b[0] = (type === 5 ? 0x60 : 0x40) | type;
  b[1] = first ? 0x88 : 0x4c;
  return b;
}

/** An RTP sender under test control: payloads go out with consecutive sequence numbers. */
class Stream {
  readonly dep: H264Depacketizer;
  constructor(
    public seq = 1000,
    opts?: { sps?: Buffer; pps?: Buffer },
  ) {
    this.dep = new H264Depacketizer(opts);
  }
  packet(timestamp: number, payload: Buffer, marker = false): Buffer {
    const p = rtpPacket({ seq: this.seq, timestamp, marker }, payload);
    this.seq = (this.seq + 1) & 0xffff;
    return p;
  }
  /** Sends each payload; the last carries the marker bit unless `marker` is false. */
  send(timestamp: number, payloads: Buffer[], marker = true): AccessUnit[] {
    return payloads.flatMap((p, i) => this.dep.push(this.packet(timestamp, p, marker && i === payloads.length - 1)));
  }
  /** A keyframe: STAP-A (SPS, PPS) then the IDR in one packet. */
  key(timestamp: number): AccessUnit[] {
    return this.send(timestamp, [stapA([SPS, PPS]), slice(5, 300, true, timestamp)]);
  }
  p(timestamp: number): AccessUnit[] {
    return this.send(timestamp, [slice(1, 200, true, timestamp)]);
  }
}

const summary = (units: AccessUnit[]) => units.map((u) => `${u.keyframe ? 'K' : 'P'}${u.timestamp}`);

describe('H264Depacketizer (RFC 6184)', () => {
  it('STAP-A with SPS and PPS plus a single NAL unit IDR: one keyframe unit, on the marker', () => {
    const s = new Stream();
    const idr = slice(5, 300);
    assert.deepEqual(s.dep.push(s.packet(3000, stapA([SPS, PPS]))), []);
    const [unit, ...rest] = s.dep.push(s.packet(3000, idr, true));
    assert.deepEqual(rest, []);
    assert.deepEqual(unit, { timestamp: 3000, nals: [SPS, PPS, idr], keyframe: true });
    const p = slice(1, 90);
    assert.deepEqual(s.send(6000, [p]), [{ timestamp: 6000, nals: [p], keyframe: false }]);
    assert.deepEqual(s.dep.stats, {
      packets: 3,
      lostPackets: 0,
      droppedUnits: 0,
      unsupported: 0,
      malformed: 0,
      latePackets: 0,
    });
  });

  it('a single NAL unit is a view of the packet, not a copy', () => {
    const s = new Stream();
    s.key(0);
    const packet = s.packet(3000, slice(1, 50), true);
    const [unit] = s.dep.push(packet);
    assert.equal(unit.nals[0].buffer, packet.buffer);
  });

  it('FU-A over 4 packets is joined into one NAL unit that owns its bytes', () => {
    const s = new Stream();
    const idr = slice(5, 3500);
    const fragments = fuA(idr, 1000);
    assert.equal(fragments.length, 4);
    const packets = [s.packet(90, stapA([SPS, PPS])), ...fragments.map((f, i) => s.packet(90, f, i === 3))];
    const out = packets.map((p) => s.dep.push(p));
    assert.deepEqual(
      out.map((u) => u.length),
      [0, 0, 0, 0, 1],
    );
    const nal = out[4][0].nals[2];
    assert.deepEqual(nal, idr);
    for (const p of packets) p.fill(0);
    assert.deepEqual(nal, idr, 'joined NAL unit does not alias the packets');
  });

  it('without the marker bit a unit ends when the timestamp changes', () => {
    const s = new Stream();
    assert.deepEqual(s.send(0, [stapA([SPS, PPS]), slice(5, 100)], false), []);
    assert.deepEqual(summary(s.send(3000, [slice(1, 100)], false)), ['K0']);
    // The unit at 6000 is FU-A split and closes both the unit at 3000 and (marker) itself: two at once.
    const split = fuA(slice(1, 2500), 1000);
    const out = [s.dep.push(s.packet(6000, split[0])), s.dep.push(s.packet(6000, split[1]))];
    out.push(s.dep.push(s.packet(6000, split[2], true)));
    assert.deepEqual(out.map(summary), [['P3000'], [], ['P6000']]);
    assert.deepEqual(s.dep.stats.droppedUnits, 0);
  });

  it('waits for a keyframe before the first unit; an IDR with no SPS/PPS known cannot start', () => {
    const s = new Stream();
    const out = [...s.p(0), ...s.p(3000), ...s.send(6000, [slice(5, 100)]), ...s.p(9000), ...s.key(12000)];
    out.push(...s.p(15000));
    assert.deepEqual(summary(out), ['K12000', 'P15000']);
    assert.equal(s.dep.stats.droppedUnits, 4);
  });

  it('a sequence gap drops the damaged unit and every unit up to the next IDR', () => {
    const s = new Stream();
    const out = [...s.key(0), ...s.p(3000)];
    s.seq += 1; // the single packet of the unit at 6000 is lost
    out.push(...s.p(9000), ...s.p(12000), ...s.key(15000), ...s.p(18000));
    // The unit at 21000 is three FU-A packets; its middle one is lost.
    const [a, , c] = fuA(slice(1, 2500), 1000);
    out.push(...s.dep.push(s.packet(21000, a)));
    s.seq += 1;
    out.push(...s.dep.push(s.packet(21000, c, true)), ...s.p(24000), ...s.key(27000));
    assert.deepEqual(summary(out), ['K0', 'P3000', 'K15000', 'P18000', 'K27000']);
    assert.equal(s.dep.stats.lostPackets, 2);
    assert.equal(s.dep.stats.droppedUnits, 4); // 9000, 12000, 21000, 24000
    assert.equal(s.dep.stats.malformed, 0, 'the orphan FU-A end after a loss is not malformed');
  });

  it('a loss that takes the first slice of a two-slice IDR drops that IDR too', () => {
    const s = new Stream();
    const twoSlices = (ts: number) => [stapA([SPS, PPS]), slice(5, 300, true, ts), slice(5, 300, false, ts)];
    const out = [...s.send(0, twoSlices(0)), ...s.p(3000)];
    // The unit at 6000 loses its STAP-A and first slice: what arrives starts a unit of its own,
    // an IDR slice with SPS/PPS known, but not the start of a picture (first_mb_in_slice > 0).
    s.seq += 2;
    out.push(...s.send(6000, [twoSlices(6000)[2]]), ...s.p(9000), ...s.send(12000, twoSlices(12000)));
    assert.deepEqual(summary(out), ['K0', 'P3000', 'K12000']);
    assert.equal(s.dep.stats.droppedUnits, 2);
    assert.equal(s.dep.stats.lostPackets, 2);
    assert.equal(out[2].nals.length, 4);
  });

  it('sequence numbers wrapping 65535 -> 0 are not a gap', () => {
    const s = new Stream(65533);
    const idr = slice(5, 3000);
    const out = s.send(0, [stapA([SPS, PPS]), ...fuA(idr, 1000)]); // 65533, 65534, 65535, 0, 1
    out.push(...s.p(3000), ...s.p(6000));
    assert.equal(s.seq, 4);
    assert.deepEqual(summary(out), ['K0', 'P3000', 'P6000']);
    assert.deepEqual(out[0].nals[2], idr);
    assert.equal(s.dep.stats.lostPackets, 0);
  });

  it('RTP timestamps are unwrapped past 2^32', () => {
    const s = new Stream();
    const t0 = 2 ** 32 - 6000;
    const out = [...s.key(t0), ...s.p(t0 + 3000), ...s.p(t0 + 6000), ...s.p(t0 + 9000)];
    assert.deepEqual(
      out.map((u) => u.timestamp),
      [t0, t0 + 3000, 2 ** 32, 2 ** 32 + 3000],
    );
  });

  it('SPS/PPS from the SDP or seen earlier are added to an IDR unit that lacks them', () => {
    const s = new Stream(7, { sps: SPS, pps: PPS });
    const idr = slice(5, 100);
    const cases: Array<{ name: string; send: Buffer[]; nals: Buffer[] }> = [
      { name: 'IDR alone: SDP sets', send: [idr], nals: [SPS, PPS, idr] },
      { name: 'AUD first: sets after it', send: [AUD, idr], nals: [AUD, SPS, PPS, idr] },
      { name: 'in-band SPS, no PPS', send: [SPS2, idr], nals: [SPS2, PPS, idr] },
      { name: 'the in-band SPS is now the one remembered', send: [idr], nals: [SPS2, PPS, idr] },
      { name: 'in-band PPS only', send: [PPS2, idr], nals: [SPS2, PPS2, idr] },
    ];
    cases.forEach((c, i) => {
      const [unit] = s.send(i * 3000, c.send);
      assert.deepEqual(unit?.nals, c.nals, c.name);
      assert.equal(unit.keyframe, true);
    });
    // A non-IDR unit gets nothing added.
    const p = slice(1, 50);
    assert.deepEqual(s.send(99000, [p])[0].nals, [p]);
  });

  it('parameter sets sent as their own unit (marker set) join the IDR that follows', () => {
    const s = new Stream();
    const idr = slice(5, 200);
    const out = [...s.send(0, [SPS, PPS]), ...s.send(3000, [idr]), ...s.send(6000, [SPS, PPS]), ...s.p(9000)];
    assert.deepEqual(
      out.map((u) => [u.timestamp, u.nals.length]),
      [
        [3000, 3],
        [9000, 3],
      ],
    );
    assert.deepEqual(out[0].nals, [SPS, PPS, idr]);
    assert.equal(s.dep.stats.droppedUnits, 0);
  });

  it('parses CSRCs, a header extension and padding', () => {
    const s = new Stream();
    s.key(0);
    const p = slice(1, 77);
    const packet = rtpPacket(
      { seq: s.seq, timestamp: 3000, marker: true, csrcs: [1, 2, 3], extension: Buffer.alloc(8, 0xaa), padding: 5 },
      p,
    );
    assert.deepEqual(s.dep.push(packet)[0].nals, [p]);
    assert.equal(s.dep.stats.malformed, 0);
  });

  it('duplicates and late packets are dropped and counted', () => {
    const s = new Stream();
    s.key(0);
    const late = s.packet(3000, slice(1, 40), true);
    assert.equal(s.dep.push(late).length, 1);
    assert.deepEqual(s.dep.push(late), []);
    assert.equal(s.dep.stats.latePackets, 1);
    assert.deepEqual(summary(s.p(6000)), ['P6000']);
    assert.equal(s.dep.stats.lostPackets, 0);
  });

  it('a new SSRC is a discontinuity: wait for a keyframe', () => {
    const s = new Stream();
    s.key(0);
    const other = (ts: number, payload: Buffer, seq: number) =>
      rtpPacket({ seq, timestamp: ts, marker: true, ssrc: 99 }, payload);
    assert.deepEqual(s.dep.push(other(3000, slice(1, 30), 5)), []);
    assert.equal(s.dep.push(other(6000, stapA([SPS, PPS]), 6)).length, 0);
    assert.equal(s.dep.stats.droppedUnits, 1);
  });

  // Each case runs after an emitted keyframe, then sends a P unit and a keyframe: the damaged unit
  // and the P unit after it are dropped, nothing throws, the keyframe comes through.
  const malformed: Array<{ name: string; packets: (s: Stream) => Buffer[]; count?: number }> = [
    {
      name: 'shorter than the RTP header',
      packets: (s) => {
        s.seq++; // it took a sequence number: the next packet shows the gap
        return [Buffer.from([0x80, 0x60, 0, 1, 0, 0])];
      },
    },
    { name: 'RTP version 1', packets: (s) => [rtpPacket({ seq: s.seq++, timestamp: 3000, version: 1 }, slice(1, 9))] },
    { name: 'no payload', packets: (s) => [s.packet(3000, Buffer.alloc(0))] },
    {
      name: 'CSRC count beyond the packet',
      packets: (s) => {
        const p = s.packet(3000, slice(1, 9));
        p[0] |= 0x0f;
        return [p];
      },
    },
    {
      name: 'header extension longer than the packet',
      packets: (s) => {
        const p = rtpPacket({ seq: s.seq++, timestamp: 3000, extension: Buffer.alloc(4) }, slice(1, 9));
        p.writeUInt16BE(50, 14);
        return [p];
      },
    },
    {
      name: 'padding count 0',
      packets: (s) => {
        const p = rtpPacket({ seq: s.seq++, timestamp: 3000, padding: 4 }, slice(1, 9));
        p[p.length - 1] = 0;
        return [p];
      },
    },
    {
      name: 'padding longer than the payload',
      packets: (s) => {
        const p = rtpPacket({ seq: s.seq++, timestamp: 3000, padding: 4 }, slice(1, 9));
        p[p.length - 1] = 200;
        return [p];
      },
    },
    { name: 'STAP-A with no NAL unit', packets: (s) => [s.packet(3000, Buffer.from([24]))] },
    { name: 'STAP-A size past the end', packets: (s) => [s.packet(3000, Buffer.from([24, 0, 9, 0x41, 0x88]))] },
    { name: 'STAP-A size 0', packets: (s) => [s.packet(3000, Buffer.from([24, 0, 0, 0, 2, 0x41, 0x88]))] },
    {
      name: 'STAP-A cut inside a size field',
      packets: (s) => [s.packet(3000, Buffer.from([24, 0, 2, 0x41, 0x88, 0]))],
    },
    { name: 'FU-A of one byte', packets: (s) => [s.packet(3000, Buffer.from([28]))] },
    { name: 'FU-A end without start', packets: (s) => [s.packet(3000, fuA(slice(1, 2500), 1000)[2], true)] },
    {
      name: 'FU-A start while another NAL unit is open',
      packets: (s) => {
        const [a] = fuA(slice(1, 2500), 1000);
        const [b, , c] = fuA(slice(1, 2500), 1000);
        return [s.packet(3000, a), s.packet(3000, b), s.packet(3000, c, true)];
      },
    },
    {
      name: 'single NAL unit while an FU-A is open',
      packets: (s) => [s.packet(3000, fuA(slice(1, 2500), 1000)[0]), s.packet(3000, slice(1, 20), true)],
    },
    {
      name: 'marker bit inside an FU-A',
      packets: (s) => [s.packet(3000, fuA(slice(1, 2500), 1000)[0], true)],
    },
  ];
  for (const c of malformed) {
    it(`malformed: ${c.name} is counted, never thrown`, () => {
      const s = new Stream();
      const out = [...s.key(0)];
      for (const p of c.packets(s)) out.push(...s.dep.push(p));
      out.push(...s.p(6000), ...s.key(9000));
      assert.deepEqual(summary(out), ['K0', 'K9000']);
      assert.equal(s.dep.stats.malformed, c.count ?? 1);
    });
  }

  it('STAP-B, MTAP16, MTAP24 and FU-B are unsupported: counted, their unit dropped', () => {
    for (const type of [25, 26, 27, 29]) {
      const s = new Stream();
      const out = [...s.key(0), ...s.send(3000, [Buffer.from([type, 0, 1, 2, 3, 4])]), ...s.p(6000), ...s.key(9000)];
      assert.deepEqual(summary(out), ['K0', 'K9000'], `type ${type}`);
      assert.deepEqual([s.dep.stats.unsupported, s.dep.stats.droppedUnits, s.dep.stats.malformed], [1, 2, 0]);
    }
  });

  it('reserved NAL unit types 0, 30, 31 are counted and skipped; the unit survives', () => {
    const s = new Stream();
    const p = slice(1, 30);
    s.key(0);
    const out = s.send(3000, [Buffer.from([0x00, 1]), Buffer.from([0x1e, 1]), Buffer.from([0x1f, 1]), p]);
    assert.deepEqual(out[0].nals, [p]);
    assert.equal(s.dep.stats.unsupported, 3);
  });
});
