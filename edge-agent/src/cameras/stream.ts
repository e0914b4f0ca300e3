/**
 * StreamPush: one ffmpeg per pushed camera (BRIEF "Video push"; issue 5 "Video goes outward,
 * never re-encoded on the Pi"). RTSP sources are copied (`-c copy`) into MPEG-TS; the virtual
 * camera (testPattern) loops a test clip encoded once (test-clip.ts), also `-c copy`, and falls
 * back to encoding lavfi testsrc2 live (x264 ultrafast/zerolatency, 640x360, 15 fps, GOP 1 s)
 * when the clip cannot be made. Output is an HTTP POST (chunked) to the gateway's ingest URL with Basic
 * credentials. A dropped camera is retried with capped backoff and reported; an ingest that
 * closes or refuses (viewer gone, 401/403) ends the push.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { testClip } from './test-clip.js';

export interface PushSource {
  rtsp?: string;
  /** A local MPEG-TS file looped forever without re-encoding (the virtual camera's clip). */
  clip?: string;
  /** Encode lavfi testsrc2 live. */
  testPattern?: boolean;
}

/** ffmpeg arguments for a push (pure). */
export function ffmpegArgs(src: PushSource, url: string, authorization: string): string[] {
  const input = src.rtsp
    ? ['-rtsp_transport', 'tcp', '-i', src.rtsp, '-map', '0:v:0', '-c', 'copy']
    : src.clip
      ? ['-re', '-stream_loop', '-1', '-i', src.clip, '-map', '0:v:0', '-c', 'copy']
      : [
          '-re',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=640x360:rate=15',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-tune',
          'zerolatency',
          '-g',
          '15',
          '-pix_fmt',
          'yuv420p',
          '-b:v',
          '400k',
        ];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...input,
    '-f',
    'mpegts',
    '-method',
    'POST',
    '-chunked_post',
    '1',
    '-headers',
    `Authorization: ${authorization}\r\n`,
    // Send each muxer write at once (no Nagle coalescing): the gateway then reads one chunk per
    // write instead of two, about 8 % less of its CPU per pushed stream, and frames arrive sooner.
    '-tcp_nodelay',
    '1',
    url,
  ];
}

/** Whether ffmpeg's error output says the ingest side ended the push (not the camera). */
export function ingestClosed(stderr: string): boolean {
  return /Server returned 4\d\d|Broken pipe|Connection reset by peer|Error writing trailer|Unauthorized|Forbidden/i.test(
    stderr,
  );
}

/** Which ffmpeg pushes run (issue 17); default `ffmpeg` on PATH, URLs as given. */
export interface FfmpegUse {
  path: string;
  /**
   * Rewrites the ingest URL before each start: the static ffmpeg shipped in npm cannot resolve
   * host names (its statically linked glibc NSS segfaults), so the center hands it an address.
   */
  prepareUrl?: (url: string) => Promise<string>;
  /** Where the virtual camera's clip is cached (default: test-clip.ts DEFAULT_CLIP_DIR). */
  clipDir?: string;
}

export interface StreamPushDeps {
  log: Logger;
  ffmpeg?: FfmpegUse;
  onState(state: 'live' | 'lost' | 'ended', detail: string): void;
}

export class StreamPush {
  private proc: ChildProcess | undefined;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stderr = '';

  constructor(
    readonly cameraId: string,
    readonly url: string,
    private readonly src: PushSource,
    private readonly authorization: string,
    private readonly deps: StreamPushDeps,
  ) {}

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  start(): void {
    this.stopped = false;
    this.spawn();
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => p.kill('SIGKILL'), 3000);
      p.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      p.kill('SIGTERM');
    });
  }

  private spawn(): void {
    const url = this.deps.ffmpeg?.prepareUrl?.(this.url) ?? Promise.resolve(this.url);
    Promise.all([this.source(), url]).then(
      ([src, u]) => {
        if (!this.stopped) this.run(src, u);
      },
      (err: Error) => {
        if (!this.stopped) this.retryLater(`ingest address: ${err.message}`, Date.now());
      },
    );
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

  private run(src: PushSource, url: string): void {
    this.stderr = '';
    const args = ffmpegArgs(src, url, this.authorization);
    const proc = spawn(this.deps.ffmpeg?.path ?? 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    const startedAt = Date.now();
    proc.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4000);
    });
    proc.once('spawn', () => this.deps.onState('live', 'ffmpeg started'));
    proc.once('error', (err) => this.deps.log.error({ err: err.message }, 'stream: ffmpeg failed to start'));
    proc.once('exit', (code, signal) => {
      if (this.stopped) return;
      const detail = this.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 500) || `exit ${code ?? signal}`;
      if (ingestClosed(this.stderr)) {
        this.deps.log.info({ cameraId: this.cameraId, detail }, 'stream: ingest closed, push ended');
        this.deps.onState('ended', detail);
        return;
      }
      this.retryLater(detail, startedAt);
    });
  }

  /** Capped exponential backoff; a push that ran a while before failing starts its backoff over. */
  private retryLater(detail: string, startedAt: number): void {
    if (Date.now() - startedAt > 30_000) this.failures = 0;
    const delay = Math.min(30_000, 1000 * 2 ** this.failures);
    this.failures += 1;
    this.deps.log.warn({ cameraId: this.cameraId, detail, retryMs: delay }, 'stream: camera dropped, retrying');
    this.deps.onState('lost', detail);
    this.timer = setTimeout(() => this.spawn(), delay);
  }
}
