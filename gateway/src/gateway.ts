/**
 * VideoGateway: the center's video front. One StreamRelay per camera (zero-transcode MPEG-TS),
 * WebSocket viewers, MPEG1 for JSMpeg, snapshots and alarm clips. See README for the interface.
 */
import { writeFile } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { BlackPictureWatch } from './black-picture.js';
import { RingBudget } from './buffers.js';
import { recordClip } from './clip-recorder.js';
import { ClipStore } from './clip-store.js';
import { type Clock, systemClock } from './clock.js';
import { FfmpegRunner } from './ffmpeg.js';
import { FrameSampler, type SampledFrame } from './frames.js';
import { type GatewayHttpHost, handleHttp, handleUpgrade, refuseUpgrade } from './http.js';
import { Mpeg1Transcoder } from './mpeg1.js';
import { type RelaySettings, StreamRelay } from './relay.js';
import type { LiveFormat } from './routes.js';
import { SnapshotService } from './snapshot.js';
import type { CameraHealth, ClipInfo, GatewayDeps, GatewayOptions, ViewerGrant } from './types.js';
import { TsViewer } from './viewer.js';
import { ViewerSessions } from './viewer-sessions.js';
import { attachWebRtcViewer } from './webrtc-viewer.js';
import { FrameCache } from './ws-frame.js';

