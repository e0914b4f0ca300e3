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

/**
 * Points InfluxDB has answered 204 for over HTTP since it started (`SHOW STATS`, module httpd,
 * pointsWrittenOK): a cheap "written" signal for both sides of the ingest bench. A
 * `count(value)` scans every point of the database, and polled every 500 ms it cost InfluxDB
 * more CPU than the writes it waited for; it is run once at the end to check the exact number.
 */
export async function influxPointsWritten(influxUrl: string): Promise<number> {
  const r = (await (await fetch(`${influxUrl}/query?q=${encodeURIComponent("SHOW STATS FOR 'httpd'")}`)).json()) as {
    results: Array<{ series?: Array<{ columns: string[]; values: number[][] }> }>;
  };
  const s = r.results[0]?.series?.[0];
  return s ? Number(s.values[0][s.columns.indexOf('pointsWrittenOK')]) : 0;
}
