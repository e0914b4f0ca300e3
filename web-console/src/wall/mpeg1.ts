/**
 * JSMpeg fallback for tiles when MSE or H.264-in-MSE is missing (issue 7: "mpegts.js (MSE),
 * JSMpeg as fallback"): the gateway serves MPEG-1 video in MPEG-TS on `/video/{id}?format=mpeg1`
 * (CONTRACT "Video"), decoded in JavaScript/WASM and drawn on a canvas.
 */

/** Forced fallback for tests and for PCs whose MSE misbehaves: `?video=mpeg1` or localStorage. */
export const FORCE_KEY = 'gwanje.video.mode';

export function mpeg1Forced(): boolean {
  return new URLSearchParams(location.search).get('video') === 'mpeg1' || localStorage.getItem(FORCE_KEY) === 'mpeg1';
}

/** Starts JSMpeg on `canvas`; `onFrame` runs per decoded picture. Returns the stop function. */
export function playMpeg1(
  canvas: HTMLCanvasElement,
  url: string,
  onFrame: () => void,
  onFail: (err: unknown) => void,
): () => void {
  let stopped = false;
  let player: { destroy(): void } | null = null;
  import('@cycjimmy/jsmpeg-player')
    .then(({ default: JSMpeg }) => {
      if (stopped) return;
      player = new JSMpeg.Player(url, {
        canvas,
        audio: false,
        // 2D canvas rather than WebGL: works on headless/GPU-less wall PCs and keeps pixels readable.
        disableGl: true,
        pauseWhenHidden: false,
        videoBufferSize: 1024 * 1024,
        // No reconnect with the same URL: its ticket expires after 60 s (VideoTile reconnects).
        reconnectInterval: 0,
        onVideoDecode: onFrame,
      });
    })
    .catch(onFail);
  return () => {
    stopped = true;
    try {
      player?.destroy();
    } catch (err) {
      console.warn('video: jsmpeg teardown', err);
    }
    player = null;
  };
}
