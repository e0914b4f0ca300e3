/**
 * H.264 RTP packetizer (RFC 6184, packetization-mode 1): each NAL unit of an access unit goes out
 * as a single NAL unit packet (§5.6) when it fits the payload budget, else as FU-A fragments
 * (§5.8); the marker bit is set on the last packet of the access unit (§5.1). The inverse of
 * H264Depacketizer, for WebRTC viewers (issue 20). Pure: no I/O.
 */
const FU_A = 28;
const RTP_HEADER = 12;

export interface PacketizerOptions {
  payloadType: number;
  ssrc: number;
  /** Largest RTP payload (default 1200: fits a 1280-byte path MTU after SRTP, UDP and IP headers). */
  maxPayload?: number;
  /** First sequence number (default random, RFC 3550 §5.1). */
  sequence?: number;
}

export class H264Packetizer {
  private seq: number;
  private readonly maxPayload: number;

  constructor(private readonly opts: PacketizerOptions) {
    this.seq = opts.sequence ?? Math.floor(Math.random() * 0x10000);
    this.maxPayload = opts.maxPayload ?? 1200;
    if (this.maxPayload < 3) throw new Error('h264-packetizer: maxPayload must be at least 3 bytes');
  }

  /** RTP packets (header included) for one access unit of NAL units without start codes. */
  packetize(nals: Buffer[], timestamp90k: number): Buffer[] {
    const ts = timestamp90k % 2 ** 32;
    const out: Buffer[] = [];
    const units = nals.filter((n) => n.length > 0);
    units.forEach((nal, i) => {
      const last = i === units.length - 1;
      if (nal.length <= this.maxPayload) {
        out.push(this.packet(ts, last, nal));
        return;
      }
      // FU indicator keeps F and NRI of the unit, type 28; the FU header carries its type.
      const indicator = (nal[0] & 0xe0) | FU_A;
      const type = nal[0] & 0x1f;
      const step = this.maxPayload - 2;
      for (let from = 1; from < nal.length; from += step) {
        const to = Math.min(from + step, nal.length);
        const start = from === 1 ? 0x80 : 0;
        const end = to === nal.length ? 0x40 : 0;
        out.push(
          this.packet(ts, last && end !== 0, Buffer.from([indicator, start | end | type]), nal.subarray(from, to)),
        );
      }
    });
    return out;
  }

  private packet(ts: number, marker: boolean, a: Buffer, b?: Buffer): Buffer {
    const p = Buffer.allocUnsafe(RTP_HEADER + a.length + (b?.length ?? 0));
    p[0] = 0x80; // version 2, no padding, no extension, no CSRC
    p[1] = (marker ? 0x80 : 0) | (this.opts.payloadType & 0x7f);
    p.writeUInt16BE(this.seq, 2);
    p.writeUInt32BE(ts, 4);
    p.writeUInt32BE(this.opts.ssrc >>> 0, 8);
    a.copy(p, RTP_HEADER);
    b?.copy(p, RTP_HEADER + a.length);
    this.seq = (this.seq + 1) & 0xffff;
    return p;
  }
}
