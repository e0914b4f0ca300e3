/**
 * The in-process RTSP pull upstream: RTSP/RTP over TCP -> H.264 access units -> MPEG-TS, the
 * same bytes an agent's push delivers, with no ffmpeg process. Copy only: NAL units are moved from
 * RTP into PES packets, never decoded. Audio tracks are not relayed (the video wall is silent);
 * a camera without an H.264 video track rejects with UnsupportedStreamError and the relay falls
 * back to ffmpeg `-c copy`.
 */
import { Slab } from '../slab.js';
import { TsMuxer } from '../ts/muxer.js';
import { RtspClient, type RtspClientOptions } from './client.js';
import { H264Depacketizer } from './h264-rtp.js';
import { parameterSets } from './sdp.js';

export interface NativePull {
  /** Resolves once the camera plays; rejects when it cannot be set up. */
  ready: Promise<void>;
  /** Resolves with the reason once the session has ended (after `ready` resolved). */
  ended: Promise<Error>;
  close(): Promise<void>;
}

/** Starts pulling `url`; `onData` receives whole 188-byte MPEG-TS packets, one access unit per call. */
export function startNativePull(url: string, onData: (ts: Buffer) => void, opts: RtspClientOptions = {}): NativePull {
  const client = new RtspClient(url, opts);
  // One slab for the joined NAL units and the muxed frames: they live about as long (one frame,
  // or one GOP in the relay's cache) and a few ArrayBuffers a second beat ~50 (../slab.ts).
  const slab = new Slab();
  const alloc = (n: number) => slab.alloc(n);
  const mux = new TsMuxer({ alloc });
  let depack: H264Depacketizer | undefined;
  let endedResolve: (err: Error) => void = () => {};
  const ended = new Promise<Error>((resolve) => {
    endedResolve = resolve;
  });
  const ready = client
    .play({
      track(track) {
        depack = new H264Depacketizer({ ...parameterSets(track.media), alloc });
      },
      rtp(packet) {
        if (!depack) return;
        for (const au of depack.push(packet)) onData(mux.mux(au));
      },
      closed: (err) => endedResolve(err),
    })
    .then(() => undefined);
  return {
    ready,
    ended,
    close: () => client.close(),
  };
}
