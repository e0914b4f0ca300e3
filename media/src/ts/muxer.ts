/**
 * MPEG-TS muxer (ISO/IEC 13818-1) for one H.264 video stream: what the in-process RTSP client
 * turns depacketized access units into, so viewers get the same MPEG-TS as from a pushing agent.
 * Each access unit becomes one PES packet (AUD + Annex B NAL units); PAT and PMT go before every
 * keyframe so a viewer joining there needs nothing older. Pure: no I/O.
 *
 * One output buffer per access unit; NAL bytes are copied by range, never byte by byte.
 */
import { NAL_AUD } from './h264.js';
import { NULL_PID, PAT_PID, SYNC_BYTE, TS_PACKET_SIZE } from './packet.js';
import { STREAM_TYPE_H264 } from './psi.js';

export interface MuxAccessUnit {
  /** 90 kHz, any size (even below 0): PTS and PCR are taken modulo 2^33. */
  timestamp: number;
  /** NAL units without start codes; access unit delimiters among them are dropped (one is added). */
  nals: Buffer[];
  keyframe: boolean;
}

export interface TsMuxerOptions {
  videoPid?: number;
  pmtPid?: number;
  programNumber?: number;
  /**
   * PTS (= DTS) minus PCR, 90 kHz: how long a decoder may buffer a frame before showing it
   * (the T-STD delay, §2.4.2). Default 100 ms.
   */
  ptsOffset?: number;
  /** Gives the output buffer of each unit (default Buffer.allocUnsafe); see ../slab.ts. */
  alloc?: (n: number) => Buffer;
}

/** 33-bit PTS/PCR base (§2.4.3.7, §2.4.3.5). */
const TIME_WRAP = 2 ** 33;
const HEADER = 4;
const PAYLOAD = TS_PACKET_SIZE - HEADER;
/** First packet of a PES: adaptation_field_length, flags, 6-byte PCR. */
const PCR_FIELD = 8;
const FIRST_PAYLOAD = PAYLOAD - PCR_FIELD;
/** PES header with PTS only (PTS_DTS_flags '10': DTS equals PTS, §2.4.3.7) and AUD. */
const PES_HEADER = 14;
const AUD = [0, 0, 0, 1, NAL_AUD, 0xf0]; // primary_pic_type 7 (any slice type), rbsp stop bit
const START_CODE = new Uint8Array([0, 0, 0, 1]);

export class TsMuxer {
  private readonly videoPid: number;
  private readonly pat: Buffer;
  private readonly pmt: Buffer;
  private readonly ptsOffset: number;
  private readonly alloc: (n: number) => Buffer;
  private patCc = 0;
  private pmtCc = 0;
  private videoCc = 0;
  private started = false;
  /** PES header + AUD, rewritten per unit. */
  private readonly prefix = new Uint8Array(PES_HEADER + AUD.length);

  constructor(opts: TsMuxerOptions = {}) {
    const videoPid = opts.videoPid ?? 0x100;
    const pmtPid = opts.pmtPid ?? 0x1000;
    const program = opts.programNumber ?? 1;
    // PIDs 0x0000-0x000F are reserved and 0x1FFF is the null packet (§2.4.3.3, table 2-3).
    for (const pid of [videoPid, pmtPid]) {
      if (!Number.isInteger(pid) || pid < 0x10 || pid >= NULL_PID) throw new RangeError(`ts: bad PID ${pid}`);
    }
    if (videoPid === pmtPid) throw new RangeError('ts: video PID equals PMT PID');
    if (!Number.isInteger(program) || program < 1 || program > 0xffff) {
      throw new RangeError(`ts: bad program number ${program}`);
    }
    this.videoPid = videoPid;
    this.ptsOffset = opts.ptsOffset ?? 9000;
    this.alloc = opts.alloc ?? Buffer.allocUnsafe;
    // PAT (§2.4.4.3): transport_stream_id 1, one program -> PMT PID.
    this.pat = psiPacket(PAT_PID, [0x00, 0, 0, 0x00, 0x01, 0xc1, 0, 0, program >> 8, program & 0xff, ...pid13(pmtPid)]);
    // PMT (§2.4.4.8): PCR on the video PID, no descriptors, one H.264 stream.
    this.pmt = psiPacket(pmtPid, [
      ...[0x02, 0, 0, program >> 8, program & 0xff, 0xc1, 0, 0, ...pid13(videoPid), 0xf0, 0x00],
      ...[STREAM_TYPE_H264, ...pid13(videoPid), 0xf0, 0x00],
    ]);
    this.prefix.set([0, 0, 1, 0xe0, 0, 0, 0x84, 0x80, 5], 0);
    this.prefix.set(AUD, PES_HEADER);
  }

