/**
 * Issue 20: what black-picture detection costs. The gateway probes a live camera by decoding the
 * first frame of its cached GOP to a 16x16 gray thumbnail with ffmpeg (gateway/src/black-picture.ts,
 * the same `decodeFirstFrame` snapshots use), once per camera every 15 s. This runs that decode
 * on a real x264 GOP (ffmpeg testsrc, no B-frames) at 720p and 1080p, `probes` times each, and
 * reports per probe: wall time, ffmpeg CPU (children's utime+stime from /proc/self/stat, 10 ms
 * ticks, summed over all probes) and the thumbnail's verdict; and the CPU share per camera at the
 * default period.
 *
 *   node --import tsx bench/video/black-probe.ts [probes=40]
 *
 * Prints the figures and writes bench/results/black-probe.json.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import pino from 'pino';
import { isBlackPicture, lumaStats, PROBE_INPUT, PROBE_OUTPUT } from '../../gateway/src/black-picture.js';
import { FfmpegRunner } from '../../gateway/src/ffmpeg.js';
import { decodeFirstFrame } from '../../gateway/src/snapshot.js';
import { makeTs } from '../../media/test/support/fixture.js';

const PROBES = Number(process.argv[2] ?? 40);
const PERIOD_MS = 15_000; // the gateway's default blackCheckMs
const TICK_MS = 10; // USER_HZ 100

/** cutime + cstime of this process (waited-for children), ms. */
function childCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS; // fields 16, 17 of proc(5)
}

const ffmpeg = new FfmpegRunner(pino({ level: 'warn' }));
const results: Record<string, unknown>[] = [];
for (const [label, width, height, source] of [
  ['720p scene', 1280, 720, 'testsrc'],
  ['1080p scene', 1920, 1080, 'testsrc'],
  ['1080p black', 1920, 1080, 'color=black'],
] as const) {
  const gop = makeTs({ seconds: 2, width, height, fps: 25, gop: 50, source });
  const cpu0 = childCpuMs();
  const t0 = performance.now();
  let black = 0;
  for (let i = 0; i < PROBES; i++) {
    const gray = await decodeFirstFrame(ffmpeg, 'bench', gop, PROBE_OUTPUT, PROBE_INPUT);
    if (isBlackPicture(lumaStats(gray))) black++;
  }
  const wallMs = (performance.now() - t0) / PROBES;
  const cpuMs = (childCpuMs() - cpu0) / PROBES;
  const row = {
    input: label,
    gopBytes: gop.length,
    probes: PROBES,
    wallMsPerProbe: Math.round(wallMs * 10) / 10,
    ffmpegCpuMsPerProbe: Math.round(cpuMs * 10) / 10,
    coresPerCameraAt15s: Math.round((cpuMs / PERIOD_MS) * 10000) / 10000,
    judgedBlack: black,
  };
  results.push(row);
  console.log(
    `${label.padEnd(12)} GOP ${(gop.length / 1024).toFixed(0)} KiB: ${row.wallMsPerProbe} ms wall, ` +
      `${row.ffmpegCpuMsPerProbe} ms ffmpeg CPU per probe -> ${(row.coresPerCameraAt15s * 100).toFixed(2)} % of a core ` +
      `per camera at one probe / 15 s; black ${black}/${PROBES}`,
  );
}
const out = {
  bench: 'black-probe',
  at: new Date().toISOString(),
  note: 'taken on a 2-core machine shared with other engineers (loaded); per-probe figures, ffmpeg CPU in 10 ms ticks',
  results,
};
await writeFile(new URL('../results/black-probe.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
