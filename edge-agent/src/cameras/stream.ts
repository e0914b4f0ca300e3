/**
 * StreamPush: one pushed camera (BRIEF "Video push"; issue 5 "Video goes outward, never
 * re-encoded on the Pi"). RTSP sources are copied into MPEG-TS in the agent's own process by
 * @gwanje/media (issue 20: no ffmpeg per camera on the Pi), or by ffmpeg `-c copy` when the camera
 * is configured `relay: ffmpeg` or the native client cannot relay it (H.265, MJPEG, RTP over UDP
 * only). The push to the center starts only once the camera plays: a camera that refuses the
 * credentials (401) or is down is a camera fault, retried with backoff and reported
 * (`stream-lost`), never mistaken for the center closing the ingest. The virtual
 * camera (testPattern) loops a test clip encoded once (test-clip.ts), also `-c copy`, and falls
 * back to encoding lavfi testsrc2 live (x264 ultrafast/zerolatency, 640x360, 15 fps, GOP 1 s)
 * when the clip cannot be made. The agent itself POSTs ffmpeg's MPEG-TS (chunked) to the gateway's ingest
 * URL with its Basic credentials. A dropped camera is retried with capped backoff and reported;
 * an ingest that answers or closes (viewer gone, 401/403) ends the push.
 *
 * No secret is ever on ffmpeg's command line (review F12: `/proc/<pid>/cmdline` is readable by
 * every local user): the camera URL, with its credentials, reaches ffmpeg on stdin as a one-entry
 * ffconcat list, and the Authorization header never reaches ffmpeg at all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FFCONCAT_STDIN_INPUT, type NativePull, rtspInputList, startNativePull } from '@gwanje/media';
import type { Logger } from 'pino';
import { testClip } from './test-clip.js';

export interface PushSource {
  rtsp?: string;
  /** RTSP relay: in process (default) or ffmpeg. */
  relay?: 'native' | 'ffmpeg';
  /** A local MPEG-TS file looped forever without re-encoding (the virtual camera's clip). */
  clip?: string;
  /** Encode lavfi testsrc2 live. */
  testPattern?: boolean;
}

/** ffmpeg arguments for a push (pure): the source in (RTSP: the ffconcat list on stdin), MPEG-TS out on stdout. */
export function ffmpegArgs(src: PushSource): string[] {
  const input = src.rtsp
    ? [
        // ffconcat demuxer reading stdin (@gwanje/media ffconcat.ts): no URL on the command line.
        ...FFCONCAT_STDIN_INPUT,
        ...['-map', '0:v:0', '-c', 'copy'],
      ]
    : src.clip
      ? ['-re', '-stream_loop', '-1', '-i', src.clip, '-map', '0:v:0', '-c', 'copy']
      : [
          ...['-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15'],
          ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15'],
          ...['-pix_fmt', 'yuv420p', '-b:v', '400k'],
        ];
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...input, '-f', 'mpegts', 'pipe:1'];
}

export interface StreamPushOptions {
  /** `Basic base64(agentId:password)`: sent by the agent, never given to ffmpeg. */
  authorization: string;
  /** CA certificate for an https:// ingest (the center's; `central.caFile`). */
  ca?: Buffer;
  /** Removes credentials from ffmpeg's error text before it is logged or published. */
  redact(text: string): string;
}

/** Which ffmpeg pushes run (issue 17); default `ffmpeg` on PATH. */
export interface FfmpegUse {
  path: string;
  /** Where the virtual camera's clip is cached (default: test-clip.ts DEFAULT_CLIP_DIR). */
  clipDir?: string;
}

export interface StreamPushDeps {
  log: Logger;
  ffmpeg?: FfmpegUse;
  onState(state: 'live' | 'lost' | 'ended', detail: string): void;
}

/** One run: ffmpeg or the native pull, and the HTTP POST its output feeds (opened on first data). */
interface Attempt {
  proc?: ChildProcess;
  native?: NativePull;
  req?: ClientRequest;
  over: boolean;
}

