/**
 * The virtual camera's picture (simulated sites, demos): a 10 s test pattern encoded once with
 * x264 (640x360, 15 fps, GOP 1 s, no B-frames) and cached, then looped by every push with
 * `-stream_loop -1 -c copy`. A pushed virtual camera costs a remux (~0.5 % of a core) instead of a
 * live encoder (~3-5 %), which is what lets `npm start` show 31 live tiles on a 2-core machine
 * (issue 17). ffmpeg keeps the looped timestamps monotonic (at most one GOP-boundary gap).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_CLIP_NAME = 'test-pattern-640x360-15fps-v1.ts';
export const DEFAULT_CLIP_DIR = join(tmpdir(), 'gwanje-virtual-camera');

/** ffmpeg arguments that encode the clip to `file` (pure). */
export function testClipArgs(file: string): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15', '-t', '10'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p'],
    ...['-b:v', '400k', '-f', 'mpegts', file],
  ];
}

const making = new Map<string, Promise<string>>();

/** The cached clip in `dir`, encoded on first use (once per process; a rename makes it atomic). */
export function testClip(ffmpeg: string, dir = DEFAULT_CLIP_DIR): Promise<string> {
  const file = join(dir, TEST_CLIP_NAME);
  if (existsSync(file)) return Promise.resolve(file);
  let p = making.get(file);
  if (!p) {
    p = new Promise<string>((resolve, reject) => {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      execFile(ffmpeg, testClipArgs(tmp), { timeout: 120_000 }, (err, _out, stderr) => {
        if (err) return reject(new Error(`virtual camera: encoding the test clip failed: ${stderr || err.message}`));
        renameSync(tmp, file);
        resolve(file);
      });
    }).finally(() => making.delete(file));
    making.set(file, p);
  }
  return p;
}
