/**
 * One live tile: WebRTC from the gateway, or MPEG-TS over WebSocket (CONTRACT "Video") played with
 * mpegts.js through MSE (live-player.ts), chosen per tile (TransportSwitch); WebRTC that shows no
 * frame falls back to MSE. Without MSE (or H.264 in MSE), or when forced (mpeg1.ts), the
 * tile plays the gateway's `format=mpeg1` stream with JSMpeg on a canvas; if JSMpeg cannot load, it
 * shows the gateway's JPEG snapshot refreshed every 2 s. A stall watchdog reconnects with capped
 * backoff. Every URL carries a 60 s camera ticket (api/tickets.ts), never the API token (F6).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { siteName, useCatalog } from '../api/catalog.js';
import { cameraUrl } from '../api/tickets.js';
import { retrier } from '../live/backoff.js';
import { useLive } from '../live/LiveProvider.js';
import {
  type LivePlayer,
  preferredTransport,
  saveTransport,
  startLive,
  type Transport,
  webrtcSupported,
} from './live-player.js';
import { mpeg1Forced, playMpeg1 } from './mpeg1.js';
import { PtzControls } from './PtzControls.js';
import { TileOverlay } from './TileOverlay.js';
import { TransportSwitch } from './TransportSwitch.js';

type TileState = 'connecting' | 'live' | 'lost' | 'snapshot';

/** The tile's URL with a camera ticket, or undefined (logged) when the center gave none. */
async function ticketed(cameraId: string, kind: 'live' | 'mpeg1'): Promise<string | undefined> {
  try {
    return await cameraUrl(cameraId, kind);
  } catch (err) {
    console.warn(`video: ${cameraId}: no ticket`, err);
    return undefined;
  }
}

export function mseH264Supported(): boolean {
  const MS = (window as { MediaSource?: typeof MediaSource }).MediaSource;
  return !!MS && MS.isTypeSupported('video/mp4; codecs="avc1.42E01E"');
}

export function VideoTile({ cameraId, compact }: { cameraId: string; compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const { cameraById, siteById } = useCatalog();
  const serverState = useLive((s) => s.cameras.get(cameraId)?.state);
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [mode] = useState<'mse' | 'mpeg1'>(() => (!mpeg1Forced() && mseH264Supported() ? 'mse' : 'mpeg1'));
  const [state, setState] = useState<TileState>('connecting');
  const [transport, setTransport] = useState<Transport>(() => preferredTransport(cameraId));
  const [snapUrl, setSnapUrl] = useState<string>();
  const cam = cameraById.get(cameraId);
  const siteId = cam?.siteId ?? '';

  useEffect(() => {
    if (state !== 'snapshot') return;
    let n = 0;
    const refresh = () =>
      cameraUrl(cameraId, 'snapshot')
        .then((url) => setSnapUrl(`${url}&n=${n++}`))
        .catch((err: unknown) => console.warn(`video: ${cameraId}: snapshot ticket`, err));
    void refresh();
    const iv = setInterval(refresh, 2000);
    return () => clearInterval(iv);
  }, [state, cameraId]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (mode !== 'mpeg1' || !canvas) return;
    let lastFrame = 0;
    let stopped = false;
    let stop = () => {};
    const retry = retrier(() => void start());
    // JSMpeg would reconnect with the same URL, whose ticket has expired by then: this effect
    // reconnects instead, with a fresh ticket.
    const start = async () => {
      const url = await ticketed(cameraId, 'mpeg1');
      if (!url) return reconnect();
      if (stopped) return;
      lastFrame = Date.now();
      stop = playMpeg1(
        canvas,
        url,
        () => {
          lastFrame = Date.now();
          retry.succeeded();
          setState('live');
        },
        (err) => {
          console.warn(`video: ${cameraId}: JSMpeg unavailable, snapshots instead`, err);
          stopped = true;
          setState('snapshot');
        },
      );
    };
    const reconnect = () => {
      stop();
      stop = () => {};
      if (!stopped && retry.schedule()) setState('lost');
    };
    const watchdog = setInterval(() => {
      if (lastFrame && Date.now() - lastFrame > 6000) reconnect();
    }, 1000);
    void start();
    return () => {
      stopped = true;
      clearInterval(watchdog);
      retry.cancel();
      stop();
    };
  }, [cameraId, mode]);

  useEffect(() => {
    const video = videoRef.current;
    if (mode !== 'mse' || !video) return;
    let stopped = false;
    let player: LivePlayer | undefined;
    let live = false;
    let lastTime = -1;
    let lastProgress = Date.now();
    const retry = retrier(() => void open());
    const close = () => {
      player?.stop();
      player = undefined;
    };
    const failed = (reason: string) => {
      console.warn(`video: ${cameraId}: ${transport}: ${reason}`);
      close();
      if (stopped) return;
      // WebRTC that never showed a frame (refused, blocked UDP, no H.264): MSE for this tile instead.
      if (transport === 'webrtc' && !live) return setTransport('mse');
      if (retry.schedule()) setState('lost');
    };
    const open = async () => {
      setState('connecting');
      live = false;
      lastProgress = Date.now();
      try {
        const p = await startLive(transport, video, cameraId, { onFail: failed });
        if (stopped) p.stop();
        else player = p;
      } catch (err) {
        failed(`no stream: ${String(err)}`);
      }
    };
    // A WebRTC view starts at the camera's next keyframe (gateway README "WebRTC"): a long GOP
    // gets more time before the tile gives up on it.
    const limitMs = transport === 'webrtc' ? 12_000 : 6000;
    const watchdog = setInterval(() => {
      if (!player) return;
      if (video.currentTime !== lastTime) {
        lastTime = video.currentTime;
        lastProgress = Date.now();
        if (video.currentTime > 0 && !live) {
          live = true;
          retry.succeeded();
          setState('live');
        }
      } else if (Date.now() - lastProgress > limitMs) failed(`no picture for ${limitMs / 1000} s`);
    }, 500);
    void open();
    return () => {
      stopped = true;
      clearInterval(watchdog);
      retry.cancel();
      close();
    };
  }, [cameraId, mode, transport]);

  const choose = (t: Transport) => {
    saveTransport(cameraId, t);
    setTransport(t);
  };
  const shown: TileState = serverState === 'lost' && state !== 'live' ? 'lost' : state;
  return (
    <div
      className={`tile tile-${shown}${compact ? ' compact' : ''}`}
      data-camera={cameraId}
      data-video-state={shown}
      data-transport={mode === 'mse' ? transport : mode}
    >
      {state === 'snapshot' ? (
        <img alt={cam?.name ?? cameraId} src={snapUrl} />
      ) : mode === 'mpeg1' ? (
        <canvas ref={canvasRef} data-player="jsmpeg" />
      ) : (
        <video ref={videoRef} muted playsInline />
      )}
      <div className="tile-label">
        <span className="cam-name">{cam?.name ?? cameraId}</span>
        <span className="cam-site">{siteName(siteById.get(siteId), siteId, i18n.language)}</span>
        <span className={`cam-state state-${shown}`}>
          {shown === 'live' ? '● ' : shown === 'lost' ? '✕ ' : '… '}
          {t(`video.${shown}`)}
        </span>
      </div>
      {mode === 'mse' && !compact && webrtcSupported() && <TransportSwitch transport={transport} choose={choose} />}
      {cam?.ptz && !compact && <PtzControls cameraId={cameraId} />}
      <TileOverlay cameraId={cameraId} compact={compact} />
    </div>
  );
}
