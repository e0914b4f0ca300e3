/**
 * Face masking for evidence handed to third parties (issue 21; Korea's Personal Information
 * Protection Act: people other than the subject must not be identifiable). Two ffmpeg passes:
 * 1. detect: the media is decoded at 4 frames/s, scaled to at most 640 px wide, as PPM images
 *    on a pipe; each goes to two face detectors (face-worker.ts: Tiny Face Detector and SSD
 *    MobileNet v1; each finds faces the other misses, e.g. a face looking down);
 * 2. mask: the original is re-encoded (H.264 / JPEG) with every face box filled solid grey
 *    (`drawbox`, irreversible unlike a blur), each box enlarged by 40 % and shown from the
 *    previous detection to the next one, so a face moving between two samples stays covered.
 * A detector tuned to find rather than to be sure (confidence 0.2): masking too much is the
 * acceptable error.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { ConcurrencyGate } from '../store/disk-gate.js';
import type { FaceBox, FaceModel, FaceRequest, FaceWorkerMessage } from './face-protocol.js';

export interface MaskResult {
  /** Faces found (summed over sampled frames for a clip). */
  faces: number;
  /** Frames looked at (1 for an image). */
  frames: number;
}

export interface FaceMasker {
  maskImage(input: string, output: string): Promise<MaskResult>;
  maskVideo(input: string, output: string): Promise<MaskResult>;
}

/** Detection samples per second of video and the detection width. */
export const SAMPLE_FPS = 4;
export const DETECT_WIDTH = 640;
export const MIN_CONFIDENCE = 0.2;
/** Box growth on each side, as a fraction of the box (hair, ears, a turned head). */
export const MARGIN = 0.2;

/** One detection: when (seconds from the media's start) and what. */
export interface Sample {
  t: number;
  boxes: FaceBox[];
}

const fix = (v: number) => Math.max(0, Math.min(1, v)).toFixed(4);

/**
 * The ffmpeg filter chain masking every box of `samples` (pure). Times from the first frame
 * (`setpts=PTS-STARTPTS` in both passes); a box of sample k stands from sample k-1 to k+1.
 */
export function maskFilter(samples: Sample[], still: boolean): string {
  const parts = ['setpts=PTS-STARTPTS'];
  const step = 1 / SAMPLE_FPS;
  samples.forEach((s, k) => {
    const from = k === 0 ? 0 : samples[k - 1].t;
    const to = k === samples.length - 1 ? s.t + 2 * step : samples[k + 1].t;
    for (const b of s.boxes) {
      const x = b.x - b.w * MARGIN;
      const y = b.y - b.h * MARGIN;
      const w = b.w * (1 + 2 * MARGIN);
      const h = b.h * (1 + 2 * MARGIN);
      const enable = still
        ? ''
        : `:enable='between(t,${Math.max(0, from - step).toFixed(3)},${(to + step).toFixed(3)})'`;
      parts.push(
        `drawbox=x=iw*${fix(x)}:y=ih*${fix(y)}:w=iw*${fix(Math.min(w, 1 - Math.max(0, x)))}:h=ih*${fix(Math.min(h, 1 - Math.max(0, y)))}:color=gray:t=fill${enable}`,
      );
    }
  });
  return parts.join(',');
}

/** Splits a stream of binary PPM (P6, maxval 255) images into frames (pure, incremental). */
export class PpmSplitter {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { width: number; height: number; rgb: Buffer }[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: { width: number; height: number; rgb: Buffer }[] = [];
    for (;;) {
      const head = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(this.buf.subarray(0, 64).toString('latin1'));
      if (!head) {
        if (this.buf.length >= 64) throw new Error('faces: unexpected bytes from ffmpeg (not PPM)');
        return out;
      }
      const width = Number(head[1]);
      const height = Number(head[2]);
      const start = head[0].length;
      const end = start + width * height * 3;
      if (this.buf.length < end) return out;
      out.push({ width, height, rgb: Buffer.from(this.buf.subarray(start, end)) });
      this.buf = this.buf.subarray(end);
    }
  }
}

export interface FfmpegFaceMaskerOptions {
  ffmpeg: string;
  log: Logger;
  /** Worker stops after this long without work (its model holds ~100 MB). */
  idleMs?: number;
}

