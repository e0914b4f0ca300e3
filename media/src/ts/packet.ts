/**
 * MPEG-TS packet layer (ISO/IEC 13818-1 §2.4.3): 188-byte packets, sync byte 0x47, 13-bit PID,
 * payload_unit_start_indicator, adaptation field with random_access_indicator. Pure: no I/O.
 */
export const TS_PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
export const PAT_PID = 0x0000;
export const NULL_PID = 0x1fff;
const EMPTY = Buffer.alloc(0);

export interface PacketHeader {
  pid: number;
  /** payload_unit_start_indicator: a PES packet or PSI section starts in this packet. */
  pusi: boolean;
  /** random_access_indicator from the adaptation field (§2.4.3.5): muxers set it on keyframes. */
  randomAccess: boolean;
  continuityCounter: number;
  /** Offset of the payload inside the packet, or -1 when the packet carries none. */
  payloadOffset: number;
}

/** Parses the 4-byte header (and adaptation field) of the packet at `off`; undefined if not synced. */
export function parsePacketHeader(buf: Uint8Array, off = 0): PacketHeader | undefined {
  if (off + TS_PACKET_SIZE > buf.length || buf[off] !== SYNC_BYTE) return undefined;
  const b1 = buf[off + 1];
  const b3 = buf[off + 3];
  const pid = ((b1 & 0x1f) << 8) | buf[off + 2];
  const pusi = (b1 & 0x40) !== 0;
  // adaptation_field_control: 01 payload only, 10 adaptation only, 11 both (§2.4.3.3, table 2-5).
  const afc = (b3 >> 4) & 0x03;
  let payloadOffset = off + 4;
  let randomAccess = false;
  if (afc & 0x02) {
    const afLen = buf[off + 4];
    if (afLen > 0) randomAccess = (buf[off + 5] & 0x40) !== 0;
    payloadOffset = off + 5 + afLen;
  }
  const hasPayload = (afc & 0x01) !== 0 && payloadOffset < off + TS_PACKET_SIZE;
  return {
    pid,
    pusi,
    randomAccess,
    continuityCounter: b3 & 0x0f,
    payloadOffset: hasPayload ? payloadOffset - off : -1,
  };
}

/** The PID of the packet at `off` (no checks: callers pass aligned packets). */
export function packetPid(buf: Uint8Array, off = 0): number {
  return ((buf[off + 1] & 0x1f) << 8) | buf[off + 2];
}

/**
 * Re-frames an arbitrary byte stream (HTTP chunks, ffmpeg stdout) into whole 188-byte packets.
 * Garbage is skipped until three consecutive sync bytes line up (resync, as demuxers do), so a
 * truncated or corrupted packet costs at most the bytes up to the next good packet.
 */
export class PacketAligner {
  private pending: Buffer = EMPTY;
  /** Bytes discarded while hunting for sync (for health and tests). */
  skippedBytes = 0;

  /** Returns the complete packets contained in the data so far (a multiple of 188 bytes). */
  push(chunk: Buffer): Buffer {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    while (start + TS_PACKET_SIZE <= buf.length) {
      if (buf[start] !== SYNC_BYTE || !this.confirmed(buf, start)) {
        start++;
        this.skippedBytes++;
        continue;
      }
      // Take the longest run of in-sync packets in one slice (no copy).
      let end = start + TS_PACKET_SIZE;
      while (end + TS_PACKET_SIZE <= buf.length && buf[end] === SYNC_BYTE) end += TS_PACKET_SIZE;
      const run = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
      if (!first) first = run;
      else if (more) more.push(run);
      else more = [first, run];
      start = end;
    }
    // An in-sync, whole-packet chunk (what ffmpeg flushes) leaves nothing behind and is not copied.
    this.pending = start === buf.length ? EMPTY : Buffer.from(buf.subarray(start));
    if (more) return Buffer.concat(more);
    return first ?? EMPTY;
  }

  /** A sync byte counts once the next two packet starts (when present) also carry 0x47. */
  private confirmed(buf: Buffer, at: number): boolean {
    for (let k = 1; k <= 2; k++) {
      const p = at + k * TS_PACKET_SIZE;
      if (p >= buf.length) return true;
      if (buf[p] !== SYNC_BYTE) return false;
    }
    return true;
  }

  reset(): void {
    this.pending = EMPTY;
  }
}
