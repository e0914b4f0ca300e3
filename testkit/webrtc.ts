/**
 * A WebRTC viewer of the gateway as a browser is one (issue 20), for tests and benches: a real
 * werift peer connection that answers the gateway's offer on `/video/{id}?..&format=webrtc` and
 * depacketizes the H.264 it receives (RFC 6184) into access units.
 */
import { H264Depacketizer } from '@gwanje/media';
import { RTCPeerConnection } from 'werift';
import { WebSocket } from 'ws';
import { h264Codec } from '../gateway/src/webrtc-viewer.js';

export interface WebRtcWatcher {
  ws: WebSocket;
  pc: RTCPeerConnection;
  /** Access units received (kept only with `keepUnits`), and counters of everything received. */
  units: Array<{ nals: Buffer[]; keyframe: boolean }>;
  received: { units: number; bytes: number };
  messages: Array<{ type: string; sdp?: string; message?: string }>;
  closed: Promise<{ code: number; reason: string }>;
  stop(): Promise<void>;
}

/** Opens the signalling socket (rejects with `status N` when the handshake is refused). */
export async function watchWebRtc(url: string, keepUnits = true): Promise<WebRtcWatcher> {
  const ws = new WebSocket(url);
  const pc = new RTCPeerConnection({ codecs: { video: [h264Codec()] }, iceAdditionalHostAddresses: ['127.0.0.1'] });
  const depack = new H264Depacketizer();
  const w: WebRtcWatcher = {
    ws,
    pc,
    units: [],
    received: { units: 0, bytes: 0 },
    messages: [],
    closed: new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() }))),
    stop: async () => {
      ws.close();
      await pc.close();
    },
  };
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe((rtp) => {
      const raw = rtp.serialize();
      w.received.bytes += raw.length;
      for (const u of depack.push(raw)) {
        w.received.units++;
        if (keepUnits) w.units.push(u);
      }
    });
  });
  ws.on('message', async (d) => {
    const msg = JSON.parse(d.toString());
    w.messages.push(msg);
    if (msg.type !== 'offer') return;
    await pc.setRemoteDescription(msg);
    await pc.setLocalDescription(await pc.createAnswer());
    ws.send(JSON.stringify({ type: 'answer', sdp: pc.localDescription?.sdp }));
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return w;
}