/** Why a camera failed, as an operator reads it: a 401 is the camera refusing our credentials. */
export function cameraFault(err: Error & { status?: number }): string {
  if (err.status === 401) return `camera refused the credentials (401): ${err.message}`;
  return err.message;
}

export class StreamPush {
  private attempt: Attempt | undefined;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stderr = '';
  /** Set when the native client cannot relay this camera: ffmpeg (with this transport) takes it. */
  private fallback: 'tcp' | 'udp' | undefined;

  constructor(
    readonly cameraId: string,
    readonly url: string,
    private readonly src: PushSource,
    private readonly opts: StreamPushOptions,
    private readonly deps: StreamPushDeps,
  ) {}

  /** The running ffmpeg's process id (undefined once it has exited, or when relayed in process). */
  get pid(): number | undefined {
    const p = this.attempt?.proc;
    return p && p.exitCode === null && p.signalCode === null ? p.pid : undefined;
  }

  /** Relayed in process now (no ffmpeg). */
  get native(): boolean {
    return this.attempt?.native !== undefined && !this.attempt.over;
  }

  start(): void {
    this.stopped = false;
    this.spawn();
  }

  /** Stops ffmpeg, then ends the POST (the ingest sees the push end once nothing more can come). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const a = this.attempt;
    if (!a) return;
    a.over = true;
    await Promise.all([a.proc && killProcess(a.proc), a.native?.close()]);
    a.req?.end();
  }

  private spawn(): void {
    void this.source().then((src) => {
      if (!this.stopped) this.run(src);
    });
  }

  /** The virtual camera loops its cached clip; if that cannot be made it is encoded live. */
  private async source(): Promise<PushSource> {
    if (!this.src.testPattern) return this.src;
    try {
      return { clip: await testClip(this.deps.ffmpeg?.path ?? 'ffmpeg', this.deps.ffmpeg?.clipDir) };
    } catch (err) {
      this.deps.log.warn({ cameraId: this.cameraId, err: (err as Error).message }, 'stream: encoding live instead');
      return this.src;
    }
  }

  private run(src: PushSource): void {
    if (src.rtsp && src.relay !== 'ffmpeg' && this.fallback === undefined) this.runNative(src.rtsp);
    else this.runFfmpeg(src);
  }

  /** The camera pulled in process (@gwanje/media): RTSP -> H.264 -> MPEG-TS, no ffmpeg. */
  private runNative(url: string): void {
    const a: Attempt = { over: false };
    this.attempt = a;
    const startedAt = Date.now();
    const pull = startNativePull(url, (ts) => {
      if (!a.over) this.ingestWrite(a, startedAt, ts);
    });
    a.native = pull;
    pull.ready.then(
      async () => {
        if (a.over || this.stopped) return;
        this.deps.onState('live', 'camera playing (in process)');
        const err = await pull.ended;
        if (a.over || this.stopped) return;
        a.over = true;
        a.req?.destroy();
        this.retry(startedAt, this.opts.redact(cameraFault(err)));
      },
      (err: Error & { code?: string; reason?: string; status?: number }) => {
        if (a.over || this.stopped) return;
        a.over = true;
        if (err.code === 'rtsp-unsupported') {
          this.fallback = err.reason === 'transport' ? 'udp' : 'tcp';
          this.deps.log.info({ cameraId: this.cameraId, reason: err.message }, 'stream: ffmpeg relays this camera');
          this.spawn();
          return;
        }
        this.retry(startedAt, this.opts.redact(cameraFault(err)));
      },
    );
  }

  /** Writes relayed bytes to the center, opening the push on the first bytes (the camera plays). */
  private ingestWrite(a: Attempt, startedAt: number, chunk: Buffer): void {
    if (!a.req) a.req = this.openIngest(a, startedAt);
    a.req.write(chunk);
  }

