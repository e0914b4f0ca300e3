/**
 * One WebRTC viewer of a relay (issue 20: latency an operator can steer a PTZ with). The relay's
 * H.264 is not transcoded: access units are read back out of its MPEG-TS segments and sent as
 * RTP (RFC 6184) over one werift peer connection per viewer. Signalling rides the viewer's
 * authenticated WebSocket (`/video/{cameraId}?ticket=..&format=webrtc`, see README "WebRTC"):
 *
 *   gateway -> browser  {"type":"offer","sdp"}     (ICE gathered, no trickle)
 *   browser -> gateway  {"type":"answer","sdp"}
 *   gateway -> browser  {"type":"error","message"} then close 4502
 *
 * The WebSocket stays open for the life of the view, so session expiry, re-checks, caps and the
 * audit treat a WebRTC view exactly like an MPEG-TS one; closing either side ends both.
 * Media starts at the next keyframe after the peer connection is up (a cached GOP sent in one
 * burst would make the browser's jitter buffer hold the whole GOP as delay).
 */
import { H264Packetizer, type Segment, TsAccessUnitReader } from '@gwanje/media';
import type { Logger } from 'pino';
import {
  type RTCRtpCodecParameters as CodecParameters,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
} from 'werift';
import type { WebSocket } from 'ws';
import type { Subscriber } from './relay.js';

/** WebSocket close code: the peer connection could not be set up or failed (4000-4999: ours). */
export const CLOSE_WEBRTC_FAILED = 4502;
/** RTP payload type offered for H.264 (dynamic range, RFC 3551 §6). */
const H264_PT = 102;

export interface WebRtcOptions {
  /** Time for the browser's answer and ICE+DTLS to connect (ms). */
  connectTimeoutMs: number;
  maxQueueBytes: number;
}

export function h264Codec(): CodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    payloadType: H264_PT,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    // Constrained Baseline 3.1 is what every browser offers; level-asymmetry lets it decode the
    // camera's own profile and level (RFC 6184 §8.1), which we pass through untouched.
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  });
}

export class WebRtcViewer implements Subscriber {
  readonly viewer = true;
  private readonly pc: RTCPeerConnection;
  private readonly transceiver: RTCRtpTransceiver;
  private readonly reader = new TsAccessUnitReader();
  private packetizer: H264Packetizer | undefined;
  private needKeyframe = true;
  private lastPsi: Buffer | undefined;
  private inFlight = 0;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: WebRtcOptions,
    private readonly log: Logger,
    private readonly onSkip: () => void,
  ) {
    this.pc = new RTCPeerConnection({
      codecs: { video: [h264Codec()] },
      // Host candidates only (README "WebRTC across NAT" says what a TURN deployment adds);
      // loopback too, for a console on the center's own machine.
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
    });
    this.transceiver = this.pc.addTransceiver('video', { direction: 'sendonly' });
  }

  /** Sends the offer and waits for the answer; the view fails (4502) if nothing connects in time. */
  async start(): Promise<void> {
    this.timer = setTimeout(() => this.fail('no connection in time'), this.opts.connectTimeoutMs);
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.packetizer = new H264Packetizer({ payloadType: H264_PT, ssrc: this.transceiver.sender.ssrc });
      } else if (state === 'failed' || state === 'closed') this.fail(`peer connection ${state}`);
    });
    this.ws.on('message', (data, isBinary) => void this.onMessage(data as Buffer, isBinary));
    this.ws.once('close', () => this.close());
    try {
      await this.pc.setLocalDescription(await this.pc.createOffer());
      await this.gathered();
      const sdp = this.pc.localDescription?.sdp;
      if (!sdp) throw new Error('no local description');
      if (!this.closed) this.ws.send(JSON.stringify({ type: 'offer', sdp }));
    } catch (err) {
      this.fail(`offer: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const { unSubscribe } = this.pc.iceGatheringStateChange.subscribe((s) => {
        if (s !== 'complete') return;
        unSubscribe();
        resolve();
      });
    });
  }

  private async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    let msg: { type?: unknown; sdp?: unknown };
    try {
      if (isBinary) throw new Error('binary message');
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      return this.fail('signalling: not a JSON text message');
    }
    if (msg.type !== 'answer' || typeof msg.sdp !== 'string')
      return this.fail('signalling: expected {type:"answer",sdp}');
    // werift takes any text as SDP and then calls an answer without media "connected": check the
    // parts a real answer to our offer has (RFC 8829 §5.3: media section, ICE credentials, DTLS fingerprint).
    const sdp = msg.sdp;
    const missing = ['m=video ', 'a=ice-ufrag:', 'a=fingerprint:'].filter((line) => !sdp.includes(line));
    if (missing.length) return this.fail(`answer refused: no ${missing.join(', ')}`);
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } catch (err) {
      this.fail(`answer refused: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  segment(seg: Segment, psi: Buffer | undefined): void {
    if (this.closed || !this.packetizer) return;
    if (psi && psi !== this.lastPsi) {
      this.lastPsi = psi;
      this.reader.usePsi(psi);
    }
    // Behind by more than the queue allows (slow DTLS sends): skip to the next keyframe, like TsViewer.
    if (this.inFlight > this.opts.maxQueueBytes) {
      if (!this.needKeyframe) this.onSkip();
      this.needKeyframe = true;
      this.reader.reset();
      return;
    }
    for (const au of this.reader.push(seg.data)) {
      if (this.needKeyframe && !au.keyframe) continue;
      this.needKeyframe = false;
      for (const rtp of this.packetizer.packetize(au.nals, au.pts)) this.send(rtp);
    }
  }

  private send(rtp: Buffer): void {
    this.inFlight += rtp.length;
    this.transceiver.sender.sendRtp(rtp).then(
      () => {
        this.inFlight -= rtp.length;
      },
      (err: Error) => {
        this.inFlight -= rtp.length;
        this.log.debug({ err: err.message }, 'webrtc: RTP send failed');
      },
    );
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.log.warn({ reason }, 'webrtc: viewer failed');
    if (this.ws.readyState === this.ws.OPEN) {
      this.ws.send(JSON.stringify({ type: 'error', message: reason }));
      this.ws.close(CLOSE_WEBRTC_FAILED, reason.slice(0, 100));
    }
    this.close();
  }

  end(reason: string): void {
    const code = reason === 'unknown-camera' ? 4404 : 1001;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
    this.close();
  }

  queuedBytes(): number {
    return this.inFlight;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    void this.pc.close().catch((err: Error) => this.log.debug({ err: err.message }, 'webrtc: close'));
  }
}

/** Starts a WebRTC view of `relay` on an authorized signalling socket; it subscribes once connected. */
export function attachWebRtcViewer(
  relay: { subscribe(sub: Subscriber, prime: boolean): () => void; skippedSegments: number },
  ws: WebSocket,
  opts: WebRtcOptions,
  log: Logger,
): void {
  const viewer = new WebRtcViewer(ws, opts, log, () => relay.skippedSegments++);
  // Held from the handshake on, so the camera starts while ICE and DTLS are being set up.
  const hold = relay.subscribe(viewer, false);
  ws.once('close', hold);
  void viewer.start();
}
