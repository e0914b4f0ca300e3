/**
 * Where the reading -> pixel tail comes from (issue 18): probes the pixel bench reads beside its
 * end-to-end figure.
 *
 * - In the page (an init script, before the console's own code): every new gas-high row of a bench
 *   sensor is stamped by a MutationObserver and again at the next animation frame; the WebSocket
 *   frame that carries its `alarm` event is stamped when the page's main thread gets it (so
 *   "emitted -> frame in the page" is the socket and the renderer's wait, "frame -> row" the
 *   console's own handling and React's render and commit); main-thread long tasks (over 50 ms,
 *   PerformanceObserver 'longtask') are kept with their wall-clock start.
 * - In the center: the event-loop delay and GC pauses from its Prometheus metrics (prom-client's
 *   default ones: `monitorEventLoopDelay` since the previous scrape, and the GC duration histogram).
 * - On the machine: how long a process's threads were runnable but not running (run-queue wait,
 *   /proc/<pid>/task/<tid>/schedstat, second field), per second of the alarm phase. When that
 *   grows with load while the event loop stays free, the tail is the OS scheduler's.
 *
 * Plain JavaScript inside PAGE_PROBES (the bench's TypeScript has no DOM types).
 */
import { readdirSync, readFileSync } from 'node:fs';

export const PAGE_PROBES = `
window.__rows = {};
window.__frames = {};
window.__longTasks = [];
const now = () => performance.timeOrigin + performance.now();
const bench = (src) => typeof src === 'string' && src.includes('-pixel-');
const stamp = (el) => {
  const src = el.getAttribute('data-source');
  if (!bench(src) || el.getAttribute('data-type') !== 'gas-high' || window.__rows[src]) return;
  const entry = [now(), null];
  window.__rows[src] = entry;
  requestAnimationFrame(() => { entry[1] = now(); });
};
new MutationObserver((records) => {
  for (const r of records)
    for (const n of r.addedNodes) {
      if (!(n instanceof Element)) continue;
      if (n.matches('.alarm-row')) stamp(n);
      for (const el of n.querySelectorAll('.alarm-row')) stamp(el);
    }
}).observe(document, { childList: true, subtree: true });
// The listener is added in the constructor, before Socket.IO sets onmessage: it runs first.
const NativeWebSocket = window.WebSocket;
window.__transports = [];
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    window.__transports.push(String(args[0]));
    this.addEventListener('message', (ev) => {
      if (typeof ev.data !== 'string' || !ev.data.includes('"alarm"') || !ev.data.includes('gas-high')) return;
      const m = /"sourceId":"([^"]*-pixel-[^"]*)"/.exec(ev.data);
      if (m && window.__frames[m[1]] === undefined) window.__frames[m[1]] = now();
    });
  }
};
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
} catch {}
`;

/** Milliseconds the process's threads have waited runnable on a run queue since it started. */
export function runQueueWaitMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let ns = 0;
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

/** The process and all its descendants (the launcher's center, Chromium's renderers). */
export function processTree(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const kids = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(' ').map(Number));
      }
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The first descendant whose command line mentions `needle` (the center under scripts/launch.mjs). */
export function descendantRunning(pid: number | undefined, needle: string): number | undefined {
  return processTree(pid).find((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(needle);
    } catch {
      return false;
    }
  });
}

/** Run-queue wait of a group of processes, summed. */
export const groupWaitMs = (pids: readonly number[]): number => pids.reduce((s, p) => s + runQueueWaitMs(p), 0);

/** The center's event loop and GC, from its /metrics (prom-client default metrics). */
export interface CenterLoop {
  loopP99Ms: number;
  loopMaxMs: number;
  gcSeconds: number;
  gcCount: number;
}

export async function centerLoop(base: string): Promise<CenterLoop> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
      .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    loopP99Ms: sum('nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: sum('nodejs_eventloop_lag_max_seconds') * 1000,
    gcSeconds: sum('nodejs_gc_duration_seconds_sum'),
    gcCount: sum('nodejs_gc_duration_seconds_count'),
  };
}

/** Long-task milliseconds of the page's main thread that overlap [from, to]. */
export function longTaskOverlapMs(tasks: readonly [number, number][], from: number, to: number): number {
  let ms = 0;
  for (const [start, dur] of tasks) ms += Math.max(0, Math.min(to, start + dur) - Math.max(from, start));
  return ms;
}