  private runFfmpeg(src: PushSource): void {
    this.stderr = '';
    const proc = spawn(this.deps.ffmpeg?.path ?? 'ffmpeg', ffmpegArgs(src), {
      stdio: [src.rtsp ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const a: Attempt = { proc, over: false };
    this.attempt = a;
    const startedAt = Date.now();
    if (src.rtsp && proc.stdin) {
      proc.stdin.on('error', () => undefined); // ffmpeg gone before reading it: its exit says why
      proc.stdin.end(rtspInputList(src.rtsp, this.fallback ?? 'tcp'));
    }
    // The request is ended by us (on ffmpeg's exit), not by ffmpeg's stdout closing; it opens on
    // ffmpeg's first bytes, so a camera that never plays never touches the center's ingest.
    proc.stdout?.on('data', (b: Buffer) => {
      if (!a.over) this.ingestWrite(a, startedAt, b);
    });
    proc.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4000);
    });
    proc.once('spawn', () => this.deps.onState('live', 'ffmpeg started'));
    proc.once('error', (err) => this.deps.log.error({ err: err.message }, 'stream: ffmpeg failed to start'));
    proc.once('exit', (code, signal) => {
      if (a.over || this.stopped) return;
      a.over = true;
      a.req?.destroy();
      const detail =
        this.opts.redact(this.stderr.trim().split('\n').slice(-2).join(' | ')).slice(0, 500) ||
        `exit ${code ?? signal}`;
      this.retry(startedAt, /\b401\b/.test(detail) ? `camera refused the credentials (401): ${detail}` : detail);
    });
  }

  /** The chunked POST to the center's ingest, and how its end is read (center side, not camera). */
  private openIngest(a: Attempt, startedAt: number): ClientRequest {
    const req = this.post();
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      this.ingestOver(a, `ingest answered ${res.statusCode}`);
    });
    let connected = false;
    req.once('socket', (s) => {
      if (s.connecting) s.once('connect', () => (connected = true));
      else connected = true;
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (a.over || this.stopped) return;
      const why = err.code ?? err.message;
      // Never connected (center down or unreachable): like a camera drop, try again later. A reset
      // or a broken pipe once connected: the gateway closed the push (nobody watches any more).
      if (connected) return this.ingestOver(a, `ingest closed: ${why}`);
      a.over = true;
      this.endSource(a);
      this.retry(startedAt, `ingest unreachable: ${why}`);
    });
    return req;
  }

  private endSource(a: Attempt): void {
    if (a.proc) void killProcess(a.proc);
    void a.native?.close();
  }

  private post(): ClientRequest {
    const u = new URL(this.url);
    const headers = { authorization: this.opts.authorization, 'content-type': 'video/mp2t' };
    const req =
      u.protocol === 'https:'
        ? httpsRequest(u, { method: 'POST', headers, ca: this.opts.ca })
        : httpRequest(u, { method: 'POST', headers });
    // Each muxer write goes out at once (no Nagle coalescing): the gateway reads one chunk per
    // write, about 8 % less of its CPU per pushed stream, and frames arrive sooner.
    req.setNoDelay(true);
    req.flushHeaders();
    return req;
  }

  private ingestOver(a: Attempt, detail: string): void {
    if (a.over || this.stopped) return;
    a.over = true;
    a.req?.destroy();
    this.endSource(a);
    this.deps.log.info({ cameraId: this.cameraId, detail }, 'stream: ingest closed, push ended');
    this.deps.onState('ended', detail);
  }

  private retry(startedAt: number, detail: string): void {
    // A push that ran a while before failing starts its backoff over.
    if (Date.now() - startedAt > 30_000) this.failures = 0;
    const delay = Math.min(30_000, 1000 * 2 ** this.failures);
    this.failures += 1;
    this.deps.log.warn({ cameraId: this.cameraId, detail, retryMs: delay }, 'stream: camera dropped, retrying');
    this.deps.onState('lost', detail);
    this.timer = setTimeout(() => this.spawn(), delay);
  }
}

function killProcess(p: ChildProcess): Promise<void> {
  // Keep reading its output: an ffmpeg blocked writing to a pipe nobody drains never sees SIGTERM.
  p.stdout?.unpipe();
  p.stdout?.resume();
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => p.kill('SIGKILL'), 3000);
    p.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    p.kill('SIGTERM');
  });
}
