/**
 * CPU and memory (PSS) of a process and its descendants, from /proc (Linux).
 *
 * CPU comes from each thread's /proc/<pid>/task/<tid>/schedstat (time on CPU in ns, exact), not
 * from utime/stime in /proc/<pid>/stat: those are tick samples (USER_HZ 100), so 10 s of a process
 * using 1 % of a core is ~10 ticks and one tick more or less moves the figure by 10 %. The tick
 * counters are still read for the user/kernel split, which only needs to be approximate.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_HZ = 100; // USER_HZ on Linux

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  userTicks: number;
  sysTicks: number;
  rssKb: number;
  /** Plain RSS (shared pages counted in every process that maps them). */
  rssPlainKb: number;
  /** tid -> ns on CPU. */
  threads: Map<number, number>;
}

function threadTimes(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(Number(tid), Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // thread exited while we looked
    }
  }
  return out;
}

function read(pid: number, withDetails: boolean): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after comm: state(0) ppid(1) ... utime(11) stime(12).
    const info = { pid, ppid: Number(f[1]), comm, userTicks: Number(f[11]), sysTicks: Number(f[12]) };
    if (!withDetails) return { ...info, rssKb: 0, rssPlainKb: 0, threads: new Map() };
    // PSS, not RSS: ffmpeg children map the same shared libraries; PSS splits them fairly.
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = Number(/Pss:\s+(\d+)/.exec(rollup)?.[1] ?? 0);
    const rssPlain = Number(/Rss:\s+(\d+)/.exec(rollup)?.[1] ?? 0);
    return { ...info, rssKb: rss, rssPlainKb: rssPlain, threads: threadTimes(pid) };
  } catch {
    return undefined; // exited while we looked
  }
}

export function tree(root: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => read(Number(p), false))
    .filter((p): p is ProcInfo => p !== undefined);
  const want = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!want.has(p.pid) && want.has(p.ppid)) {
        want.add(p.pid);
        grew = true;
      }
    }
  }
  return [...want].map((pid) => read(pid, true)).filter((p): p is ProcInfo => p !== undefined);
}

export interface Usage {
  /** CPU in cores (1.0 = one core fully busy) over the window, from per-thread schedstat. */
  cpuCores: number;
  /** The same split into user and kernel time, from tick counters (approximate). */
  userCores: number;
  sysCores: number;
  /** PSS of the tree (shared libraries split between the processes that map them). */
  rssMb: number;
  /** Plain RSS summed over the tree (shared pages counted once per process: an upper bound). */
  rssPlainMb: number;
  processes: Record<string, number>;
  /** cpuCores split by process name (node = the gateway or peer itself, ffmpeg = its children). */
  cpuByProcess: Record<string, number>;
  /** Threads that ended inside the window: their CPU since the start is missing from cpuCores. */
  threadsLost: number;
}

/**
 * Measures a process tree over `ms`: CPU of every thread, counting threads born in the window in
 * full and the ones that ended in it not at all (counted in threadsLost); PSS at the end. Processes
 * named in `exclude` (e.g. the bench's own tsx loader, `esbuild`) are left out.
 */
export async function measure(root: number, ms: number, exclude: string[] = []): Promise<Usage> {
  const a = tree(root).filter((p) => !exclude.includes(p.comm));
  const before = new Map<number, number>();
  for (const p of a) for (const [tid, ns] of p.threads) before.set(tid, ns);
  const ticksBefore = new Map(a.map((p) => [p.pid, [p.userTicks, p.sysTicks]]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = tree(root).filter((p) => !exclude.includes(p.comm));
  const dt = (performance.now() - t0) / 1000;
  let ns = 0;
  let user = 0;
  let sys = 0;
  let rss = 0;
  let rssPlain = 0;
  const alive = new Set<number>();
  const processes: Record<string, number> = {};
  const nsByProcess: Record<string, number> = {};
  for (const p of b) {
    for (const [tid, t] of p.threads) {
      alive.add(tid);
      const d = t - (before.get(tid) ?? 0);
      ns += d;
      nsByProcess[p.comm] = (nsByProcess[p.comm] ?? 0) + d;
    }
    const [u0, s0] = ticksBefore.get(p.pid) ?? [0, 0];
    user += p.userTicks - u0;
    sys += p.sysTicks - s0;
    rss += p.rssKb;
    rssPlain += p.rssPlainKb;
    processes[p.comm] = (processes[p.comm] ?? 0) + 1;
  }
  const threadsLost = [...before.keys()].filter((tid) => !alive.has(tid)).length;
  return {
    cpuCores: ns / 1e9 / dt,
    userCores: user / TICK_HZ / dt,
    sysCores: sys / TICK_HZ / dt,
    rssMb: rss / 1024,
    rssPlainMb: rssPlain / 1024,
    processes,
    cpuByProcess: Object.fromEntries(Object.entries(nsByProcess).map(([k, v]) => [k, v / 1e9 / dt])),
    threadsLost,
  };
}
