/**
 * H.264 access units back out of MPEG-TS (ISO/IEC 13818-1 §2.4.3.6, H.264 Annex B): the inverse
 * of the muxer, for consumers that need NAL units rather than TS packets (WebRTC, issue 20).
 * One video PES packet is one access unit. A PES with PES_packet_length 0 (what muxers write for
 * video) ends only where the next one starts, so such a unit comes out when its successor begins:
 * one frame interval late, as in any TS demuxer. A PES whose length is given comes out as soon as
 * its last byte arrives. Packets lost in between (continuity counter jump) drop the unit. Pure: no I/O.
 */
import { NAL_AUD, NAL_IDR } from './h264.js';
import { packetPid, parsePacketHeader, TS_PACKET_SIZE } from './packet.js';
import { parsePesStart } from './pes.js';
import { parsePmt, STREAM_TYPE_H264 } from './psi.js';

export interface TsAccessUnit {
  /** PTS in 90 kHz units (0 when the PES carried none). */
  pts: number;
  /** NAL units without start codes; access unit delimiters left out. */
  nals: Buffer[];
  keyframe: boolean;
}

/** Splits an Annex B byte stream into NAL units (start codes removed; AUDs and empty units dropped). */
export function splitAnnexB(es: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 2 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  const nals: Buffer[] = [];
  for (let k = 0; k < starts.length; k++) {
    let end = k + 1 < starts.length ? starts[k + 1] - 3 : es.length;
    // A four-byte start code (00 00 00 01) leaves its first zero behind the previous unit.
    while (end > starts[k] && es[end - 1] === 0) end--;
    const nal = es.subarray(starts[k], end);
    if (nal.length > 0 && (nal[0] & 0x1f) !== NAL_AUD) nals.push(nal);
  }
  return nals;
}

export class TsAccessUnitReader {
  private videoPid: number | undefined;
  private parts: Buffer[] = [];
  private bytes = 0;
  /** Bytes the current PES still owes when its length was given, else undefined. */
  private remaining: number | undefined;
  private pts = 0;
  private cc = -1;
  private broken = false;
  /** Units dropped for a continuity gap or a PES that did not start cleanly. */
  dropped = 0;

  /** Learns the H.264 PID from PMT packets (`psi`: PAT+PMT as the relay keeps them). */
  usePsi(psi: Buffer): void {
    for (let off = 0; off + TS_PACKET_SIZE <= psi.length; off += TS_PACKET_SIZE) {
      const h = parsePacketHeader(psi, off);
      if (!h?.pusi || h.pid === 0) continue;
      const streams = parsePmt(psi.subarray(off, off + TS_PACKET_SIZE), h.payloadOffset);
      const h264 = streams?.find((s) => s.streamType === STREAM_TYPE_H264);
      if (!h264) continue;
      if (h264.pid !== this.videoPid) this.reset();
      this.videoPid = h264.pid;
    }
  }

  /** Forgets a unit in progress (a viewer skipped forward, the upstream changed). */
  reset(): void {
    this.parts = [];
    this.bytes = 0;
    this.remaining = undefined;
    this.cc = -1;
    this.broken = true;
  }

  /** Whole TS packets in; the access units they complete out, in order. */
  push(packets: Buffer): TsAccessUnit[] {
    const out: TsAccessUnit[] = [];
    if (this.videoPid === undefined) return out;
    for (let off = 0; off + TS_PACKET_SIZE <= packets.length; off += TS_PACKET_SIZE) {
      if (packetPid(packets, off) !== this.videoPid) continue;
      const h = parsePacketHeader(packets, off);
      if (!h || h.payloadOffset < 0) continue;
      const gap = this.cc >= 0 && h.continuityCounter !== ((this.cc + 1) & 0x0f);
      this.cc = h.continuityCounter;
      let from = off + h.payloadOffset;
      const end = off + TS_PACKET_SIZE;
      if (h.pusi) {
        this.finish(out);
        const pes = parsePesStart(packets, from, end);
        if (!pes) {
          this.broken = true;
          continue;
        }
        this.broken = false;
        this.pts = pes.pts ?? 0;
        const length = (packets[from + 4] << 8) | packets[from + 5];
        // PES_packet_length counts from the byte after itself (6 bytes of header before it).
        this.remaining = length > 0 ? length - (pes.dataOffset - from - 6) : undefined;
        from = pes.dataOffset;
      } else if (gap) this.broken = true;
      if (this.broken) continue;
      let chunk = packets.subarray(from, end);
      if (this.remaining !== undefined) {
        chunk = chunk.subarray(0, this.remaining);
        this.remaining -= chunk.length;
      }
      this.parts.push(chunk);
      this.bytes += chunk.length;
      if (this.remaining === 0) this.finish(out);
    }
    return out;
  }

  private finish(out: TsAccessUnit[]): void {
    if (this.bytes > 0 && !this.broken) {
      const nals = splitAnnexB(Buffer.concat(this.parts, this.bytes));
      // An IDR slice makes the unit a random-access point (H.264 §7.4.1.2.4).
      if (nals.length) out.push({ pts: this.pts, nals, keyframe: nals.some((n) => (n[0] & 0x1f) === NAL_IDR) });
    } else if (this.bytes > 0) this.dropped++;
    this.parts = [];
    this.bytes = 0;
    this.remaining = undefined;
  }
}
