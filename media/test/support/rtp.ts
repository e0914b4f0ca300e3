/**
 * Test-side sender: RTP packets (RFC 3550 §5.1) and an RFC 6184 packetizer (single NAL unit,
 * STAP-A, FU-A), plus the access units of a real MPEG-TS capture to feed it with.
 */
import { PacketAligner, parsePacketHeader, parsePesStart, TS_PACKET_SIZE } from '../../src/ts/index.js';

export interface RtpHeader {
  seq: number;
  timestamp: number;
  marker?: boolean;
  payloadType?: number;
  ssrc?: number;
  csrcs?: number[];
  /** Header extension body (a multiple of 4 bytes). */
  extension?: Buffer;
  /** Padding bytes to append (count in the last byte). */
  padding?: number;
  version?: number;
}

export function rtpPacket(h: RtpHeader, payload: Buffer): Buffer {
  const csrcs = h.csrcs ?? [];
  const ext = h.extension ? Buffer.concat([Buffer.from([0xbe, 0xde, 0, h.extension.length / 4]), h.extension]) : null;
  const head = Buffer.alloc(12 + csrcs.length * 4);
  head[0] = ((h.version ?? 2) << 6) | (h.padding ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  head[1] = (h.marker ? 0x80 : 0) | (h.payloadType ?? 96);
  head.writeUInt16BE(h.seq & 0xffff, 2);
  head.writeUInt32BE(h.timestamp % 2 ** 32, 4);
  head.writeUInt32BE(h.ssrc ?? 0x1234abcd, 8);
  for (const [i, c] of csrcs.entries()) head.writeUInt32BE(c, 12 + i * 4);
  const pad = h.padding ? Buffer.alloc(h.padding) : null;
  if (pad) pad[pad.length - 1] = pad.length;
  return Buffer.concat([head, ...(ext ? [ext] : []), payload, ...(pad ? [pad] : [])]);
}

/** STAP-A payload (RFC 6184 §5.7.1): NRI is the highest of the parts'. */
export function stapA(nals: Buffer[]): Buffer {
  const nri = Math.max(...nals.map((n) => n[0] & 0x60));
  const parts = nals.flatMap((n) => [Buffer.from([n.length >> 8, n.length & 0xff]), n]);
  return Buffer.concat([Buffer.from([nri | 24]), ...parts]);
}

/** FU-A payloads (§5.8) carrying `nal`, each at most `mtu` bytes. */
export function fuA(nal: Buffer, mtu: number): Buffer[] {
  const indicator = (nal[0] & 0xe0) | 28;
  const type = nal[0] & 0x1f;
  const body = nal.subarray(1);
  const step = mtu - 2;
  const out: Buffer[] = [];
  for (let off = 0; off < body.length; off += step) {
    const start = off === 0 ? 0x80 : 0;
    const end = off + step >= body.length ? 0x40 : 0;
    out.push(Buffer.concat([Buffer.from([indicator, start | end | type]), body.subarray(off, off + step)]));
  }
  return out;
}

/**
 * An RTP sender for one H.264 stream: one access unit per call, single NAL unit packets up to
 * `mtu` bytes, FU-A above, marker on the unit's last packet. Sequence numbers continue across calls.
 */
export class H264RtpSender {
  constructor(
    public seq: number,
    private readonly mtu = 1400,
  ) {}

  send(nals: Buffer[], timestamp: number): Buffer[] {
    const payloads = nals.flatMap((n) => (n.length <= this.mtu ? [n] : fuA(n, this.mtu)));
    return payloads.map((p, i) => {
      const packet = rtpPacket({ seq: this.seq, timestamp, marker: i === payloads.length - 1 }, p);
      this.seq = (this.seq + 1) & 0xffff;
      return packet;
    });
  }
}

export interface CapturedUnit {
  pts: number;
  nals: Buffer[];
  keyframe: boolean;
}

/**
 * The access units of a real MPEG-TS capture (one PES each), as NAL units without start codes.
 * Access unit delimiters are left out: cameras seldom send them over RTP.
 */
export function captureUnits(ts: Buffer, videoPid = 0x100): CapturedUnit[] {
  const data = new PacketAligner().push(ts);
  const pes: Array<{ pts: number; chunks: Buffer[] }> = [];
  for (let off = 0; off + TS_PACKET_SIZE <= data.length; off += TS_PACKET_SIZE) {
    const h = parsePacketHeader(data, off);
    if (!h || h.pid !== videoPid || h.payloadOffset < 0) continue;
    let start = off + h.payloadOffset;
    if (h.pusi) {
      const p = parsePesStart(data, start, off + TS_PACKET_SIZE);
      if (!p) throw new Error('capture: PES without header');
      pes.push({ pts: p.pts ?? -1, chunks: [] });
      start = p.dataOffset;
    }
    pes.at(-1)?.chunks.push(data.subarray(start, off + TS_PACKET_SIZE));
  }
  return pes.map((p) => {
    const nals = splitAnnexB(Buffer.concat(p.chunks)).filter((n) => (n[0] & 0x1f) !== 9);
    return { pts: p.pts, nals, keyframe: nals.some((n) => (n[0] & 0x1f) === 5) };
  });
}

/** NAL units of an Annex B byte stream, without start codes and trailing zero bytes. */
export function splitAnnexB(es: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : es.length;
    while (end > s && es[end - 1] === 0) end--;
    return es.subarray(s, end);
  });
}
