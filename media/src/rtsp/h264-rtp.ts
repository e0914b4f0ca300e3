/**
 * H.264 RTP depacketizer (RFC 6184, packetization-mode 0 and 1): single NAL unit packets
 * (§5.6), STAP-A (§5.7.1) and FU-A (§5.8) in, whole access units of NAL units (no start codes) out.
 * STAP-B, MTAP16/24 and FU-B belong to the interleaved mode 2, which an RTSP client never asks
 * for: they are counted and their unit dropped. Pure: no I/O.
 *
 * Runs for every packet of every pulled camera, so it keeps no per-packet allocation beyond one
 * subarray per NAL unit; FU-A fragments are remembered as (buffer, from, to) and copied once into
 * one Buffer when the NAL unit ends. Single NAL units and STAP-A parts are subarrays of `packet`:
 * the caller must not overwrite a packet's bytes after push() (socket chunks are never reused).
 */
import { NAL_AUD, NAL_IDR, NAL_PPS, NAL_SPS } from '../ts/h264.js';

export interface AccessUnit {
  /** RTP timestamp (90 kHz) unwrapped past 2^32, so it keeps increasing. */
  timestamp: number;
  /** NAL units without start codes. */
  nals: Buffer[];
  /** Contains an IDR slice; then it also carries SPS and PPS (in-band or remembered). */
  keyframe: boolean;
}

export interface DepacketizerStats {
  /** Every packet pushed. */
  packets: number;
  /** Packets missing by sequence number. */
  lostPackets: number;
  /** Access units received (at least in part) and not emitted: damaged, or waiting for an IDR. */
  droppedUnits: number;
  /** STAP-B, MTAP and FU-B packets (interleaved mode), and reserved NAL unit types. */
  unsupported: number;
  /** Not RTP version 2, shorter than the header says, bad padding, broken STAP-A or FU-A. */
  malformed: number;
  /** Duplicates and packets arriving after later ones (dropped). */
  latePackets: number;
}

// RFC 6184 §5.2 table 1: payload structures by NAL unit type.
const STAP_A = 24;
const STAP_B = 25;
const MTAP16 = 26;
const MTAP24 = 27;
const FU_A = 28;
const FU_B = 29;
/** RFC 3550 §A.1: a sequence number at most this far behind the last one is a late packet. */
const MAX_MISORDER = 100;
const NONE = Object.freeze([]) as unknown as AccessUnit[];
const EMPTY = Buffer.alloc(0);

export class H264Depacketizer {
  readonly stats: DepacketizerStats = {
    packets: 0,
    lostPackets: 0,
    droppedUnits: 0,
    unsupported: 0,
    malformed: 0,
    latePackets: 0,
  };
  /** Latest parameter sets (copies), prepended to a keyframe that lacks them. */
  private sps?: Buffer;
  private pps?: Buffer;

  private lastSeq = -1;
  private ssrc = -1;
  private lastRawTs = 0;
  private lastTs = 0;
  private seenTs = false;
  /** Nothing is emitted until an intact unit with an IDR: at the start and after every loss. */
  private waitKey = true;
  /** The unit begun by the next packet may have lost its head (set at the start and on a loss). */
  private headUncertain = true;

  // The access unit being assembled.
  private open = false;
  private unitRawTs = 0;
  private unitTs = 0;
  private nals: Buffer[] = [];
  private hasVcl = false;
  private hasIdr = false;
  private hasSps = false;
  private hasPps = false;
  private broken = false;
  /** The unit's first slice must start a picture (first_mb_in_slice 0), or its head was lost. */
  private checkFirstSlice = false;

  // The FU-A NAL unit being joined.
  private fuActive = false;
  /** Fragments of a NAL unit whose start was lost (or was malformed) are skipped silently. */
  private fuSkip = true; // the first packet may be the middle of a NAL unit
  private fuHeader = 0;
  private fuBytes = 0;
  private fuCount = 0;
  private readonly fuBufs: Buffer[] = [];
  private readonly fuFrom: number[] = [];
  private readonly fuTo: number[] = [];

  private readonly alloc: (n: number) => Buffer;

  /** `alloc` gives the buffers FU-A NAL units are joined into (default Buffer.allocUnsafe). */
  constructor(opts: { sps?: Buffer; pps?: Buffer; alloc?: (n: number) => Buffer } = {}) {
    this.alloc = opts.alloc ?? Buffer.allocUnsafe;
    if (opts.sps?.length) this.sps = Buffer.from(opts.sps);
    if (opts.pps?.length) this.pps = Buffer.from(opts.pps);
  }

