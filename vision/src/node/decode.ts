/**
 * Still images and video files to RGB frames through ffmpeg (the same decoder the product uses for
 * camera streams), for the evaluation CLI and the training script.
 */
import { spawn } from 'node:child_process';
import { frameOf, type RgbFrame } from '../frame.js';

function run(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString()).slice(-2000);
    });
    p.once('error', reject);
    p.once('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`vision: ffmpeg exited ${code}: ${err.trim().split('\n').pop()}`));
    });
  });
}

/** The first frame of an image file, scaled to `width` pixels wide (height keeps the aspect, even). */
export async function decodeImage(path: string, width: number): Promise<RgbFrame> {
  const buf = await run([
    '-i',
    path,
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:-2:flags=area,format=rgb24`,
    '-f',
    'rawvideo',
    'pipe:1',
  ]);
  const height = buf.length / (width * 3);
  if (!Number.isInteger(height) || height < 2) throw new Error(`vision: ${path} decoded to ${buf.length} bytes`);
  return frameOf(width, height, new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
}

/**
 * Every `step`-th frame of a video (frame index, frame), scaled to `width` x `height`. `input` is
 * a file path or ffmpeg input arguments (e.g. `['-f', 'lavfi', '-i', 'testsrc2']`).
 */
export async function decodeVideo(
  input: string | string[],
  width: number,
  height: number,
  step = 1,
): Promise<Array<{ index: number; frame: RgbFrame }>> {
  const select = step > 1 ? `select='not(mod(n\\,${step}))',` : '';
  const buf = await run([
    ...(typeof input === 'string' ? ['-i', input] : input),
    '-vf',
    `${select}scale=${width}:${height}:flags=area,format=rgb24`,
    '-fps_mode',
    'passthrough',
    '-f',
    'rawvideo',
    'pipe:1',
  ]);
  const size = width * height * 3;
  const out: Array<{ index: number; frame: RgbFrame }> = [];
  for (let i = 0; i * size < buf.length; i++) {
    out.push({
      index: i * step,
      frame: frameOf(width, height, new Uint8Array(buf.subarray(i * size, (i + 1) * size))),
    });
  }
  return out;
}
