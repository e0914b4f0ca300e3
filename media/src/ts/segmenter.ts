/**
 * Turns aligned MPEG-TS packets into relay segments: runs of packets cut so that every keyframe
 * (H.264 IDR access unit) begins a new segment. Remembers the latest PAT and PMT packets so a
 * late joiner can be primed with them before the keyframe (ISO/IEC 13818-1 §2.4.4). Pure: no I/O.
 */
import { nalUnitTypes, startsKeyframe } from './h264.js';
import { PAT_PID, packetPid, parsePacketHeader, TS_PACKET_SIZE } from './packet.js';
import { parsePesStart } from './pes.js';
import { parsePat, parsePmt, videoStream } from './psi.js';

export interface Frame {
  /** PTS (90 kHz) of the video PES, when the muxer wrote one. */
  pts?: number;
  keyframe: boolean;
}

export interface Segment {
  /** Whole 188-byte packets. */
  data: Buffer;
  /** The segment starts with the first packet of a keyframe's PES. */
  keyframe: boolean;
  /** Video PES packets (frames) that start in this segment. */
  frames: Frame[];
}

export class TsSegmenter {
  /** Latest PAT and PMT packets, copied (they prime every new viewer). */
  pat?: Buffer;
  pmt?: Buffer;
  pmtPid?: number;
  videoPid?: number;
  videoStreamType?: number;
  private psiCache?: Buffer;

  /** Splits `packets` (a multiple of 188 bytes) into segments. */
  push(packets: Buffer): Segment[] {
    const segments: Segment[] = [];
    let cur: Segment = { data: packets, keyframe: false, frames: [] };
    let segStart = 0;
    for (let off = 0; off + TS_PACKET_SIZE <= packets.length; off += TS_PACKET_SIZE) {
      // Only a packet that starts a PES or a PSI section can matter (payload_unit_start_indicator):
      // one bit test for the other ~99 % of the stream.
      if ((packets[off + 1] & 0x40) === 0) continue;
      const pid = packetPid(packets, off);
      if (pid === PAT_PID) this.onPat(packets, off);
      else if (pid === this.pmtPid) this.onPmt(packets, off);
      else if (pid === this.videoPid) {
        const frame = this.frameStart(packets, off);
        if (!frame) continue;
        if (frame.keyframe && off > segStart) {
          cur.data = packets.subarray(segStart, off);
          segments.push(cur);
          segStart = off;
          cur = { data: packets, keyframe: true, frames: [] };
        } else if (frame.keyframe) cur.keyframe = true;
        cur.frames.push(frame);
      }
    }
    cur.data = packets.subarray(segStart);
    if (cur.data.length > 0) segments.push(cur);
    return segments;
  }

  /** PAT + PMT as one buffer (what a new consumer needs before a keyframe), if both were seen. */
  psi(): Buffer | undefined {
    if (!this.pat || !this.pmt) return undefined;
    this.psiCache ??= Buffer.concat([this.pat, this.pmt]);
    return this.psiCache;
  }

  private onPat(packets: Buffer, off: number): void {
    if (repeats(this.pat, packets, off)) return;
    const h = parsePacketHeader(packets, off);
    if (!h?.pusi) return;
    const pids = parsePat(packets.subarray(off, off + TS_PACKET_SIZE), h.payloadOffset);
    if (!pids?.length) return;
    this.pat = Buffer.from(packets.subarray(off, off + TS_PACKET_SIZE));
    this.pmtPid = pids[0];
    this.psiCache = undefined;
  }

  private onPmt(packets: Buffer, off: number): void {
    if (repeats(this.pmt, packets, off)) return;
    const h = parsePacketHeader(packets, off);
    if (!h?.pusi) return;
    const streams = parsePmt(packets.subarray(off, off + TS_PACKET_SIZE), h.payloadOffset);
    if (!streams) return;
    this.pmt = Buffer.from(packets.subarray(off, off + TS_PACKET_SIZE));
    this.psiCache = undefined;
    const v = videoStream(streams);
    this.videoPid = v?.pid;
    this.videoStreamType = v?.streamType;
  }

  /** A video packet that starts a PES: its PTS and whether it is a random-access point. */
  private frameStart(packets: Buffer, off: number): Frame | undefined {
    const h = parsePacketHeader(packets, off);
    if (!h?.pusi || h.payloadOffset < 0) return undefined;
    const end = off + TS_PACKET_SIZE;
    const pes = parsePesStart(packets, off + h.payloadOffset, end);
    if (!pes) return undefined;
    // The random_access_indicator is optional (ffmpeg sets it, not every muxer), so also look
    // at the NAL units in the first packet: access units lead with AUD/SPS/PPS before the IDR.
    const keyframe = h.randomAccess || startsKeyframe(nalUnitTypes(packets, pes.dataOffset, end));
    return { pts: pes.pts, keyframe };
  }
}

/**
 * Muxers repeat PAT and PMT every ~100 ms (ffmpeg: pat_period 0.1 s); a repeat that differs from
 * the stored packet only in its continuity_counter (low nibble of byte 3) needs no parsing again.
 */
function repeats(stored: Buffer | undefined, packets: Buffer, off: number): boolean {
  return (
    stored !== undefined &&
    stored[1] === packets[off + 1] &&
    stored[2] === packets[off + 2] &&
    (stored[3] & 0xf0) === (packets[off + 3] & 0xf0) &&
    packets.compare(stored, 4, TS_PACKET_SIZE, off + 4, off + TS_PACKET_SIZE) === 0
  );
}
