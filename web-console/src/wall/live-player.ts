/**
 * The live players of a tile (issue 20: latency an operator can steer a PTZ with), both fed the
 * camera's H.264 untouched by the gateway:
 * - `webrtc`: `/video/{id}?ticket=..&format=webrtc` is a signalling socket (the gateway offers,
 *   we answer; gateway/README "WebRTC"); the video arrives over RTP. ~0.1 s glass to glass.
 * - `mse`: MPEG-TS over the WebSocket, mpegts.js into Media Source Extensions, tuned for latency:
 *   no stash, and the live edge chased by playing 1.2x (liveSync). See MSE_CONFIG.
 * Both report failure through `onFail`; the tile decides to retry or fall back (VideoTile.tsx).
 * Figures: bench/video/glass.ts, bench/results/glass-to-glass.json.
 */
import { cameraUrl } from '../api/tickets.js';

export type Transport = 'webrtc' | 'mse';

export interface LivePlayer {
  stop(): void;
}

export interface LiveHandlers {
  /** The stream cannot play (refused, no connection, decode error); `reason` is for the log. */
  onFail(reason: string): void;
}

/** Where the tile's preference is kept per camera (`mse` forces MSE; anything else: WebRTC first). */
export const TRANSPORT_KEY = 'gwanje.video.transport';

export function webrtcSupported(): boolean {
  return typeof (window as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function';
}

export function preferredTransport(cameraId: string): Transport {
  const saved = localStorage.getItem(`${TRANSPORT_KEY}.${cameraId}`) ?? localStorage.getItem(TRANSPORT_KEY);
  return saved !== 'mse' && webrtcSupported() ? 'webrtc' : 'mse';
}

export function saveTransport(cameraId: string, t: Transport): void {
  localStorage.setItem(`${TRANSPORT_KEY}.${cameraId}`, t);
}

/**
 * mpegts.js settings: the stash buffer off (bytes go to the demuxer as they come); latency kept low
 * by playing slightly faster (liveSync: 1.2x while more than 0.3 s is buffered, down to 0.15 s),
 * not by seeking: seeking to the live edge (tried first: p50 158 ms) dropped a quarter of the frames
 * on a loaded 16-tile wall (3756 dropped/min against 102). Seeking stays for gaps over 1.5 s (a
 * stall). bench/video/glass.ts measures the same numbers.
 */
export const MSE_CONFIG = {
  enableWorker: false,
  enableStashBuffer: false,
  stashInitialSize: 1,
  lazyLoad: false,
  autoCleanupSourceBuffer: true,
  liveBufferLatencyChasing: true,
  liveBufferLatencyMaxLatency: 1.5,
  liveBufferLatencyMinRemain: 0.3,
  liveSync: true,
  liveSyncMaxLatency: 0.3,
  liveSyncTargetLatency: 0.15,
  liveSyncPlaybackRate: 1.2,
};

export async function startLive(
  transport: Transport,
  video: HTMLVideoElement,
  cameraId: string,
  h: LiveHandlers,
): Promise<LivePlayer> {
  const url = await cameraUrl(cameraId, 'live');
  return transport === 'webrtc' ? playWebRtc(video, `${url}&format=webrtc`, h) : playMse(video, url, h);
}

function playWebRtc(video: HTMLVideoElement, url: string, h: LiveHandlers): LivePlayer {
  const pc = new RTCPeerConnection();
  const sock = new WebSocket(url);
  let done = false;
  const fail = (reason: string) => {
    if (done) return;
    stop();
    h.onFail(reason);
  };
  const stop = () => {
    done = true;
    sock.onclose = null;
    sock.close();
    pc.close();
    video.srcObject = null;
  };
  pc.ontrack = (e) => {
    video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    video.play().catch((err: unknown) => console.warn('video: webrtc play refused', err));
  };
  pc.onconnectionstatechange = () => {
    if (pc.connectionState === 'failed') fail('peer connection failed');
  };
  sock.onmessage = (e) => {
    void answer(e.data).catch((err: unknown) => fail(`signalling: ${String(err)}`));
  };
  // The socket lives as long as the view (the gateway's session and audit follow it).
  sock.onclose = (e) => fail(`signalling closed (${e.code} ${e.reason})`);
  const answer = async (data: unknown) => {
    const msg = JSON.parse(String(data)) as { type?: string; sdp?: string; message?: string };
    if (msg.type === 'error') return fail(`gateway: ${msg.message}`);
    if (msg.type !== 'offer' || !msg.sdp) return;
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    // No trickle: the answer goes once it carries every candidate (host candidates: milliseconds).
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
    if (!done) sock.send(JSON.stringify({ type: 'answer', sdp: pc.localDescription?.sdp }));
  };
  return { stop };
}

type Mpegts = typeof import('mpegts.js').default;
type MpegtsPlayer = ReturnType<Mpegts['createPlayer']>;

async function playMse(video: HTMLVideoElement, url: string, h: LiveHandlers): Promise<LivePlayer> {
  const { default: mpegts } = await import('mpegts.js');
  const p: MpegtsPlayer = mpegts.createPlayer({ type: 'mpegts', isLive: true, url }, MSE_CONFIG);
  let receiving = false;
  let done = false;
  p.on(mpegts.Events.STATISTICS_INFO, () => {
    receiving = true;
  });
  p.on(mpegts.Events.ERROR, (type: unknown, detail: unknown) => {
    if (done) return;
    stop();
    h.onFail(`${String(type)} ${String(detail)}`);
  });
  p.attachMediaElement(video);
  p.load();
  (p.play() as Promise<void> | undefined)?.catch((err: unknown) => console.warn('video: play refused', err));
  const destroy = () => {
    try {
      p.unload();
      p.detachMediaElement();
      p.destroy();
    } catch (err) {
      console.warn('video: teardown', err);
    }
  };
  const stop = () => {
    if (done) return;
    done = true;
    // mpegts.js throws from its WebSocket error handler when a socket still CONNECTING is closed
    // after destroy; give a young connection a moment to open before closing it.
    if (receiving) destroy();
    else setTimeout(destroy, 2000);
  };
  return { stop };
}
