/**
 * Which ffmpeg the center runs (snapshots, alarm clips, MPEG1, ffmpeg pulls) and the simulated
 * cameras encode with (the simulator process, edge-agent/src/sim/main.ts). Issue 17: `npm install && npm start` must give live video on a machine
 * without Debian's ffmpeg. In order: `GWANJE_FFMPEG` (a path), `ffmpeg` on PATH, then the static
 * build shipped inside the npm package `@ffmpeg-installer/ffmpeg` (an optional dependency whose
 * platform package carries the binary itself; nothing is downloaded at install or run time).
 * README "Video without a system ffmpeg" says why this and not a bundled clip.
 */
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export interface FfmpegBinary {
  path: string;
  source: 'GWANJE_FFMPEG' | 'PATH' | 'npm' | 'missing';
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first `ffmpeg` on `pathVar` that may be executed, if any. */
export function onPath(pathVar: string | undefined, name = 'ffmpeg'): string | undefined {
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

/** The binary inside `@ffmpeg-installer/<platform>-<arch>`, when that package is installed. */
export function shippedFfmpeg(): string | undefined {
  try {
    const installer = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    return typeof installer.path === 'string' && executable(installer.path) ? installer.path : undefined;
  } catch {
    // Not installed (optional dependency) or no build for this platform/architecture.
    return undefined;
  }
}

export function resolveFfmpeg(explicit: string | undefined, pathVar = process.env.PATH): FfmpegBinary {
  if (explicit) return { path: explicit, source: 'GWANJE_FFMPEG' };
  const system = onPath(pathVar);
  if (system) return { path: system, source: 'PATH' };
  const shipped = shippedFfmpeg();
  if (shipped) return { path: shipped, source: 'npm' };
  return { path: 'ffmpeg', source: 'missing' };
}
