/**
 * CPU time of another process (user + system, all its threads, in seconds) from /proc: what the
 * ingest bench charges to the center, InfluxDB and the Node-RED peer per million readings. On a
 * shared machine CPU seconds hold up where wall-clock rates do not.
 */
import { readFileSync } from 'node:fs';

export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  // Fields after the `(comm)`: utime and stime are the 14th and 15th of the line (clock ticks, 100/s).
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Seconds per million readings, one decimal. */
export const perMillion = (seconds: number, readings: number): number =>
  Math.round((seconds / Math.max(1, readings / 1e6)) * 10) / 10;
