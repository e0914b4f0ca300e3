/**
 * H264Packetizer (RFC 6184 mode 1, issue 20's WebRTC path): round trips through the project's
 * depacketizer, packet sizes, FU-A headers and the marker bit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { H264Packetizer } from '../../src/rtsp/h264-packetizer.js';
import { H264Depacketizer } from '../../src/rtsp/h264-rtp.js';

const SPS = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02, 0x80, 0xbf, 0xe5]);
const PPS = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
function nal(type: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 13 + size) % 253 || 1;
  b[0] = 0x60 | type;
  return b;
}

describe('H264Packetizer', () => {
  const cases = [
    { name: 'keyframe with parameter sets and a fragmented IDR', nals: [SPS, PPS, nal(5, 5000)], keyframe: true },
    { name: 'small P slice in one packet', nals: [nal(1, 300)], keyframe: false },
    { name: 'NAL exactly the payload budget', nals: [nal(1, 1200)], keyframe: false },
    { name: 'NAL one byte over the budget', nals: [nal(1, 1201)], keyframe: false },
  ];
  for (const c of cases) {
    it(`round trips through H264Depacketizer: ${c.name}`, () => {
      const p = new H264Packetizer({ payloadType: 102, ssrc: 0x1234abcd, sequence: 65530 });
      const depack = new H264Depacketizer();
      // A keyframe first, so the depacketizer (which waits for an IDR) emits the case's unit.
      const key = [SPS, PPS, nal(5, 2000)];
      const packets = [...p.packetize(key, 1000), ...p.packetize(c.nals, 4600), ...p.packetize([nal(1, 10)], 8200)];
      const units = packets.flatMap((pkt) => depack.push(pkt));
      assert.equal(depack.stats.lostPackets + depack.stats.malformed, 0);
      assert.deepEqual(units[0].nals, key);
      assert.deepEqual(units[1].nals, c.nals);
      assert.equal(units[1].keyframe, c.keyframe);
      assert.equal(units[1].timestamp - units[0].timestamp, 3600);
    });
  }

  it('keeps packets within the budget, marks only the last packet of a unit, numbers them in order', () => {
    const p = new H264Packetizer({ payloadType: 102, ssrc: 7, maxPayload: 1000, sequence: 0xffff });
    const packets = p.packetize([SPS, PPS, nal(5, 4500)], 2 ** 32 + 90);
    assert.equal(packets.length, 2 + Math.ceil((4500 - 1) / 998));
    for (const [i, pkt] of packets.entries()) {
      assert.ok(pkt.length <= 12 + 1000);
      assert.equal(pkt[0], 0x80);
      assert.equal(pkt[1] & 0x7f, 102);
      assert.equal(Boolean(pkt[1] & 0x80), i === packets.length - 1, `marker on packet ${i}`);
      assert.equal(pkt.readUInt16BE(2), (0xffff + i) & 0xffff);
      assert.equal(pkt.readUInt32BE(4), 90, 'timestamp modulo 2^32');
      assert.equal(pkt.readUInt32BE(8), 7);
    }
    const fu = packets.slice(2);
    assert.deepEqual(
      fu.map((f) => [f[12], f[13]]),
      fu.map((_, i) => [0x60 | 28, (i === 0 ? 0x80 : 0) | (i === fu.length - 1 ? 0x40 : 0) | 5]),
    );
  });

  it('refuses a payload budget too small for FU-A', () => {
    assert.throws(() => new H264Packetizer({ payloadType: 96, ssrc: 1, maxPayload: 2 }), /maxPayload/);
  });
});
