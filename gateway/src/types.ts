import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';

export type Upstream = { kind: 'push' } | { kind: 'rtsp'; url: string };
export type CameraState = 'live' | 'idle' | 'lost';

export interface CameraHealth {
  cameraId: string;
  /** idle: nobody needs it; starting: asked for, no data yet; live: data flowing; lost: should run but does not. */
  state: CameraState | 'starting';
  upstream: Upstream['kind'] | null;
  /** WebSocket viewers (MPEG-TS and MPEG1). */
  viewers: number;
  /** Everything holding the upstream: viewers, snapshots, clips. */
  consumers: number;
  fps: number;
  bitrateBps: number;
  /** Wall clock (ms) of the last keyframe received, or null. */
  lastKeyframeAt: number | null;
  lastDataAt: number | null;
  bytesIn: number;
  restarts: number;
  /** Largest send queue (ws bufferedAmount) among this camera's viewers. */
  maxViewerQueueBytes: number;
  /** Segments skipped for slow viewers and viewers dropped for staying stalled, since start. */
  skippedSegments: number;
  droppedViewers: number;
  /** Held open for alarm pre-roll (a camera linked to a gas, flame or smoke sensor). */
  prealarm: boolean;
  /** How far back (ms) the ring reaches from now to its oldest keyframe: the pre-roll a clip would get. */
  preRollMs: number;
  /** Data flows but no keyframe came for `frozenMs`: the picture is stuck (camera-frozen). */
  frozen: boolean;
  /** Keyframes probed twice in a row show a black picture (covered lens, dead sensor): camera-black. */
  black: boolean;
}

/** A picture condition the relay sees on a flowing stream (camera-loss family, issue 20). */
export type StreamCondition = 'frozen' | 'black';

/** What a viewer presents in the URL: `?ticket=` (a console, CONTRACT "video tickets") or `?token=`. */
export interface ViewerCredentials {
  token?: string;
  ticket?: string;
}

/** Who watches, as `authorizeViewer` answers: kept with the connection for re-checks, caps and audit. */
export interface ViewerGrant {
  /** Whose view it is (per-user caps, audit). */
  user: string;
  /** Opaque to the gateway, handed back to `recheckViewer` (control-api: the session id). */
  session?: string;
  /** The grant's session ends then (ms): its live viewers are closed. */
  expiresAt?: number;
  /** Client address (audit). */
  address?: string;
}

export type ViewKind = 'live' | 'mpeg1' | 'snapshot';

export interface GatewayDeps {
  log: Logger;
  /** Live video and snapshots: the grant, or null (401 without credentials, 403 otherwise). */
  authorizeViewer(credentials: ViewerCredentials, cameraId: string, req: IncomingMessage): Promise<ViewerGrant | null>;
  /** Does an open viewer's grant still hold (session live, camera still in its sites)? Absent: always. */
  recheckViewer?(grant: ViewerGrant, cameraId: string): Promise<boolean>;
  /** A view of a camera began (PIPA: who watched what, when); the returned function ends it. */
  onView?(cameraId: string, grant: ViewerGrant, kind: ViewKind): () => void;
  /**
   * May this push feed the camera? `remoteAddress`: the pushing client's address, for failed-login
   * throttles. `{owner}` (e.g. the agentId) lets the gateway cap concurrent pushes per owner.
   */
  authorizeIngest(
    authorizationHeader: string | undefined,
    cameraId: string,
    remoteAddress?: string,
  ): Promise<boolean | { owner: string }>;
  /** Asks for the camera's upstream; reject with UnknownCameraError for a camera that does not exist. */
  startUpstream(cameraId: string): Promise<Upstream>;
  stopUpstream(cameraId: string): Promise<void>;
  onCameraState?(cameraId: string, state: CameraState, health: CameraHealth): void;
  /** A condition of the picture began (`active`) or ended while the stream flows (README "Camera health"). */
  onStreamCondition?(cameraId: string, condition: StreamCondition, active: boolean, health: CameraHealth): void;
}

