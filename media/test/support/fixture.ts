import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real H.264-in-MPEG-TS capture made by ffmpeg (libx264, no B-frames, GOP `gop` frames), the
 * same shape an edge agent pushes. Small: a few hundred kB at most.
 */
export function makeTs(o: {
  seconds: number;
  width?: number;
  height?: number;
  fps?: number;
  gop?: number;
  bitrate?: string;
  /** lavfi source name (default `testsrc`; `color=black` for a covered lens). */
  source?: string;
}): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'gw-fixture-'));
  const out = join(dir, 'f.ts');
  const fps = o.fps ?? 15;
  const r = spawnSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
    ...[
      '-i',
      `${o.source ?? 'testsrc'}${o.source?.includes('=') ? ':' : '='}size=${o.width ?? 320}x${o.height ?? 240}:rate=${fps}`,
      '-t',
      String(o.seconds),
    ],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p'],
    ...['-g', String(o.gop ?? fps), '-bf', '0', ...(o.bitrate ? ['-b:v', o.bitrate] : []), '-f', 'mpegts', out],
  ]);
  if (r.status !== 0) throw new Error(`fixture: ffmpeg failed: ${r.stderr.toString()}`);
  const data = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  return data;
}
