/**
 * Program-specific information (ISO/IEC 13818-1 §2.4.4): the PAT names each program's PMT PID,
 * the PMT lists elementary streams with their stream_type. Only what a relay needs: where the
 * H.264 video is. Pure: no I/O.
 */
import { TS_PACKET_SIZE } from './packet.js';

/** stream_type values (§2.4.4.9 table 2-34, plus ITU-T H.264 Annex / ISO 14496-10). */
export const STREAM_TYPE_H264 = 0x1b;
export const STREAM_TYPE_H265 = 0x24;
export const STREAM_TYPE_MPEG1_VIDEO = 0x01;
export const STREAM_TYPE_MPEG2_VIDEO = 0x02;

export interface PmtStream {
  streamType: number;
  pid: number;
}

/** The section bytes that start in this packet's payload (after pointer_field), or undefined. */
function sectionStart(packet: Uint8Array, payloadOffset: number): Uint8Array | undefined {
  if (payloadOffset < 0) return undefined;
  const pointer = packet[payloadOffset];
  const start = payloadOffset + 1 + pointer;
  if (start + 3 > TS_PACKET_SIZE) return undefined;
  const sectionLength = ((packet[start + 1] & 0x0f) << 8) | packet[start + 2];
  const end = Math.min(start + 3 + sectionLength, TS_PACKET_SIZE);
  return packet.subarray(start, end);
}

/** PAT (table_id 0x00): program_number -> program_map_PID; network PID (program 0) skipped. */
export function parsePat(packet: Uint8Array, payloadOffset: number): number[] | undefined {
  const s = sectionStart(packet, payloadOffset);
  if (s?.[0] !== 0x00) return undefined;
  const sectionLength = ((s[1] & 0x0f) << 8) | s[2];
  const end = Math.min(3 + sectionLength - 4, s.length); // minus CRC_32
  const pids: number[] = [];
  for (let i = 8; i + 4 <= end; i += 4) {
    const program = (s[i] << 8) | s[i + 1];
    const pid = ((s[i + 2] & 0x1f) << 8) | s[i + 3];
    if (program !== 0) pids.push(pid);
  }
  return pids;
}

/** PMT (table_id 0x02): the elementary streams of one program. */
export function parsePmt(packet: Uint8Array, payloadOffset: number): PmtStream[] | undefined {
  const s = sectionStart(packet, payloadOffset);
  if (s?.[0] !== 0x02) return undefined;
  const sectionLength = ((s[1] & 0x0f) << 8) | s[2];
  const end = Math.min(3 + sectionLength - 4, s.length);
  const programInfoLength = ((s[10] & 0x0f) << 8) | s[11];
  const streams: PmtStream[] = [];
  for (let i = 12 + programInfoLength; i + 5 <= end; ) {
    const streamType = s[i];
    const pid = ((s[i + 1] & 0x1f) << 8) | s[i + 2];
    const esInfoLength = ((s[i + 3] & 0x0f) << 8) | s[i + 4];
    streams.push({ streamType, pid });
    i += 5 + esInfoLength;
  }
  return streams;
}

/** The first video stream of a PMT (H.264 preferred), or undefined. */
export function videoStream(streams: PmtStream[]): PmtStream | undefined {
  const video = [STREAM_TYPE_H264, STREAM_TYPE_H265, STREAM_TYPE_MPEG2_VIDEO, STREAM_TYPE_MPEG1_VIDEO];
  for (const t of video) {
    const s = streams.find((x) => x.streamType === t);
    if (s) return s;
  }
  return undefined;
}
