/**
 * PES packet header (ISO/IEC 13818-1 §2.4.3.6): start code 00 00 01, stream_id, PTS in 90 kHz
 * units when PTS_DTS_flags says so. Pure: no I/O.
 */

export interface PesStart {
  streamId: number;
  /** Presentation time stamp (90 kHz), when present. */
  pts?: number;
  /** Offset of the elementary-stream data inside the given buffer. */
  dataOffset: number;
}

/** Parses a PES header at `off` (the payload of a packet with payload_unit_start_indicator). */
export function parsePesStart(buf: Uint8Array, off: number, end = buf.length): PesStart | undefined {
  if (off + 9 > end || buf[off] !== 0 || buf[off + 1] !== 0 || buf[off + 2] !== 1) return undefined;
  const streamId = buf[off + 3];
  const flags = buf[off + 7];
  const headerLength = buf[off + 8];
  const dataOffset = off + 9 + headerLength;
  let pts: number | undefined;
  if (flags & 0x80 && off + 14 <= end) {
    const p = off + 9;
    // 33-bit PTS split 3/15/15 with marker bits (§2.4.3.7); multiply, not shift, past 32 bits.
    pts =
      ((buf[p] >> 1) & 0x07) * 2 ** 30 +
      ((buf[p + 1] << 7) | (buf[p + 2] >> 1)) * 2 ** 15 +
      ((buf[p + 3] << 7) | (buf[p + 4] >> 1));
  }
  return { streamId, pts, dataOffset: Math.min(dataOffset, end) };
}
