/**
 * Record framing for the store-and-forward segments (pure, no I/O): each record is
 * `[u32 length][u32 CRC32(payload)][payload]`, little-endian. A reader stops at the first frame
 * whose header or payload is incomplete or whose CRC does not match: that is the torn tail a
 * kill -9 or power cut can leave, and everything before it is intact.
 */
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 8;
/** No reading comes near this; a larger length field means a torn or corrupt header. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export type FrameScan =
  | { kind: 'record'; payload: Buffer; next: number }
  | { kind: 'incomplete' }
  | { kind: 'corrupt'; reason: string };

/** Reads the frame starting at `offset` of `buf` (which holds the file bytes from some position). */
export function readFrame(buf: Buffer, offset: number): FrameScan {
  if (buf.length - offset < HEADER_BYTES) return { kind: 'incomplete' };
  const len = buf.readUInt32LE(offset);
  if (len === 0 || len > MAX_RECORD_BYTES) return { kind: 'corrupt', reason: `bad length ${len}` };
  if (buf.length - offset - HEADER_BYTES < len) return { kind: 'incomplete' };
  const payload = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + len);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { kind: 'corrupt', reason: 'crc mismatch' };
  return { kind: 'record', payload, next: offset + HEADER_BYTES + len };
}
