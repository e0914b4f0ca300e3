/**
 * StreamRelay: one camera's single upstream (agent push or RTSP pull), shared by every consumer.
 * Started by the first consumer, stopped `graceMs` after the last one leaves; keeps the last GOP
 * and a clip ring; watches the upstream and retries when it dies or stalls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type NativePull, PacketAligner, type Segment, startNativePull, TsSegmenter } from '@gwanje/media';
import { redactText, urlSecrets } from '@gwanje/protocol';
import type { Logger } from 'pino';
import { GopCache, type RingBudget, SegmentRing, type TimedSegment } from './buffers.js';
import type { Clock } from './clock.js';
import type { Child, FfmpegRunner } from './ffmpeg.js';
import { kill } from './ffmpeg.js';
import { StreamStats } from './stats.js';
import { type CameraHealth, type GatewayDeps, isUnknownCamera, type StreamCondition, type Upstream } from './types.js';
import { spawnRtspPull } from './upstream.js';
import { StreamWaiters } from './waiters.js';

export interface Subscriber {
  /** Counted as a viewer in health (snapshots and clips are consumers, not viewers). */
  readonly viewer: boolean;
  segment(seg: Segment, psi: Buffer | undefined): void;
  /** The relay gives this subscriber up (unknown camera, gateway stopping). */
  end(reason: string): void;
  queuedBytes?(): number;
}

export interface RelaySettings {
  graceMs: number;
  stallMs: number;
  startTimeoutMs: number;
  retryMs: number;
  ringMs: number;
  ringBytes: number;
  /** One budget over every camera's ring (F21). */
  ringBudget?: RingBudget;
  maxGopBytes: number;
  /** RTSP pull: the in-process client (default), or ffmpeg `-c copy` per camera. */
  rtspClient: 'native' | 'ffmpeg';
  rtspReadBatchMs: number;
  /** No keyframe for this long while data flows: frozen (0: never). */
  frozenMs: number;
  onFrame?(cameraId: string, pts: number | undefined, arrivedAtMs: number): void;
}

export interface RelayContext {
  deps: GatewayDeps;
  settings: RelaySettings;
  clock: Clock;
  ffmpeg: FfmpegRunner;
  log: Logger;
}

type State = CameraHealth['state'];

export class StreamRelay {
  private state: State = 'idle';
  private running = false;
  private generation = 0;
  private consumers = 0;
  private readonly subscribers = new Set<Subscriber>();
  private graceTimer: unknown;
  private upstream: Upstream | null = null;
  private puller: Child | undefined;
  private native: NativePull | undefined;
  /** The camera offered no track the native client relays: ffmpeg pulls it until the relay stops. */
  private ffmpegFallback = false;
  /** The camera refused RTP over TCP (461): ffmpeg pulls it over UDP. */
  private ffmpegTransport: 'tcp' | 'udp' = 'tcp';
  private push: { req: IncomingMessage; res: ServerResponse } | undefined;
  private readonly aligner = new PacketAligner();
  private readonly segmenter = new TsSegmenter();
  private readonly gop: GopCache;
  private readonly ring: SegmentRing;
  private readonly keyframeWaiters: StreamWaiters<Buffer>;
  /** startUpstream said this camera does not exist. */
  unknownCamera = false;
  private askedAt = 0;
  private retryAt = 0;
  private backoff: number;
  private readonly stats = new StreamStats();
  private restarts = 0;
  skippedSegments = 0;
  droppedViewers = 0;
  /** Held open for alarm pre-roll by the gateway (see VideoGateway.holdPrealarm). */
  prealarm = false;
  /** Picture conditions on a flowing stream (camera-loss family): frozen here, black by BlackPictureWatch. */
  private readonly conditions: Record<StreamCondition, boolean> = { frozen: false, black: false };

  constructor(
    readonly cameraId: string,
    private readonly ctx: RelayContext,
  ) {
    this.gop = new GopCache(ctx.settings.maxGopBytes);
    this.ring = new SegmentRing(ctx.settings.ringMs, ctx.settings.ringBytes, ctx.settings.ringBudget);
    this.backoff = ctx.settings.retryMs;
    this.keyframeWaiters = new StreamWaiters(ctx.clock, () => this.keyframeTs());
  }