export interface GatewayOptions {
  /** Upstream keeps running this long after its last consumer leaves (default 10 s). */
  graceMs?: number;
  /** Root for clips (dataDir/clips). Default ./data. */
  dataDir?: string;
  /** The ffmpeg binary (snapshots, clips, MPEG1, ffmpeg pulls); default `ffmpeg` on PATH. */
  ffmpegPath?: string;
  /**
   * How RTSP cameras are pulled: `native` (default) runs an RTSP/RTP client inside the gateway
   * process; `ffmpeg` spawns `ffmpeg -c copy` per camera. Native falls back to ffmpeg for a camera
   * without an H.264 video track.
   */
  rtspClient?: 'native' | 'ffmpeg';
  /**
   * Native client: playing camera sockets are read together every this many ms (default 20; 0 reads
   * each as data arrives). Fewer wake-ups for up to this much added latency; see src/rtsp/batched-read.ts.
   */
  rtspReadBatchMs?: number;
  clock?: Clock;
  /** A viewer whose ws send queue exceeds this skips to the next keyframe (default 2 MiB). */
  maxViewerQueueBytes?: number;
  /** A viewer stalled above the queue bound this long is dropped (default 10 s). */
  stalledViewerDropMs?: number;
  /** No data this long from a running upstream means it is lost (default 5 s). */
  stallMs?: number;
  /** No first data this long after asking means it is lost (default 15 s). */
  startTimeoutMs?: number;
  /** Retry delay after a loss, doubled up to 30 s (default 2 s). */
  retryMs?: number;
  /** Alarm-clip ring per streaming camera: time and byte bounds (default 20 s, 32 MiB). */
  ringMs?: number;
  /** A live stream without a keyframe for this long is frozen (default 30 s; 0 disables). */
  frozenMs?: number;
  /** A live stream's cached keyframe is probed for a black picture this often (default 15 s; 0 disables). */
  blackCheckMs?: number;
  ringBytes?: number;
  /** All cameras' rings together (default 512 MiB); over it, the largest ring sheds first. */
  ringBudgetBytes?: number;
  /** Concurrent pushes one owner (agent) may feed (default 16); more are refused with 429. */
  maxPushesPerOwner?: number;
  /**
   * A refused push is answered this much later (default 1000 ms; at most 256 waiting, the rest at
   * once), so a wrong-password flood gets one guess a second per connection.
   */
  refusalDelayMs?: number;
  /** Last-GOP cache bound (default 8 MiB); a longer GOP is not cached. */
  maxGopBytes?: number;
  snapshotCacheMs?: number;
  snapshotTimeoutMs?: number;
  /** Clip retention (default 30 days, 5 GiB). */
  clipMaxAgeMs?: number;
  clipMaxBytes?: number;
  /** Live viewers one user may hold (default 40) and, of those, MPEG1 ones (default 16). */
  maxViewersPerUser?: number;
  maxMpeg1ViewersPerUser?: number;
  /** MPEG1 transcoders (one ffmpeg per camera) running at once, for everyone (default 16). */
  maxTranscoders?: number;
  /** Snapshots one user may have in flight (each may start a camera; default 4). */
  maxSnapshotsPerUser?: number;
  /** MPEG1 output for JSMpeg: width in pixels (default 640), bitrate (default 800k). */
  mpeg1Width?: number;
  mpeg1Bitrate?: string;
  /** watchFrames(): decoded frame size (letterboxed) and the least time between two frames (default 448x252, 500 ms). */
  frameWidth?: number;
  frameHeight?: number;
  frameMinIntervalMs?: number;
  /** Instrumentation: called for every video frame (PES) entering the relay, with arrival wall clock. */
  onFrame?(cameraId: string, pts: number | undefined, arrivedAtMs: number): void;
}

export interface ClipInfo {
  clipId: string;
  alarmId: string;
  cameraId: string;
  fileName: string;
  /** A clip, or the snapshot taken when the alarm was raised. */
  contentType: 'video/mp4' | 'image/jpeg';
  bytes: number;
  durationMs: number;
  /** When the clip was requested (the alarm), and how much of the requested pre-roll the ring had. */
  requestedAt: string;
  beforeMs: number;
  afterMs: number;
  createdAt: string;
}

export class UnknownCameraError extends Error {
  readonly code = 'unknown-camera';
  constructor(cameraId: string) {
    super(`gateway: unknown camera ${cameraId}`);
  }
}

export function isUnknownCamera(err: unknown): boolean {
  return (
    err instanceof UnknownCameraError ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'unknown-camera')
  );
}
