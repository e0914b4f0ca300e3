/**
 * URL layout of the gateway (CONTRACT "Video: gateway"): `/video/{cameraId}` (WebSocket;
 * `?format=mpeg1` or `?format=webrtc`),
 * `/video/{cameraId}/snapshot.jpg`, `POST /video/ingest/{cameraId}`; viewers present `?ticket=`
 * (CONTRACT "video tickets") or `?token=`. Pure parsing.
 */
import type { ViewerCredentials } from './types.js';

/** `mpegts` (default), `mpeg1` (JSMpeg), `webrtc` (signalling for a WebRTC view, webrtc-viewer.ts). */
export type LiveFormat = 'mpegts' | 'mpeg1' | 'webrtc';
const FORMATS: readonly string[] = ['mpeg1', 'webrtc'];

export type VideoRoute =
  | { kind: 'ingest'; cameraId: string }
  | { kind: 'snapshot'; cameraId: string; credentials: ViewerCredentials }
  | { kind: 'live'; cameraId: string; credentials: ViewerCredentials; format: LiveFormat };

function decode(s: string): string | undefined {
  try {
    const v = decodeURIComponent(s);
    return v.length > 0 && v.length <= 200 ? v : undefined;
  } catch {
    return undefined; // malformed percent-encoding: not a route of ours
  }
}

export function parseVideoRoute(rawUrl: string | undefined): VideoRoute | undefined {
  if (!rawUrl?.startsWith('/video/')) return undefined;
  const url = new URL(rawUrl, 'http://gateway.invalid');
  const parts = url.pathname.split('/').slice(2); // ['', 'video', ...]
  const credentials: ViewerCredentials = {
    token: url.searchParams.get('token') ?? undefined,
    ticket: url.searchParams.get('ticket') ?? undefined,
  };
  if (parts.length === 2 && parts[0] === 'ingest') {
    const cameraId = decode(parts[1]);
    return cameraId ? { kind: 'ingest', cameraId } : undefined;
  }
  if (parts.length === 2 && parts[1] === 'snapshot.jpg') {
    const cameraId = decode(parts[0]);
    return cameraId ? { kind: 'snapshot', cameraId, credentials } : undefined;
  }
  if (parts.length === 1) {
    const cameraId = decode(parts[0]);
    const asked = url.searchParams.get('format') ?? '';
    const format = (FORMATS.includes(asked) ? asked : 'mpegts') as LiveFormat;
    return cameraId ? { kind: 'live', cameraId, credentials, format } : undefined;
  }
  return undefined;
}