  /** Holds the upstream open until the returned release is called (idempotent). */
  acquire(): () => void {
    this.consumers++;
    if (this.graceTimer !== undefined) {
      this.ctx.clock.clearTimeout(this.graceTimer);
      this.graceTimer = undefined;
    }
    if (!this.running) this.begin();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.consumers--;
      if (this.consumers === 0) this.scheduleStop();
    };
  }

  /** Adds a consumer receiving segments; with `prime` it first gets the cached GOP (keyframe first). */
  subscribe(sub: Subscriber, prime: boolean): () => void {
    const release = this.acquire();
    if (prime) for (const seg of this.gop.get()) sub.segment(seg, this.segmenter.psi());
    this.subscribers.add(sub);
    return () => {
      this.subscribers.delete(sub);
      release();
    };
  }

  /** PAT+PMT and the ring from the last keyframe at or before `since`, for clip pre-roll. */
  ringSince(since: number): { psi: Buffer | undefined; items: TimedSegment[] } {
    return { psi: this.segmenter.psi(), items: this.ring.since(since) };
  }

  /** Resolves with PAT+PMT+GOP once a complete keyframe is cached, or undefined after `timeoutMs`. */
  waitForKeyframe(timeoutMs: number): Promise<Buffer | undefined> {
    return this.keyframeWaiters.wait(timeoutMs);
  }

  /** PAT+PMT+GOP once the GOP holds a complete keyframe (a second frame has started). */
  keyframeTs(): Buffer | undefined {
    const gop = this.gop.get();
    const psi = this.segmenter.psi();
    const frames = gop.reduce((n, s) => n + s.frames.length, 0);
    return psi && frames >= 2 ? Buffer.concat([psi, ...gop.map((s) => s.data)]) : undefined;
  }

  /** An agent's chunked POST. A newer push replaces the current one (see README). */
  attachPush(req: IncomingMessage, res: ServerResponse): void {
    if (this.push) {
      this.ctx.log.warn({ cameraId: this.cameraId }, 'relay: new push replaces the current one');
      this.endPush();
    }
    const push = { req, res };
    this.push = push;
    this.aligner.reset();
    if (!this.running) {
      // Unrequested push (agent started on its own): relay it, but stop it after the grace period
      // unless someone starts watching — nothing streams that nobody uses.
      this.running = true;
      this.upstream = { kind: 'push' };
      this.askedAt = this.ctx.clock.now();
      if (this.consumers === 0) this.scheduleStop();
    }
    req.on('data', (chunk: Buffer) => {
      if (this.push === push) this.feed(chunk);
    });
    const done = () => {
      if (this.push !== push) return;
      this.push = undefined;
      if (!res.headersSent) res.writeHead(204).end();
      this.ctx.log.info({ cameraId: this.cameraId }, 'relay: push ended');
    };
    req.on('end', done);
    req.on('close', done);
  }

  feed(chunk: Buffer): void {
    const now = this.ctx.clock.now();
    this.stats.data(now, chunk.length);
    if (this.state !== 'live' && this.running) {
      this.backoff = this.ctx.settings.retryMs;
      this.setState('live');
    }
    const packets = this.aligner.push(chunk);
    if (packets.length === 0) return;
    const segments = this.segmenter.push(packets);
    // PAT/PMT as of the end of this chunk: what a viewer joining on one of its keyframes needs.
    const psi = this.segmenter.psi();
    const onFrame = this.ctx.settings.onFrame;
    for (const seg of segments) {
      this.stats.video(now, seg.frames.length, seg.keyframe);
      if (seg.keyframe && this.conditions.frozen) this.setCondition('frozen', false);
      if (onFrame) for (const f of seg.frames) onFrame(this.cameraId, f.pts, now);
      this.gop.push(seg);
      this.ring.push(now, seg);
      for (const sub of this.subscribers) sub.segment(seg, psi);
      if (seg.frames.length) this.keyframeWaiters.poke();
    }
  }

  /** Watchdog and rates; the gateway calls it about once a second. */
  tick(now: number): void {
    this.stats.tick(now);
    if (!this.running) return;
    if (this.state === 'lost' && this.retryAt && now >= this.retryAt) {
      this.retryAt = 0;
      this.restarts++;
      void this.startAttempt();
      return;
    }
    if (this.retryAt) return;
    this.checkFrozen(now);
    const last = this.stats.lastDataAt;
    const gotData = last !== null && last >= this.askedAt;
    if (!gotData && now - this.askedAt > this.ctx.settings.startTimeoutMs) this.lose('no data after start');
    else if (gotData && now - (last ?? 0) > this.ctx.settings.stallMs) this.lose('upstream stalled');
  }

  health(): CameraHealth {
    let viewers = 0;
    let maxQueue = 0;
    for (const s of this.subscribers) {
      if (s.viewer) viewers++;
      maxQueue = Math.max(maxQueue, s.queuedBytes?.() ?? 0);
    }
    return {
      cameraId: this.cameraId,
      state: this.state,
      upstream: this.running ? (this.upstream?.kind ?? null) : null,
      viewers,
      consumers: this.consumers,
      fps: this.stats.fps,
      bitrateBps: this.stats.bitrateBps,
      lastKeyframeAt: this.stats.lastKeyframeAt,
      lastDataAt: this.stats.lastDataAt,
      bytesIn: this.stats.bytesIn,
      restarts: this.restarts,
      maxViewerQueueBytes: maxQueue,
      skippedSegments: this.skippedSegments,
      droppedViewers: this.droppedViewers,
      prealarm: this.prealarm,
      preRollMs: this.ring.reachMs(this.ctx.clock.now()),
      frozen: this.conditions.frozen,
      black: this.conditions.black,
    };
  }

  /**
   * A stream whose bytes keep coming but whose last keyframe (or start, before the first) is older
   * than `frozenMs` shows a stuck picture: encoders refresh with an IDR every GOP (1-4 s), so a
   * frozen or hung encoder that still sends stuffing or skip frames is told apart from a live one
   * without decoding anything. Cleared by the next keyframe or when the upstream stops.
   */
  private checkFrozen(now: number): void {
    const limit = this.ctx.settings.frozenMs;
    if (limit <= 0 || this.state !== 'live') return;
    const since = Math.max(this.stats.lastKeyframeAt ?? 0, this.askedAt);
    const frozen = now - since > limit && this.stats.lastDataAt !== null && now - this.stats.lastDataAt < limit;
    this.setCondition('frozen', frozen);
  }

  /** A picture condition began or ended: logged and reported once per change. */
  setCondition(kind: StreamCondition, active: boolean): void {
    if (active === this.conditions[kind]) return;
    this.conditions[kind] = active;
    this.ctx.log.warn({ cameraId: this.cameraId, condition: kind, active }, 'relay: picture condition changed');
    this.ctx.deps.onStreamCondition?.(this.cameraId, kind, active, this.health());
  }

  private clearConditions(): void {
    for (const kind of Object.keys(this.conditions) as StreamCondition[]) this.setCondition(kind, false);
  }

  /** Data flows from the upstream now. */
  get live(): boolean {
    return this.state === 'live';
  }

  /** Nothing runs or holds this relay: the gateway may forget it. */
  get idle(): boolean {
    return !this.running && this.consumers === 0 && this.graceTimer === undefined && this.subscribers.size === 0;
  }

  /** Gateway shutdown: end subscribers and the upstream now, without a grace period. */
  async close(): Promise<void> {
    for (const s of [...this.subscribers]) s.end('gateway stopping');
    this.subscribers.clear();
    if (this.graceTimer !== undefined) this.ctx.clock.clearTimeout(this.graceTimer);
    if (this.running) await this.stop();
  }

  private begin(): void {
    this.running = true;
    this.restarts = 0;
    this.backoff = this.ctx.settings.retryMs;
    if (this.push) return; // already fed by an unrequested push: keep it, no need to ask
    this.setState('starting');
    void this.startAttempt();
  }

  private async startAttempt(): Promise<void> {
    const gen = ++this.generation;
    this.askedAt = this.ctx.clock.now();
    let up: Upstream;
    try {
      up = await this.ctx.deps.startUpstream(this.cameraId);
    } catch (err) {
      if (gen !== this.generation || !this.running) return;
      if (isUnknownCamera(err)) {
        this.ctx.log.warn({ cameraId: this.cameraId }, 'relay: unknown camera');
        this.unknownCamera = true;
        this.keyframeWaiters.giveUp();
        for (const s of [...this.subscribers]) s.end('unknown-camera');
        this.subscribers.clear();
        this.running = false;
        this.setState('idle');
        return;
      }
      this.lose(`startUpstream failed: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (gen !== this.generation || !this.running) return;
    this.unknownCamera = false;
    this.upstream = up;
    if (up.kind !== 'rtsp') return;
    if (this.ctx.settings.rtspClient === 'ffmpeg' || this.ffmpegFallback) this.spawnPuller(up.url, gen);
    else this.startNative(up.url, gen);
  }

  private startNative(url: string, gen: number): void {
    this.aligner.reset();
    const pull: NativePull = startNativePull(
      url,
      (ts) => {
        if (this.native === pull) this.feed(ts);
      },
      { readBatchMs: this.ctx.settings.rtspReadBatchMs },
    );
    this.native = pull;
    pull.ready.then(
      async () => this.nativeEnded(pull, gen, await pull.ended),
      (err: Error & { code?: string; reason?: string }) => {
        if (err.code === 'rtsp-unsupported') this.ffmpegTransport = err.reason === 'transport' ? 'udp' : 'tcp';
        this.nativeEnded(pull, gen, err, err.code === 'rtsp-unsupported' ? url : undefined);
      },
    );
  }

  /** The native pull ended or never started; with `fallbackUrl`, ffmpeg takes the camera over. */
  private nativeEnded(pull: NativePull, gen: number, err: Error, fallbackUrl?: string): void {
    if (this.native !== pull) return;
    this.native = undefined;
    if (gen !== this.generation || !this.running) return;
    if (fallbackUrl === undefined) {
      this.lose(err.message);
      return;
    }
    this.ctx.log.info({ cameraId: this.cameraId, reason: err.message }, 'relay: RTSP pull falls back to ffmpeg');
    this.ffmpegFallback = true;
    this.spawnPuller(fallbackUrl, gen);
  }

  private spawnPuller(url: string, gen: number): void {
    this.aligner.reset();
    const child = spawnRtspPull(this.ctx.ffmpeg, this.cameraId, url, this.ffmpegTransport);
    this.puller = child;
    child.proc.stdout?.on('data', (b: Buffer) => {
      if (this.puller === child) this.feed(b);
    });
    void child.exited.then((code) => {
      if (this.puller !== child) return;
      this.puller = undefined;
      // ffmpeg names the input URL in its errors: keep the camera's password out of the log.
      const stderr = redactText(child.stderr(), urlSecrets(url)).slice(-300);
      if (gen === this.generation && this.running) this.lose(`ffmpeg exited (${code}): ${stderr}`);
    });
  }

  /** The camera's source changed: a running pull is dropped and asked for again now (no loss raised). */
  restartUpstream(): boolean {
    if (!this.running || this.upstream?.kind !== 'rtsp') return false;
    this.ctx.log.info({ cameraId: this.cameraId }, 'relay: source changed, pulling again');
    this.dropPull();
    this.ffmpegFallback = false;
    this.retryAt = 0;
    void this.startAttempt();
    return true;
  }

  private dropPull(): void {
    this.generation++;
    if (this.puller) {
      void kill(this.puller.proc);
      this.puller = undefined;
    }
    void this.native?.close();
    this.native = undefined;
  }

  private lose(reason: string): void {
    this.ctx.log.warn({ cameraId: this.cameraId, reason, retryInMs: this.backoff }, 'relay: upstream lost');
    this.dropPull();
    this.retryAt = this.ctx.clock.now() + this.backoff;
    this.backoff = Math.min(this.backoff * 2, 30_000);
    this.clearConditions(); // the loss alarm says more than a frozen or black picture
    this.setState('lost');
  }

  private scheduleStop(): void {
    if (this.graceTimer !== undefined) this.ctx.clock.clearTimeout(this.graceTimer);
    this.graceTimer = this.ctx.clock.setTimeout(() => {
      this.graceTimer = undefined;
      if (this.consumers === 0 && this.running) void this.stop();
    }, this.ctx.settings.graceMs);
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    this.retryAt = 0;
    const puller = this.puller;
    this.puller = undefined;
    const native = this.native;
    this.native = undefined;
    this.ffmpegFallback = false;
    this.ffmpegTransport = 'tcp';
    this.endPush();
    this.gop.clear();
    this.ring.clear();
    this.stats.reset();
    this.aligner.reset();
    this.upstream = null;
    this.clearConditions();
    this.setState('idle');
    this.ctx.log.info({ cameraId: this.cameraId }, 'relay: upstream stopped');
    try {
      await Promise.all([
        puller ? kill(puller.proc) : undefined,
        native?.close(),
        this.ctx.deps.stopUpstream(this.cameraId),
      ]);
    } catch (err) {
      this.ctx.log.error({ cameraId: this.cameraId, err: String(err) }, 'relay: stopUpstream failed');
    }
  }

  /** Ends the current push at once (its agent may no longer push); the watchdog then retries. */
  endPushNow(): boolean {
    if (!this.push) return false;
    this.ctx.log.warn({ cameraId: this.cameraId }, 'relay: push ended by the center');
    this.endPush();
    return true;
  }

  private endPush(): void {
    const p = this.push;
    if (!p) return;
    this.push = undefined;
    if (!p.res.headersSent) p.res.writeHead(204, { connection: 'close' }).end();
    p.req.destroy();
  }

  private setState(state: State): void {
    if (state === this.state) return;
    this.state = state;
    if (state !== 'starting') this.ctx.deps.onCameraState?.(this.cameraId, state, this.health());
  }
}
