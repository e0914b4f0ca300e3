/**
 * Server-to-client WebSocket binary frames (RFC 6455 §5.2: FIN set, opcode 0x2, no mask, 7/16/64-bit
 * payload length), built once per relayed segment and written by each viewer straight to its socket.
 * `ws.send()` frames every message again for every viewer and writes header and payload as two
 * corked writes; for video that is most of a viewer's JavaScript cost (bench/video).
 */

/** One binary frame holding `parts` back to back (one copy, one write per viewer). */
export function binaryFrame(...parts: Buffer[]): Buffer {
  let length = 0;
  for (const p of parts) length += p.length;
  const headerBytes = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x82; // FIN + opcode 2 (binary)
  if (headerBytes === 2) frame[1] = length;
  else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt16BE(0, 2); // 64-bit length; Node Buffers stay far below 2^48
    frame.writeUIntBE(length, 4, 6);
  }
  let at = headerBytes;
  for (const p of parts) {
    p.copy(frame, at);
    at += p.length;
  }
  return frame;
}

/**
 * The frame of the segment being fanned out: a relay hands one segment to all its viewers in a row,
 * so remembering the last one frames it once for all of them.
 */
export class FrameCache {
  private data: Buffer | undefined;
  private frame: Buffer | undefined;

  of(data: Buffer): Buffer {
    if (data !== this.data || !this.frame) {
      this.frame = binaryFrame(data);
      this.data = data;
    }
    return this.frame;
  }
}