export class FfmpegFaceMasker implements FaceMasker {
  private worker: Promise<Worker> | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(b: FaceBox[]): void; reject(e: Error): void }>();
  private idle: NodeJS.Timeout | undefined;
  /** One masking job at a time: each keeps a core busy for seconds. */
  private readonly gate = new ConcurrencyGate(1);

  constructor(private readonly opts: FfmpegFaceMaskerOptions) {}

  maskImage(input: string, output: string): Promise<MaskResult> {
    return this.gate.run(() => this.mask(input, output, true));
  }

  maskVideo(input: string, output: string): Promise<MaskResult> {
    return this.gate.run(() => this.mask(input, output, false));
  }

  /** Finds the faces of one image or of a video's samples (also used by tests and the bench). */
  async detect(
    input: string,
    still: boolean,
    models: FaceModel[] = ['tiny', 'ssd'],
    minConfidence = MIN_CONFIDENCE,
  ): Promise<Sample[]> {
    const scale = `scale='min(${DETECT_WIDTH},iw)':-2`;
    const vf = still ? scale : `setpts=PTS-STARTPTS,fps=${SAMPLE_FPS},${scale}`;
    const args = ['-v', 'error', '-nostdin', '-i', input, '-an', '-vf', vf, '-f', 'image2pipe', '-c:v', 'ppm', '-'];
    const samples: Sample[] = [];
    const splitter = new PpmSplitter();
    const pending: Promise<void>[] = [];
    let index = 0;
    await this.run(args, (chunk) => {
      for (const f of splitter.push(chunk)) {
        const t = index++ / SAMPLE_FPS;
        const sample: Sample = { t, boxes: [] };
        samples.push(sample);
        pending.push(
          this.faces(f.width, f.height, f.rgb, models, minConfidence).then((boxes) => {
            sample.boxes = boxes;
          }),
        );
      }
    });
    await Promise.all(pending);
    return samples;
  }

  private async mask(input: string, output: string, still: boolean): Promise<MaskResult> {
    const samples = await this.detect(input, still);
    const filterFile = `${output}.filter`;
    await writeFile(filterFile, maskFilter(samples, still), { mode: 0o600 });
    const encode = still
      ? ['-frames:v', '1', '-q:v', '3', '-f', 'image2', '-update', '1']
      : [
          '-c:v',
          'libx264',
          '-preset',
          'veryfast',
          '-crf',
          '23',
          '-pix_fmt',
          'yuv420p',
          '-movflags',
          '+faststart',
          '-f',
          'mp4',
        ];
    await this.run([
      '-v',
      'error',
      '-nostdin',
      '-y',
      '-i',
      input,
      '-an',
      '-filter_script:v',
      filterFile,
      ...encode,
      output,
    ]);
    const faces = samples.reduce((n, s) => n + s.boxes.length, 0);
    this.opts.log.info({ input, faces, frames: samples.length }, 'faces: media masked');
    return { faces, frames: samples.length };
  }

  private run(args: string[], onData?: (b: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn(this.opts.ffmpeg, args, { stdio: ['ignore', onData ? 'pipe' : 'ignore', 'pipe'] });
      let err = '';
      p.stdout?.on('data', (b: Buffer) => {
        try {
          onData?.(b);
        } catch (e) {
          p.kill('SIGKILL');
          reject(e);
        }
      });
      p.stderr?.on('data', (b: Buffer) => {
        err = (err + b.toString()).slice(-2000);
      });
      p.on('error', (e) => reject(new Error(`faces: ffmpeg did not start (${e.message})`)));
      p.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(new Error(`faces: ffmpeg exited ${code}: ${err.trim().split('\n').pop() ?? ''}`)),
      );
    });
  }

  private faces(
    width: number,
    height: number,
    rgb: Buffer,
    models: FaceModel[],
    minConfidence: number,
  ): Promise<FaceBox[]> {
    const id = this.nextId++;
    const data = rgb.buffer.slice(rgb.byteOffset, rgb.byteOffset + rgb.byteLength) as ArrayBuffer;
    return this.start().then(
      (w) =>
        new Promise<FaceBox[]>((resolve, reject) => {
          this.waiting.set(id, { resolve, reject });
          w.postMessage({ id, width, height, data, minConfidence, models } satisfies FaceRequest, [data]);
        }),
    );
  }

  private start(): Promise<Worker> {
    this.touch();
    this.worker ??= new Promise<Worker>((resolve, reject) => {
      const entry = new URL('./face-worker.ts', import.meta.url).href;
      const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
      const w = new Worker(boot, { eval: true, execArgv: [], name: 'gwanje-faces' });
      w.on('message', (m: FaceWorkerMessage) => {
        if (m.type === 'ready') resolve(w);
        else if (m.type === 'failed') reject(new Error(`faces: detector did not load (${m.message})`));
        else {
          const waiter = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          this.touch();
          if (m.type === 'faces') waiter?.resolve(m.boxes);
          else waiter?.reject(new Error(`faces: detection failed (${m.message})`));
        }
      });
      w.on('error', (err) => {
        this.opts.log.error({ err: err.message }, 'faces: detector worker failed');
        this.fail(err);
        reject(err);
      });
      w.on('exit', () => this.fail(new Error('faces: detector worker stopped')));
    });
    this.worker.catch(() => {
      this.worker = undefined;
    });
    return this.worker;
  }

  /** Stops the worker once it has had nothing to do for `idleMs` (a slow detection is not idleness). */
  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.waiting.size > 0) this.touch();
      else void this.stop();
    }, this.opts.idleMs ?? 60_000);
    this.idle.unref();
  }

  private fail(err: Error): void {
    this.worker = undefined;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  async stop(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    const w = this.worker;
    this.worker = undefined;
    if (w) await (await w.catch(() => undefined))?.terminate();
  }
}