  /** One whole RTP packet (RFC 3550 §5.1). Returns the access units it completes; do not mutate. */
  push(packet: Buffer): AccessUnit[] {
    this.stats.packets++;
    const len = packet.length;
    const b0 = packet[0];
    if (len < 12 || b0 >> 6 !== 2) {
      // Not RTP: its sequence number means nothing. A real loss shows as a gap on the next packet.
      this.stats.malformed++;
      return NONE;
    }
    const seq = (packet[2] << 8) | packet[3];
    const ssrc = packet.readUInt32BE(8);
    if (this.lastSeq >= 0) {
      const missing = (seq - this.lastSeq - 1) & 0xffff;
      if (ssrc !== this.ssrc) this.onLoss();
      else if (missing >= 0x10000 - MAX_MISORDER) {
        this.stats.latePackets++;
        return NONE;
      } else if (missing !== 0) {
        // A jump forward of half the number space or more, or back by more than MAX_MISORDER, is
        // a restart of the sender (RFC 3550 §A.1): a loss of unknown size, not counted.
        if (missing < 0x8000) this.stats.lostPackets += missing;
        this.onLoss();
      }
    }
    this.lastSeq = seq;
    this.ssrc = ssrc;

    let out: AccessUnit[] | undefined;
    const rawTs = packet.readUInt32BE(4);
    if (this.open && rawTs !== this.unitRawTs) out = this.finish(out);
    if (!this.open) this.begin(rawTs);
    this.headUncertain = false;

    // Payload bounds: CSRC list, header extension (RFC 3550 §5.3.1), padding (§5.1).
    let off = 12 + (b0 & 0x0f) * 4;
    let end = len;
    if (b0 & 0x10 && off + 4 <= len) off += 4 + packet.readUInt16BE(off + 2) * 4;
    else if (b0 & 0x10) off = len + 1;
    if (b0 & 0x20) end = packet[len - 1] === 0 ? -1 : len - packet[len - 1];
    if (off >= end) this.malformed();
    else this.payload(packet, off, end);

    if (packet[1] & 0x80) out = this.finish(out);
    return out ?? NONE;
  }

  private payload(packet: Buffer, off: number, end: number): void {
    const type = packet[off] & 0x1f;
    if (type === FU_A) {
      this.fragment(packet, off, end);
      return;
    }
    // Packets cannot interleave in modes 0 and 1: a non-FU packet ends any NAL being skipped.
    this.fuSkip = false;
    if (this.fuActive) {
      this.malformed();
      this.fuReset();
    }
    if (type >= 1 && type <= 23) this.addNal(packet.subarray(off, end));
    else if (type === STAP_A) this.aggregate(packet, off + 1, end);
    else if (type === STAP_B || type === MTAP16 || type === MTAP24 || type === FU_B) {
      this.stats.unsupported++;
      this.broken = true;
    } else this.stats.unsupported++; // 0, 30, 31: reserved (RFC 6184 §5.4), carry nothing to decode
  }

  /** STAP-A (§5.7.1): 16-bit size, NAL unit, repeated. Checked whole before any part is taken. */
  private aggregate(packet: Buffer, from: number, end: number): void {
    let p = from;
    while (p < end) {
      const size = p + 2 <= end ? (packet[p] << 8) | packet[p + 1] : 0;
      if (size === 0 || p + 2 + size > end) {
        this.malformed();
        return;
      }
      p += 2 + size;
    }
    if (p === from) {
      this.malformed(); // no NAL unit at all
      return;
    }
    for (p = from; p < end; ) {
      const size = (packet[p] << 8) | packet[p + 1];
      this.addNal(packet.subarray(p + 2, p + 2 + size));
      p += 2 + size;
    }
  }

  /** FU-A (§5.8): FU indicator (F, NRI, 28), FU header (S, E, R, type), fragment. */
  private fragment(packet: Buffer, off: number, end: number): void {
    if (end - off < 2) {
      this.malformed();
      return;
    }
    const header = (packet[off] & 0xe0) | (packet[off + 1] & 0x1f);
    const start = (packet[off + 1] & 0x80) !== 0;
    const stop = (packet[off + 1] & 0x40) !== 0;
    if (start) {
      if (this.fuActive) {
        this.malformed(); // the previous NAL unit never got its end fragment
        this.fuReset();
      }
      this.fuSkip = false;
      this.fuActive = true;
      this.fuHeader = header;
    } else if (!this.fuActive) {
      // A middle or end fragment without a start: expected after a loss (skip quietly), else malformed.
      if (!this.fuSkip) this.malformed();
      this.fuSkip = !stop;
      return;
    }
    const i = this.fuCount++;
    this.fuBufs[i] = packet;
    this.fuFrom[i] = off + 2;
    this.fuTo[i] = end;
    this.fuBytes += end - off - 2;
    // S and E together break §5.8's MUST NOT, but the NAL unit is whole: take it.
    if (stop) this.addNal(this.fuJoin());
  }

