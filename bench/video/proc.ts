/** CPU and memory (PSS) of a process and its descendants, from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_HZ = 100; // USER_HZ on Linux

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  cpuTicks: number;
  rssKb: number;
}

function read(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after comm: state(0) ppid(1) ... utime(11) stime(12).
    // PSS, not RSS: ffmpeg children map the same shared libraries; PSS splits them fairly.
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = Number(/Pss:\s+(\d+)/.exec(rollup)?.[1] ?? 0);
    return { pid, ppid: Number(f[1]), comm, cpuTicks: Number(f[11]) + Number(f[12]), rssKb: rss };
  } catch {
    return undefined; // exited while we looked
  }
}

export function tree(root: number): ProcInfo[] {
  const all = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((p) => read(Number(p)))
    .filter((p): p is ProcInfo => p !== undefined);
  const out: ProcInfo[] = [];
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
  for (const p of all) if (want.has(p.pid)) out.push(p);
  return out;
}

export interface Usage {
  /** CPU in cores (1.0 = one core fully busy) over the window. */
  cpuCores: number;
  rssMb: number;
  processes: Record<string, number>;
}

/** Measures a process tree over `ms`: CPU of the processes alive at both ends, RSS at the end. */
export async function measure(root: number, ms: number): Promise<Usage> {
  const a = new Map(tree(root).map((p) => [p.pid, p.cpuTicks]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const b = tree(root);
  const dt = (performance.now() - t0) / 1000;
  let ticks = 0;
  let rss = 0;
  const processes: Record<string, number> = {};
  for (const p of b) {
    ticks += p.cpuTicks - (a.get(p.pid) ?? p.cpuTicks);
    rss += p.rssKb;
    processes[p.comm] = (processes[p.comm] ?? 0) + 1;
  }
  return { cpuCores: ticks / TICK_HZ / dt, rssMb: rss / 1024, processes };
}
