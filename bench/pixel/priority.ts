/**
 * CPU priority in the pixel bench, as the production compose file deploys it (issue 18).
 *
 * The center gets `GWANJE_CPU_NICE` with the value docker-compose.yml gives the control-api
 * service, through the center's own setting (control-api/src/cpu-priority.ts), exactly as
 * deployed. The compose file gives Mosquitto `cpu_shares: 4096` (four times the default weight);
 * the bench runs Mosquitto as a plain process, so it stands in for that weight with the nice
 * value of the nearest kernel weight (CFS: each nice step is ~1.25x; 4096/1024 -> nice -6).
 * The load generator is never reniced. BENCH_PRIORITY=none runs everything at nice 0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

const COMPOSE = new URL('../../docker-compose.yml', import.meta.url).pathname;

/** The value docker-compose.yml sets for GWANJE_CPU_NICE (0 when it sets none). */
export function deployedCenterNice(): number {
  const m = /GWANJE_CPU_NICE:\s*"?(-?\d+)"?/.exec(readFileSync(COMPOSE, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** The nice value whose CFS weight is nearest `cpu_shares` relative to the default 1024. */
export function niceForShares(shares: number): number {
  return -Math.round(Math.log(shares / 1024) / Math.log(1.25));
}

/** The `cpu_shares` docker-compose.yml gives a service (1024, the default, when none). */
export function deployedShares(service: string): number {
  const text = readFileSync(COMPOSE, 'utf8');
  const start = text.indexOf(`\n  ${service}:\n`);
  if (start < 0) return 1024;
  const next = text.slice(start + 1).search(/\n {2}[a-z][\w-]*:\n/);
  const block = text.slice(start, next < 0 ? undefined : start + 1 + next);
  const m = /\n {4}cpu_shares:\s*(\d+)/.exec(block);
  return m ? Number(m[1]) : 1024;
}

/** Sets every thread of each process to `nice` (Linux keeps nice per thread). */
export function renice(pids: readonly number[], nice: number): void {
  for (const pid of pids) {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        setPriority(Number(tid), nice);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
}