  /** Whole 188-byte packets for one access unit (PAT and PMT first on keyframes and the first unit). */
  mux(au: MuxAccessUnit): Buffer {
    let pesLength = this.prefix.length;
    for (const nal of au.nals) {
      if (nal.length === 0 || (nal[0] & 0x1f) === NAL_AUD) continue;
      pesLength += START_CODE.length + nal.length;
    }
    writePts(this.prefix, 9, wrap33(au.timestamp + this.ptsOffset));

    const withPsi = au.keyframe || !this.started;
    this.started = true;
    const pesPackets = pesLength <= FIRST_PAYLOAD ? 1 : 1 + Math.ceil((pesLength - FIRST_PAYLOAD) / PAYLOAD);
    const out = this.alloc((pesPackets + (withPsi ? 2 : 0)) * TS_PACKET_SIZE);
    // The PES goes in one piece at the end of `out`, whole NAL units at a time (no view per TS
    // packet); each packet's payload then moves down into place with copyWithin. A payload's
    // destination never passes its source: the bytes between are exactly the headers still to come.
    let src = out.length - pesLength;
    out.set(this.prefix, src);
    let w = src + this.prefix.length;
    for (const nal of au.nals) {
      if (nal.length === 0 || (nal[0] & 0x1f) === NAL_AUD) continue;
      out.set(START_CODE, w);
      out.set(nal, w + START_CODE.length);
      w += START_CODE.length + nal.length;
    }

    let pos = 0;
    if (withPsi) {
      this.pat.copy(out, pos);
      out[pos + 3] |= this.patCc;
      this.patCc = (this.patCc + 1) & 0x0f;
      pos += TS_PACKET_SIZE;
      this.pmt.copy(out, pos);
      out[pos + 3] |= this.pmtCc;
      this.pmtCc = (this.pmtCc + 1) & 0x0f;
      pos += TS_PACKET_SIZE;
    }

    let left = pesLength;
    for (let k = 0; k < pesPackets; k++) {
      const first = k === 0;
      const payload = Math.min(left, first ? FIRST_PAYLOAD : PAYLOAD);
      // Adaptation field (§2.4.3.4): PCR on the first packet; stuffing bytes fill the last one.
      const afLength = first || payload < PAYLOAD ? PAYLOAD - 1 - payload : -1;
      let p = pos + HEADER;
      const dest = afLength >= 0 ? p + 1 + afLength : p;
      // Move the payload first: the header and adaptation field below may overlap where it was.
      out.copyWithin(dest, src, src + payload);
      src += payload;
      out[pos] = SYNC_BYTE;
      out[pos + 1] = (first ? 0x40 : 0) | (this.videoPid >> 8);
      out[pos + 2] = this.videoPid & 0xff;
      out[pos + 3] = (afLength >= 0 ? 0x30 : 0x10) | this.videoCc;
      this.videoCc = (this.videoCc + 1) & 0x0f;
      if (afLength >= 0) {
        out[p] = afLength;
        if (afLength > 0) {
          // random_access_indicator 0x40 (§2.4.3.5) on keyframes; PCR_flag 0x10.
          out[p + 1] = first ? 0x10 | (au.keyframe ? 0x40 : 0) : 0;
          if (first) writePcr(out, p + 2, wrap33(au.timestamp));
          out.fill(0xff, first ? p + PCR_FIELD : p + 2, dest);
        }
        p = dest;
      }
      left -= payload;
      pos += TS_PACKET_SIZE;
    }
    return out;
  }
}

/** Modulo 2^33, also for a timestamp that went below 0 (a camera stepping back at the start). */
function wrap33(t: number): number {
  const r = t % TIME_WRAP;
  return r < 0 ? r + TIME_WRAP : r;
}

/** The 13-bit PID after 3 reserved '1' bits, as PSI loops write it. */
function pid13(pid: number): [number, number] {
  return [0xe0 | (pid >> 8), pid & 0xff];
}

/**
 * One TS packet holding one PSI section: `section` without its CRC; section_length is filled in.
 * Continuity counter left 0 for the caller to OR in.
 */
function psiPacket(pid: number, section: number[]): Buffer {
  const length = section.length + 4 - 3; // after the section_length field, CRC_32 included
  section[1] = 0xb0 | (length >> 8); // section_syntax_indicator 1, '0', reserved '11'
  section[2] = length & 0xff;
  const packet = Buffer.alloc(TS_PACKET_SIZE, 0xff); // stuffing after a section is 0xFF (§2.4.4)
  packet.set([SYNC_BYTE, 0x40 | (pid >> 8), pid & 0xff, 0x10, 0x00], 0); // PUSI, payload, pointer_field 0
  packet.set(section, 5);
  packet.writeUInt32BE(crc32Mpeg2(packet, 5, 5 + section.length), 5 + section.length);
  return packet;
}

/** PTS with PTS_DTS_flags '10' (§2.4.3.7): '0010', 3 + 15 + 15 bits, each part ends in a marker bit. */
function writePts(buf: Uint8Array, at: number, pts: number): void {
  const low = pts % 2 ** 30;
  buf[at] = 0x21 | (Math.floor(pts / 2 ** 30) << 1);
  buf[at + 1] = low >> 22;
  buf[at + 2] = ((low >> 14) & 0xfe) | 1;
  buf[at + 3] = (low >> 7) & 0xff;
  buf[at + 4] = ((low << 1) & 0xfe) | 1;
}

/** PCR (§2.4.3.5): 33-bit base, 6 reserved bits, 9-bit extension (0: 90 kHz resolution is enough). */
function writePcr(buf: Buffer, at: number, base: number): void {
  const high = Math.floor(base / 2); // bits 32..1 fit 32 bits
  buf.writeUInt32BE(high, at);
  buf[at + 4] = ((base % 2) << 7) | 0x7e;
  buf[at + 5] = 0;
}

/**
 * CRC-32/MPEG-2 (§2.4.4, Annex A): polynomial 0x04C11DB7, initial 0xFFFFFFFF, no reflection, no
 * final XOR. A whole section including its CRC_32 gives 0. Bitwise: it only runs for PAT/PMT.
 */
export function crc32Mpeg2(data: Uint8Array, from = 0, to = data.length): number {
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) {
    crc ^= data[i] << 24;
    for (let b = 0; b < 8; b++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}
