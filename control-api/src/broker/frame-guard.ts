/**
 * MQTT framing scanner for the embedded broker's sockets (security review F3). aedes and
 * mqtt-packet buffer a packet whole before parsing it, the CONNECT that carries the credentials
 * included, so one unauthenticated socket announcing a 256 MiB CONNECT made the center hold
 * 256 MiB. This scanner reads only the fixed headers (MQTT 3.1.1 section 2.2: byte 1 is the
 * packet type, then the Remaining Length, a variable-length integer of 1-4 bytes, section
 * 2.2.3) as bytes arrive and says stop as soon as a header announces more than allowed. Pure:
 * no sockets, no timers; the broker feeds it every chunk it reads.
 */

export type FrameRefusal =
  /** MQTT-3.1.0-1: the first packet from a client must be CONNECT. */
  | 'first-not-connect'
  /** A packet announces more than the limit (the CONNECT's own, or the post-login one). */
  | 'packet-too-large'
  /** More bytes arrived before the login finished than any legitimate client sends. */
  | 'pre-auth-bytes'
  /** A Remaining Length longer than 4 bytes (MQTT 3.1.1 section 2.2.3: a malformed packet). */
  | 'malformed-length';

export interface FrameLimits {
  /** Largest CONNECT (client id, will, username, password): a few hundred bytes in practice. */
  connectMax: number;
  /** Largest packet once the client is authenticated. */
  packetMax: number;
  /** Bytes accepted from a client before its CONNECT is authenticated. */
  preAuthBytes: number;
}

const CONNECT = 1;

export class MqttFrameGuard {
  private inBody = false;
  private inLength = false;
  private remaining = 0;
  private lengthValue = 0;
  private lengthMul = 1;
  private lengthBytes = 0;
  private packets = 0;
  private bytesBeforeAuth = 0;
  /** Set by the broker when the CONNECT's credentials were accepted. */
  authenticated = false;

  constructor(private readonly limits: FrameLimits) {}

  /** The first packet's fixed header (type and Remaining Length) has been read and allowed. */
  get headerSeen(): boolean {
    return this.packets > 0;
  }

  /** Feeds the next chunk read from the socket; a refusal means: close the connection now. */
  push(chunk: Uint8Array): FrameRefusal | undefined {
    if (!this.authenticated) {
      this.bytesBeforeAuth += chunk.length;
      if (this.bytesBeforeAuth > this.limits.preAuthBytes) return 'pre-auth-bytes';
    }
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.inBody) {
        const take = Math.min(this.remaining, n - i);
        i += take;
        this.remaining -= take;
        if (this.remaining === 0) this.inBody = false;
        continue;
      }
      const b = chunk[i++];
      if (!this.inLength) {
        if (this.packets === 0 && b >> 4 !== CONNECT) return 'first-not-connect';
        this.inLength = true;
        this.lengthValue = 0;
        this.lengthMul = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.lengthValue += (b & 0x7f) * this.lengthMul;
      this.lengthMul *= 128;
      this.lengthBytes++;
      const max = this.packets === 0 ? this.limits.connectMax : this.limits.packetMax;
      if (this.lengthValue > max) return 'packet-too-large';
      if (b & 0x80) {
        if (this.lengthBytes === 4) return 'malformed-length';
        continue;
      }
      this.inLength = false;
      this.packets++;
      this.remaining = this.lengthValue;
      this.inBody = this.remaining > 0;
    }
    return undefined;
  }
}
