/**
 * Splits the byte stream of an RTSP connection with interleaved data (RFC 2326 §10.12) into
 * RTSP messages and `$ <channel> <length16> <packet>` frames. The hot path is the frames: they
 * are handed out as subarrays of the socket's chunks (Node never reuses those), and a frame cut by
 * a chunk boundary is completed into one right-sized buffer, so no chunk is copied whole. Pure.
 */

export interface RtspMessage {
  /** Status line or request line. */
  startLine: string;
  /** Header names lower case; a repeated header keeps every value. */
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface ReaderSink {
  frame(channel: number, packet: Buffer): void;
  message(msg: RtspMessage): void;
}

const DOLLAR = 0x24;
/** A header block longer than this is not RTSP: the peer is broken or hostile. */
const MAX_HEAD = 64 * 1024;
const MAX_BODY = 1024 * 1024;

export class InterleavedReader {
  /** A frame whose length is known but whose bytes span chunks. */
  private partial: Buffer | undefined;
  private partialChannel = 0;
  private partialFill = 0;
  /** Bytes that cannot be parsed yet: a cut frame header or an incomplete RTSP message. */
  private rest: Buffer | undefined;

  constructor(private readonly sink: ReaderSink) {}

  /** Throws on bytes that are neither a frame nor an RTSP message (the caller drops the connection). */
  push(chunk: Buffer): void {
    let buf = chunk;
    let off = 0;
    if (this.partial) {
      const need = this.partial.length - this.partialFill;
      const n = Math.min(need, buf.length);
      buf.copy(this.partial, this.partialFill, 0, n);
      this.partialFill += n;
      if (n < need) return;
      const done = this.partial;
      this.partial = undefined;
      this.sink.frame(this.partialChannel, done);
      off = n;
    } else if (this.rest) {
      buf = Buffer.concat([this.rest, buf]);
      this.rest = undefined;
    }
    const end = buf.length;
    while (off < end) {
      if (buf[off] === DOLLAR) {
        if (off + 4 > end) break;
        const channel = buf[off + 1];
        const len = (buf[off + 2] << 8) | buf[off + 3];
        const start = off + 4;
        if (start + len <= end) {
          this.sink.frame(channel, buf.subarray(start, start + len));
          off = start + len;
          continue;
        }
        this.partial = Buffer.allocUnsafe(len);
        this.partialChannel = channel;
        this.partialFill = end - start;
        buf.copy(this.partial, 0, start, end);
        return;
      }
      const used = this.message(buf, off);
      if (used === 0) break;
      off += used;
    }
    if (off < end) this.rest = Buffer.from(buf.subarray(off));
  }

  /** Parses an RTSP message at `off`; returns the bytes it used, or 0 when it is incomplete. */
  private message(buf: Buffer, off: number): number {
    const headEnd = buf.indexOf('\r\n\r\n', off, 'latin1');
    if (headEnd < 0) {
      if (buf.length - off > MAX_HEAD) throw new Error('rtsp: header block too long');
      if (buf.length - off >= 4 && !/^[A-Z_]{3,}/.test(buf.toString('latin1', off, off + 4))) {
        throw new Error(`rtsp: unexpected bytes 0x${buf.subarray(off, off + 4).toString('hex')}`);
      }
      return 0;
    }
    const lines = buf.toString('latin1', off, headEnd).split('\r\n');
    const startLine = lines[0] ?? '';
    if (!/^(RTSP\/\d\.\d \d{3}|[A-Z_]+ \S+ RTSP\/\d\.\d)/.test(startLine)) {
      throw new Error(`rtsp: not an RTSP message: ${JSON.stringify(startLine.slice(0, 80))}`);
    }
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      if (c <= 0) continue;
      const name = line.slice(0, c).trim().toLowerCase();
      const list = headers.get(name) ?? [];
      list.push(line.slice(c + 1).trim());
      headers.set(name, list);
    }
    const length = Number(headers.get('content-length')?.[0] ?? 0);
    if (!Number.isInteger(length) || length < 0 || length > MAX_BODY) {
      throw new Error(`rtsp: bad Content-Length ${headers.get('content-length')?.[0]}`);
    }
    const bodyStart = headEnd + 4;
    if (bodyStart + length > buf.length) return 0;
    this.sink.message({ startLine, headers, body: Buffer.from(buf.subarray(bodyStart, bodyStart + length)) });
    return bodyStart + length - off;
  }
}
