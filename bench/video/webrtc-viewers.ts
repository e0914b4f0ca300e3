/**
 * Relay bench phase (issue 20): what a WebRTC viewer costs the gateway next to an MPEG-TS (MSE)
 * viewer, on one pulled 1080p camera. The gateway runs in its own process; the viewers are real
 * werift peers in this process (testkit/webrtc.ts), so only the gateway's side is measured:
 * reading access units back out of TS, RTP packetization, SRTP and DTLS per viewer.
 */
import { waitFor } from '../../testkit/index.js';
import { type WebRtcWatcher, watchWebRtc } from '../../testkit/webrtc.js';
import { type RtspClientKind, sleep, startGateway } from './harness.js';
import { measure, type Usage } from './proc.js';
import { openViewer } from './viewers.js';

export async function webrtcViewerPhase(
  cameraUrl: string,
  o: { viewers: number; warmMs: number; measureMs: number; rtspClient?: RtspClientKind },
): Promise<{
  base: Usage;
  rtc: Usage;
  cpuCoresPerViewer: number;
  rssMbPerViewer: number;
  unitsPerViewer: number;
  failedConnections: number;
}> {
  const gw = await startGateway({ 'rtc-0': { kind: 'rtsp', url: cameraUrl } }, undefined, o.rtspClient);
  const watchers: WebRtcWatcher[] = [];
  let failed = 0;
  try {
    // One MPEG-TS viewer keeps the camera streaming; the base is the gateway relaying it.
    const ts = await openViewer(`ws://127.0.0.1:${gw.port}/video/rtc-0?token=bench`, false);
    await waitFor(() => ts.bytes > 100_000, 20_000);
    await sleep(Math.min(o.warmMs, 10_000));
    const base = await measure(gw.child.pid ?? 0, o.measureMs);
    // One at a time: ten DTLS handshakes at once on a loaded 2-core machine outlast the gateway's
    // 10 s connect limit (seen here at load average 20).
    while (watchers.length < o.viewers) {
      const w = await watchWebRtc(`ws://127.0.0.1:${gw.port}/video/rtc-0?token=bench&format=webrtc`, false);
      const ok = await Promise.race([
        waitFor(() => w.received.units > 0, 30_000).then(() => true),
        w.closed.then(() => false),
      ]).catch(() => false);
      if (ok) watchers.push(w);
      else {
        await w.stop().catch(() => {});
        if (++failed > o.viewers) throw new Error(`webrtc phase: ${failed} viewers failed to connect`);
      }
    }
    await sleep(Math.min(o.warmMs, 10_000));
    console.log(`relay: ${o.viewers} WebRTC viewers on one pulled stream, measuring ${o.measureMs} ms...`);
    const before = watchers.map((w) => w.received.units);
    const rtc = await measure(gw.child.pid ?? 0, o.measureMs);
    const units = watchers.reduce((n, w, i) => n + w.received.units - before[i], 0) / o.viewers;
    ts.ws.terminate();
    return {
      base,
      rtc,
      cpuCoresPerViewer: (rtc.cpuCores - base.cpuCores) / o.viewers,
      rssMbPerViewer: (rtc.rssMb - base.rssMb) / o.viewers,
      unitsPerViewer: units,
      failedConnections: failed,
    };
  } finally {
    await Promise.all(watchers.map((w) => w.stop().catch(() => {})));
    await gw.stop();
  }
}
