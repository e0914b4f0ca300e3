/**
 * GWANJE_CPU_NICE (issue 18): the center's CPU priority on a shared host. An alarm must reach the
 * consoles within 100 ms even when InfluxDB, a batch job or a replaying agent fleet keeps every
 * core busy; then the alarm path's tail is the OS scheduler (the center runnable, not running),
 * and a lower nice value is the deployment's lever for it (as a systemd `CPUWeight=` or compose
 * `cpu_shares` is for a whole service).
 *
 * Linux keeps the nice value per thread (setpriority(2), PRIO_PROCESS with a thread id), and a new
 * thread takes its creator's: every thread running now is set (V8's platform workers, libuv's
 * pool), and what the center starts later inherits it. A worker that wants less (the fire
 * detector, nice 10) sets its own afterwards. Lowering the value needs root or CAP_SYS_NICE; when
 * refused the center starts anyway, at the priority it has, and says so.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface CpuPriorityResult {
  nice: number;
  /** Threads set to `nice`. */
  threads: number;
  /** Why it could not be set (the center runs at `nice` = its starting value then). */
  error?: string;
}

/** Sets every thread of this process to `nice`; undefined when `nice` is 0 (nothing to do). */
export function applyCpuNice(nice: number): CpuPriorityResult | undefined {
  if (nice === 0) return undefined;
  let tids: number[];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    // Not Linux (no per-thread nice there): the process value is what the OS offers.
    tids = [process.pid];
  }
  let threads = 0;
  for (const tid of tids) {
    try {
      setPriority(tid, nice);
      threads++;
    } catch (err) {
      // The main thread's refusal is the one that matters; a thread that ended meanwhile is not.
      if (tid === process.pid) return { nice: getPriority(0), threads, error: (err as Error).message };
    }
  }
  return { nice: getPriority(0), threads };
}