export class VideoGateway {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly ffmpeg: FfmpegRunner;
  private readonly relays = new Map<string, StreamRelay>();
  private readonly mpeg1 = new Map<string, Mpeg1Transcoder>();
  // Viewers only receive; a message from one is never more than a close or ping (F14: ws' default
  // maxPayload of 100 MiB would let any viewer make the center buffer that much).
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 });
  /** WebRTC signalling: a browser's SDP answer is a few KiB. */
  private readonly signalling = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024,
  });
  private readonly sessions: ViewerSessions;
  private readonly snapshotsInFlight = new Map<string, number>();
  private readonly store: ClipStore;
  private readonly snapshots: SnapshotService;
  private readonly black: BlackPictureWatch;
  private readonly settings: RelaySettings;
  private readonly host: GatewayHttpHost;
  private readonly pendingClips = new Set<Promise<unknown>>();
  private readonly frames = new FrameCache();
  private readonly samplers = new Set<FrameSampler>();
  /** Cameras held open for alarm pre-roll, with the release of each hold. */
  private readonly prealarm = new Map<string, () => void>();
  private tickTimer: unknown;
  private started = false;

  constructor(
    private readonly deps: GatewayDeps,
    private readonly options: GatewayOptions = {},
  ) {
    this.log = deps.log.child({ module: 'gateway' });
    this.clock = options.clock ?? systemClock;
    this.ffmpeg = new FfmpegRunner(this.log, options.ffmpegPath);
    this.store = new ClipStore(join(options.dataDir ?? './data', 'clips'), this.log);
    this.snapshots = new SnapshotService(
      this.ffmpeg,
      this.clock,
      options.snapshotCacheMs ?? 2000,
      options.snapshotTimeoutMs ?? 10_000,
    );
    this.black = new BlackPictureWatch(this.ffmpeg, options.blackCheckMs ?? 15_000, this.log);
    this.settings = {
      graceMs: options.graceMs ?? 10_000,
      stallMs: options.stallMs ?? 5000,
      startTimeoutMs: options.startTimeoutMs ?? 15_000,
      retryMs: options.retryMs ?? 2000,
      ringMs: options.ringMs ?? 20_000,
      ringBytes: options.ringBytes ?? 32 * 1024 * 1024,
      ringBudget: new RingBudget(options.ringBudgetBytes ?? 512 * 1024 * 1024),
      maxGopBytes: options.maxGopBytes ?? 8 * 1024 * 1024,
      rtspClient: options.rtspClient ?? 'native',
      rtspReadBatchMs: options.rtspReadBatchMs ?? 20,
      frozenMs: options.frozenMs ?? 30_000,
      onFrame: options.onFrame,
    };
    this.sessions = new ViewerSessions(
      this.clock,
      { perUser: options.maxViewersPerUser ?? 40, mpeg1PerUser: options.maxMpeg1ViewersPerUser ?? 16 },
      deps,
      this.log,
    );
    this.host = {
      deps,
      log: this.log,
      sessions: this.sessions,
      relay: (id) => this.relay(id),
      snapshot: (id) => this.snapshot(id),
      snapshotSlot: (user) => this.snapshotSlot(user),
      transcoderFree: (id) => this.mpeg1.has(id) || this.mpeg1.size < (options.maxTranscoders ?? 16),
      addViewer: (id, ws, format, socket, grant) => this.addViewer(id, ws, format, socket, grant),
      signalling: this.signalling,
      pushes: new Map(),
      maxPushesPerOwner: options.maxPushesPerOwner ?? 16,
      refusals: { delayMs: options.refusalDelayMs ?? 1000, waiting: 0, clock: this.clock },
    };
  }

  async start(): Promise<void> {
    this.ffmpeg.start();
    await this.store.ensureRoot();
    await this.pruneClips();
    this.started = true;
    const loop = () => {
      const now = this.clock.now();
      for (const [id, r] of this.relays) {
        r.tick(now);
        this.black.tick(r, now, r.live);
        if (r.idle && !this.mpeg1.has(id)) {
          this.relays.delete(id);
          this.black.forget(id);
        }
      }
      if (this.started) this.tickTimer = this.clock.setTimeout(loop, 1000);
    };
    loop();
  }

  /** Ends every viewer and upstream and kills every ffmpeg child. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    for (const ws of [...this.wss.clients, ...this.signalling.clients]) ws.terminate();
    this.sessions.clear();
    this.holdPrealarm([]);
    await Promise.all([...this.mpeg1.values()].map((t) => t.close()));
    await Promise.all([...this.samplers].map((s) => s.stop()));
    this.samplers.clear();
    await Promise.all([...this.relays.values()].map((r) => r.close()));
    // Clips were just cut short by the relays closing: let ffmpeg finish their MP4 (bounded).
    const clipsDone = Promise.allSettled([...this.pendingClips]);
    await Promise.race([clipsDone, new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.ffmpeg.killAll();
    await clipsDone;
    this.relays.clear();
  }

  /** WebSocket upgrades on `/video/{cameraId}`: true when taken, false (untouched) for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    return handleUpgrade(this.host, this.wss, req, socket, head);
  }

  /** A server of its own: `/video/{cameraId}` upgrades, every other upgrade refused (404). */
  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      if (!this.handleUpgrade(req, socket, head)) refuseUpgrade(socket, '404 Not Found');
    });
  }

  /**
   * Re-checks the live viewers of `user` (every viewer without one) with `deps.recheckViewer` and
   * closes those whose grant no longer holds (close code 4401). Resolves with how many closed.
   */
  recheckViewers(user?: string): Promise<number> {
    return this.sessions.recheck(user);
  }

  /**
   * The cameras whose upstream stays open with nobody watching, so their clip ring always holds the
   * last `ringMs` (CONTRACT: a camera linked to a gas, flame or smoke sensor keeps a pre-alarm
   * buffer). Replaces the previous set: cameras no longer listed are released (stopped `graceMs`
   * later unless someone watches). The cost is one relay without decoding per camera (README
   * "Pre-alarm buffer"); a lost camera is retried with backoff like any other.
   */
  holdPrealarm(cameraIds: Iterable<string>): void {
    const want = new Set(cameraIds);
    for (const [id, release] of this.prealarm) {
      if (want.has(id)) continue;
      this.prealarm.delete(id);
      const r = this.relays.get(id);
      if (r) r.prealarm = false;
      release();
    }
    if (!this.started) return;
    for (const id of want) {
      if (this.prealarm.has(id)) continue;
      const r = this.relay(id);
      r.prealarm = true;
      this.prealarm.set(id, r.acquire());
      this.log.info({ cameraId: id }, 'gateway: camera held for alarm pre-roll');
    }
  }

  /** Cameras held for alarm pre-roll now. */
  get prealarmCameras(): string[] {
    return [...this.prealarm.keys()];
  }

  /** Ends a camera's push now (its agent's credentials were revoked); false when none runs. */
  endPush(cameraId: string): boolean {
    return this.relays.get(cameraId)?.endPushNow() ?? false;
  }

  /**
   * A camera's source changed or it was deleted (control-api, issue 20): a running pull starts
   * over now, asking `startUpstream` again (an unknown camera then closes its viewers with 4404).
   */
  restartUpstream(cameraId: string): boolean {
    return this.relays.get(cameraId)?.restartUpstream() ?? false;
  }

  /**
   * Bytes of an upstream the host fetches itself (issue 19: another center instance relays this
   * camera and this one takes its stream over a peer link); false when nobody asked for the camera.
   */
  feedUpstream(cameraId: string, chunk: Buffer): boolean {
    const r = this.relays.get(cameraId);
    if (!r) return false;
    r.feed(chunk);
    return true;
  }

  /** `POST /video/ingest/{cameraId}` and `GET /video/{cameraId}/snapshot.jpg`; false if not ours. */
  handleHttp(req: IncomingMessage, res: ServerResponse): boolean {
    return handleHttp(this.host, req, res);
  }

  health(cameraId: string): CameraHealth;
  health(): CameraHealth[];
  health(cameraId?: string): CameraHealth | CameraHealth[] {
    const one = (r: StreamRelay) => {
      const h = r.health();
      h.viewers += this.mpeg1.get(r.cameraId)?.viewerCount ?? 0;
      return h;
    };
    if (cameraId !== undefined) {
      // A camera nobody has asked for is simply idle.
      return one(this.relays.get(cameraId) ?? this.relay(cameraId));
    }
    return [...this.relays.values()].map(one);
  }

  /** Bytes held by every camera's clip ring together (bounded by `ringBudgetBytes`). */
  get ringBytes(): number {
    return this.settings.ringBudget?.bytes ?? 0;
  }

  /** Number of ffmpeg children running now (pulls, MPEG1, snapshots, clips). */
  get ffmpegChildren(): number {
    return this.ffmpeg.running;
  }

  snapshot(cameraId: string): Promise<Buffer> {
    return this.snapshots.snapshot(this.relay(cameraId));
  }

  /**
   * Records one clip per camera, from what the ring holds of `beforeMs` to `afterMs` after now;
   * idle cameras are started for it. Resolves when the files are written (cameras that delivered
   * no keyframe are logged and left out).
   */
  requestClip(
    alarmId: string,
    cameraIds: string[],
    opts: { beforeMs?: number; afterMs?: number } = {},
  ): Promise<ClipInfo[]> {
    // Tracked so stop() waits until every clip is closed and its metadata saved.
    const task = this.recordClips(alarmId, cameraIds, opts.beforeMs ?? 10_000, opts.afterMs ?? 30_000);
    this.pendingClips.add(task);
    return task.finally(() => this.pendingClips.delete(task));
  }

  private async recordClips(alarmId: string, cameraIds: string[], beforeMs: number, afterMs: number) {
    const dir = await this.store.ensureDir(alarmId);
    const requestedAt = this.clock.now();
    const results = await Promise.allSettled(
      cameraIds.map((id) =>
        recordClip({ alarmId, relay: this.relay(id), dir, requestedAt, beforeMs, afterMs }, this.ffmpeg, this.clock),
      ),
    );
    const clips: ClipInfo[] = [];
    for (const r of results) {
      if (r.status === 'fulfilled') {
        await this.store.save(r.value);
        clips.push(r.value);
      } else this.log.warn({ alarmId, err: String(r.reason) }, 'gateway: clip failed');
    }
    await this.pruneClips();
    return clips;
  }

  /**
   * Decoded low-rate frames of a camera (keyframes, scaled and letterboxed to `frameWidth` x
   * `frameHeight`, at most one per `frameMinIntervalMs`) for video analytics; the camera streams
   * while watched. Returns the function that stops watching.
   */
  watchFrames(cameraId: string, onFrame: (f: SampledFrame) => void): () => Promise<void> {
    const sampler = new FrameSampler(
      this.relay(cameraId),
      this.ffmpeg,
      this.clock,
      {
        width: this.options.frameWidth ?? 448,
        height: this.options.frameHeight ?? 252,
        minIntervalMs: this.options.frameMinIntervalMs ?? 500,
      },
      this.log,
      onFrame,
    );
    this.samplers.add(sampler);
    sampler.start();
    return async () => {
      this.samplers.delete(sampler);
      await sampler.stop();
    };
  }

  /**
   * Stores each camera's snapshot (the latest keyframe as JPEG) with the alarm's clips (CONTRACT:
   * an alarm gets a snapshot taken when it was raised, listed beside its clips). Cameras without a
   * keyframe in time are logged and left out.
   */
  async recordSnapshot(alarmId: string, cameraIds: string[]): Promise<ClipInfo[]> {
    const dir = await this.store.ensureDir(alarmId);
    const at = this.clock.now();
    const out: ClipInfo[] = [];
    for (const cameraId of cameraIds) {
      try {
        const jpeg = await this.snapshot(cameraId);
        const clipId = `${cameraId.replace(/[^A-Za-z0-9_-]/g, '_')}-snapshot-${at}`;
        const fileName = `${clipId}.jpg`;
        await writeFile(join(dir, fileName), jpeg);
        const iso = new Date(at).toISOString();
        const info: ClipInfo = {
          ...{ clipId, alarmId, cameraId, fileName, contentType: 'image/jpeg', bytes: jpeg.length, durationMs: 0 },
          ...{ requestedAt: iso, beforeMs: 0, afterMs: 0, createdAt: iso },
        };
        await this.store.save(info);
        out.push(info);
      } catch (err) {
        this.log.warn({ alarmId, cameraId, err: String(err) }, 'gateway: alarm snapshot failed');
      }
    }
    return out;
  }

  clips(alarmId: string): Promise<ClipInfo[]> {
    return this.store.list(alarmId);
  }

  /** Path of a clip's MP4 for download, or undefined. */
  clipFile(alarmId: string, clipId: string): Promise<string | undefined> {
    return this.store.file(alarmId, clipId);
  }

  private async pruneClips(): Promise<void> {
    const maxAge = this.options.clipMaxAgeMs ?? 30 * 24 * 3600_000;
    const maxBytes = this.options.clipMaxBytes ?? 5 * 1024 ** 3;
    try {
      await this.store.prune(this.clock.now(), maxAge, maxBytes);
    } catch (err) {
      this.log.error({ err: String(err) }, 'gateway: clip retention failed');
    }
  }

  private relay(cameraId: string): StreamRelay {
    let r = this.relays.get(cameraId);
    if (!r) {
      r = new StreamRelay(cameraId, {
        deps: this.deps,
        settings: this.settings,
        clock: this.clock,
        ffmpeg: this.ffmpeg,
        log: this.log,
      });
      this.relays.set(cameraId, r);
    }
    return r;
  }

  private snapshotSlot(user: string): (() => void) | undefined {
    const n = this.snapshotsInFlight.get(user) ?? 0;
    if (n >= (this.options.maxSnapshotsPerUser ?? 4)) return undefined;
    this.snapshotsInFlight.set(user, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.snapshotsInFlight.get(user) ?? 1) - 1;
      if (left > 0) this.snapshotsInFlight.set(user, left);
      else this.snapshotsInFlight.delete(user);
    };
  }

  private addViewer(cameraId: string, ws: WebSocket, format: LiveFormat, socket: Duplex, grant: ViewerGrant): void {
    const relay = this.relay(cameraId);
    ws.on('error', (err) => this.log.debug({ cameraId, err: err.message }, 'gateway: viewer socket error'));
    const forget = this.sessions.add({
      cameraId,
      grant,
      kind: format === 'mpeg1' ? 'mpeg1' : 'live',
      close: (code, reason) => ws.close(code, reason),
    });
    ws.once('close', forget);
    if (format === 'webrtc') {
      const maxQueueBytes = this.options.maxViewerQueueBytes ?? 2 * 1024 * 1024;
      attachWebRtcViewer(relay, ws, { maxQueueBytes, connectTimeoutMs: 10_000 }, this.log.child({ cameraId }));
      return;
    }
    if (format === 'mpeg1') {
      let t = this.mpeg1.get(cameraId);
      if (!t) {
        const created = new Mpeg1Transcoder(
          relay,
          this.ffmpeg,
          {
            width: this.options.mpeg1Width ?? 640,
            bitrate: this.options.mpeg1Bitrate ?? '800k',
            maxQueueBytes: this.options.maxViewerQueueBytes ?? 2 * 1024 * 1024,
          },
          this.log,
          () => {
            if (this.mpeg1.get(cameraId) === created) this.mpeg1.delete(cameraId);
          },
        );
        t = created;
        this.mpeg1.set(cameraId, t);
      }
      t.add(ws);
      return;
    }
    const viewer = new TsViewer(ws, socket, {
      maxQueueBytes: this.options.maxViewerQueueBytes ?? 2 * 1024 * 1024,
      dropAfterMs: this.options.stalledViewerDropMs ?? 10_000,
      clock: this.clock,
      frames: this.frames,
      onSkip: () => relay.skippedSegments++,
      onDrop: () => {
        relay.droppedViewers++;
        this.log.warn({ cameraId }, 'gateway: stalled viewer dropped');
      },
    });
    const unsubscribe = relay.subscribe(viewer, true);
    ws.once('close', unsubscribe);
  }
}