  private fuJoin(): Buffer {
    const nal = this.alloc(1 + this.fuBytes);
    nal[0] = this.fuHeader;
    let pos = 1;
    for (let i = 0; i < this.fuCount; i++) {
      pos += this.fuBufs[i].copy(nal, pos, this.fuFrom[i], this.fuTo[i]);
      this.fuBufs[i] = EMPTY; // do not pin socket chunks
    }
    this.fuReset();
    return nal;
  }

  private fuReset(): void {
    for (let i = 0; i < this.fuCount; i++) this.fuBufs[i] = EMPTY;
    this.fuActive = false;
    this.fuCount = 0;
    this.fuBytes = 0;
  }

  private addNal(nal: Buffer): void {
    const type = nal[0] & 0x1f;
    if (type >= 1 && type <= 5) {
      // Slice, partition A and IDR start with first_mb_in_slice, ue(v): 0 is the single bit '1'
      // (ITU-T H.264 §7.3.3, §9.1). Partitions B and C (3, 4) cannot start a picture.
      if (this.checkFirstSlice && (type === 3 || type === 4 || nal.length < 2 || (nal[1] & 0x80) === 0)) {
        this.broken = true;
      }
      this.checkFirstSlice = false;
      this.hasVcl = true;
      if (type === NAL_IDR) this.hasIdr = true;
    } else if (type === NAL_SPS) {
      this.hasSps = true;
      if (!this.sps?.equals(nal)) this.sps = Buffer.from(nal);
    } else if (type === NAL_PPS) {
      this.hasPps = true;
      if (!this.pps?.equals(nal)) this.pps = Buffer.from(nal);
    }
    if (!this.broken) this.nals.push(nal);
  }

  private begin(rawTs: number): void {
    this.open = true;
    this.unitRawTs = rawTs;
    // Unwrap by the signed 32-bit difference to the previous unit (RFC 3550 §5.1: it wraps).
    this.unitTs = this.seenTs ? this.lastTs + ((rawTs - this.lastRawTs) | 0) : rawTs;
    this.seenTs = true;
    this.lastRawTs = rawTs;
    this.lastTs = this.unitTs;
    if (this.headUncertain) this.checkFirstSlice = true;
  }

  /** Ends the open unit (marker bit or a new timestamp); appends it to `out` if it is usable. */
  private finish(out: AccessUnit[] | undefined): AccessUnit[] | undefined {
    this.open = false;
    if (this.fuActive) {
      this.malformed(); // the unit ended inside a NAL unit
      this.fuReset();
      this.fuSkip = true;
    }
    // Parameter sets or SEI alone (some cameras send them with their own marker or timestamp)
    // are not a picture: they open the next unit.
    if (!this.hasVcl && !this.broken) return out;
    if (this.broken || (this.waitKey && !(this.hasIdr && this.sps && this.pps))) {
      this.stats.droppedUnits++;
      this.waitKey = true;
      this.resetUnit(this.nals);
      return out;
    }
    this.waitKey = false;
    const nals = this.nals;
    if (this.hasIdr && (!this.hasSps || !this.hasPps)) this.addParameterSets(nals);
    const unit: AccessUnit = { timestamp: this.unitTs, nals, keyframe: this.hasIdr };
    this.resetUnit([]);
    if (out) out.push(unit);
    else out = [unit];
    return out;
  }

  /** Puts the remembered SPS/PPS where H.264 §7.4.1.2.3 orders them: after an AUD, SPS then PPS. */
  private addParameterSets(nals: Buffer[]): void {
    let at = nals.length > 0 && (nals[0][0] & 0x1f) === NAL_AUD ? 1 : 0;
    if (this.hasSps) at = nals.findIndex((n) => (n[0] & 0x1f) === NAL_SPS) + 1;
    else if (this.sps) nals.splice(at++, 0, this.sps);
    if (!this.hasPps && this.pps) nals.splice(at, 0, this.pps);
  }

  private resetUnit(nals: Buffer[]): void {
    nals.length = 0;
    this.nals = nals;
    this.hasVcl = false;
    this.hasIdr = false;
    this.hasSps = false;
    this.hasPps = false;
    this.broken = false;
    this.checkFirstSlice = false;
  }

  /** Packets are missing: the open unit is damaged, and so is the head of the next one. */
  private onLoss(): void {
    if (this.open) this.broken = true;
    if (this.fuActive) this.fuReset();
    this.fuSkip = true;
    this.waitKey = true;
    this.headUncertain = true;
  }

  private malformed(): void {
    this.stats.malformed++;
    this.broken = true;
  }
}
