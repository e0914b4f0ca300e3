/**
 * AnomalyDetector: the streaming anomaly model as a DetectionEngine plug-in, kept off the hot
 * path. `onReading` only samples the reading into a bounded queue (O(1)). Scoring runs in a
 * worker thread (worker.ts) by default: every `flushMs` the queue is grouped per sensor and posted
 * to it, so model calls (the autoencoder on the tfjs wasm backend or tfjs-node) never hold up MQTT
 * handling, detection and alarm emits on the main event loop. The returned scores become advisory
 * 'anomaly' conditions through the detection module's MlDetector (setpoint + deadband hysteresis)
 * on the main thread, and `onTick` (the engine's 1 s tick) hands them over. The detector is
 * `advisory`, so the engine keeps its alarms apart: an ML verdict may raise an advisory alarm but
 * never clears or replaces a threshold alarm (issue 4).
 *
 * `thread: false` scores on the calling thread instead, in time-boxed slices (`workMs` per
 * `flushMs`); tests and offline benches drive that mode through `process()`.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { type AdvisoryDetector, MlDetector } from '../detection/detectors/ml.js';
import type { Condition, DetectionReading, SensorContext } from '../detection/types.js';
import { loadTensorflow, type Tensorflow } from './backend.js';
import { StreamingAnomalyScorer, scoreGroups } from './scorer.js';
import type { SeriesModelOptions } from './series-model.js';
import type { ScoreReply, ScoreRequest, WorkerInit, WorkerReady } from './worker-protocol.js';

export interface AnomalyDetectorOptions {
  log: Logger;
  /** Score every n-th reading of each sensor (default 1: all). */
  sampleEvery?: number;
  /** Score at or above which a reading is anomalous (default DEFAULT_THRESHOLD). */
  threshold?: number;
  /** Readings of one sensor per model call (default 32). */
  batch?: number;
  /** Queue bound; the oldest readings are dropped (and counted) beyond it (default 50,000). */
  maxQueue?: number;
  /**
   * Scoring in a worker thread (default true, unless `tensorflow` is a loaded instance, which
   * belongs to this thread). `false`: on this event loop, `workMs` of CPU per `flushMs`.
   */
  thread?: boolean;
  /** Period in ms at which queued readings are posted to the worker / scored here (default 50). */
  flushMs?: number;
  /** Thread mode off: CPU time per run on this event loop (default 8 ms, ~16 % of a core). */
  workMs?: number;
  /** Thread mode: readings per message to the worker (default 4,096). */
  maxPerPost?: number;
  /** Thread mode: nice value of the worker thread (default 10; the alarm path comes first). */
  nice?: number;
  /** false: statistics only, no tfjs; otherwise loaded by start() (tfjs-node, else wasm). */
  tensorflow?: false | Tensorflow;
  series?: Partial<SeriesModelOptions>;
  /** Sensors with a model at once (LRU beyond). */
  maxSensors?: number;
}

/**
 * The threshold NAB's sweep picks for the default model under the standard profile
 * (bench/results/nab.json: 0.750): on NAB, flags at this level pay for their false positives.
 */
export const DEFAULT_THRESHOLD = 0.75;

interface Queued {
  reading: DetectionReading;
  ctx: SensorContext;
}

/** At most this many posts await the worker's answer; more waits in the (bounded) queue. */
const MAX_IN_FLIGHT = 2;

export class AnomalyDetector implements AdvisoryDetector {
  readonly advisory = true;
  readonly name = 'ml:streaming-ensemble';
  readonly stats = { sampled: 0, scored: 0, dropped: 0, conditions: 0, workerRestarts: 0 };
  backend = 'none';
  /** 'worker' (scoring thread) or 'inline' (this event loop); set by start(). */
  mode: 'worker' | 'inline' = 'inline';
  private queue: Queued[] = [];
  private head = 0;
  private pending: Condition[] = [];
  private readonly seen = new Map<string, number>();
  private scorer?: StreamingAnomalyScorer;
  private current: number | undefined;
  private readonly verdicts: MlDetector;
  private timer?: NodeJS.Timeout;
  private worker?: Worker;
  private workerReady = false;
  private stopping = false;
  private nextId = 1;
  private readonly inFlight = new Map<number, Queued[][]>();
  private replyWaiters: Array<() => void> = [];
  private restartDelay = 1000;
  private restartTimer?: NodeJS.Timeout;

  constructor(private readonly o: AnomalyDetectorOptions) {
    // MlDetector debounces the precomputed score of the reading being replayed (`current`).
    this.verdicts = new MlDetector(
      { name: 'streaming-ensemble', score: () => this.current },
      { threshold: o.threshold ?? DEFAULT_THRESHOLD },
    );
  }

  /** Starts the scoring worker (thread mode) or loads tfjs here; then the flush timer. */
  async start(): Promise<void> {
    this.stopping = false;
    const threaded = this.o.thread ?? (this.o.tensorflow === undefined || this.o.tensorflow === false);
    if (threaded) {
      try {
        await this.spawnWorker();
        this.mode = 'worker';
      } catch (err) {
        this.o.log.warn({ err: (err as Error).message }, 'ml: worker thread failed to start, scoring inline');
      }
    }
    if (this.mode === 'inline') {
      let tf: Tensorflow | undefined;
      if (this.o.tensorflow !== false) {
        tf = this.o.tensorflow ?? (await loadTensorflow());
        if (tf.nodeUnavailable) this.o.log.info({ reason: tf.nodeUnavailable }, 'ml: using the wasm backend');
      }
      this.backend = tf ? tf.backend : 'none';
      this.scorer = new StreamingAnomalyScorer({ tf, series: this.o.series, maxSensors: this.o.maxSensors });
    }
    this.timer = setInterval(() => this.runTimer(), this.o.flushMs ?? 50);
    this.o.log.info({ backend: this.backend, mode: this.mode }, 'ml: anomaly detector started');
  }

  stop(): void {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.timer = undefined;
    this.restartTimer = undefined;
    void this.worker?.terminate();
    this.worker = undefined;
    this.workerReady = false;
    this.inFlight.clear();
    this.wakeWaiters();
    this.scorer?.dispose();
    this.scorer = undefined;
  }

  /** Hot path: sample into the queue, nothing else. Boolean sensors (flame, smoke) are skipped. */
  onReading(reading: DetectionReading, ctx: SensorContext): Condition[] {
    if (ctx.unit === 'bool' || !Number.isFinite(reading.value) || reading.quality === 'fault') return [];
    const n = (this.seen.get(ctx.sensorId) ?? 0) + 1;
    this.seen.set(ctx.sensorId, n);
    if (n % (this.o.sampleEvery ?? 1) !== 0) return [];
    this.stats.sampled++;
    this.queue.push({ reading, ctx });
    if (this.queue.length - this.head > (this.o.maxQueue ?? 50_000)) {
      this.head++;
      if (++this.stats.dropped % 10_000 === 1)
        this.o.log.warn({ dropped: this.stats.dropped }, 'ml: queue full, dropping');
    }
    return [];
  }

  /** The engine's tick: conditions scored since the last tick. */
  onTick(): Condition[] {
    if (this.pending.length === 0) return [];
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Readings sampled but not yet scored (queued or with the worker). */
  get backlog(): number {
    let n = this.queue.length - this.head;
    for (const groups of this.inFlight.values()) for (const g of groups) n += g.length;
    return n;
  }

  /**
   * Inline mode: scores up to `max` queued readings now, synchronously. Readings are grouped per
   * sensor in arrival order so each model sees its series in sequence.
   */
  process(max = Number.POSITIVE_INFINITY): number {
    const scorer = this.scorer;
    if (!scorer) throw new Error('ml: process() needs start() in inline mode (thread: false)');
    const groups = this.take(max);
    this.apply(groups, scoreGroups(scorer, sensorIdsOf(groups), groups.map(valuesOf), this.batch));
    return count(groups);
  }

  /** Scores everything queued so far, in either mode; resolves with the number scored. */
  async flush(): Promise<number> {
    if (this.mode === 'inline') return this.process();
    const before = this.stats.scored;
    while (this.worker && (this.queue.length > this.head || this.inFlight.size > 0)) {
      const replied = new Promise<void>((r) => this.replyWaiters.push(r));
      this.post();
      await replied;
    }
    return this.stats.scored - before;
  }

  private get batch(): number {
    return this.o.batch ?? 32;
  }

  /** Dequeues up to `max` readings, grouped per sensor in arrival order. */
  private take(max: number): Queued[][] {
    const end = Math.min(this.queue.length, this.head + max);
    const bySensor = new Map<string, Queued[]>();
    for (let i = this.head; i < end; i++) {
      const q = this.queue[i];
      const list = bySensor.get(q.ctx.sensorId);
      if (list) list.push(q);
      else bySensor.set(q.ctx.sensorId, [q]);
    }
    this.head = end;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return [...bySensor.values()];
  }

  /** Replays scored readings through the verdict debouncer (this thread), in order. */
  private apply(groups: Queued[][], scores: Float64Array[]): void {
    for (let g = 0; g < groups.length; g++) {
      const list = groups[g];
      for (let k = 0; k < list.length; k++) {
        const s = scores[g][k];
        this.current = Number.isNaN(s) ? undefined : s;
        const conds = this.verdicts.onReading(list[k].reading, list[k].ctx, list[k].reading.ts);
        for (const c of conds) this.pending.push(c);
        this.stats.conditions += conds.length;
      }
    }
    this.current = undefined;
    this.stats.scored += count(groups);
  }

  private runTimer(): void {
    if (this.mode === 'worker') {
      this.post();
      return;
    }
    try {
      const until = performance.now() + (this.o.workMs ?? 8);
      let n = 0;
      // Small slices: one slice may overrun the budget, so keep it a few model calls long.
      for (let k = 1; k > 0 && performance.now() < until; n += k) k = this.process(16);
      if (n > 0) this.o.log.debug({ scored: n, pending: this.pending.length }, 'ml: scored');
    } catch (err) {
      this.o.log.error({ err: (err as Error).stack }, 'ml: scoring failed');
    }
  }

  /** Thread mode: posts the queue (up to maxPerPost) unless enough is already with the worker. */
  private post(): void {
    const w = this.worker;
    if (!w || !this.workerReady || this.inFlight.size >= MAX_IN_FLIGHT || this.queue.length === this.head) return;
    const groups = this.take(this.o.maxPerPost ?? 4096);
    const id = this.nextId++;
    this.inFlight.set(id, groups);
    const values = groups.map(valuesOf);
    const msg: ScoreRequest = { id, sensorIds: sensorIdsOf(groups), values };
    w.postMessage(
      msg,
      values.map((v) => v.buffer as ArrayBuffer),
    );
  }

  private onReply(m: ScoreReply): void {
    const groups = this.inFlight.get(m.id);
    this.inFlight.delete(m.id);
    if (groups) {
      if (m.type === 'scores') {
        this.apply(groups, m.scores);
        this.restartDelay = 1000;
      } else this.o.log.error({ err: m.message, readings: count(groups) }, 'ml: scoring failed');
    }
    this.wakeWaiters();
    // A backlog keeps the (low-priority) worker busy rather than waiting for the next period.
    if (this.queue.length - this.head >= (this.o.maxPerPost ?? 4096)) this.post();
  }

  private wakeWaiters(): void {
    const waiters = this.replyWaiters;
    this.replyWaiters = [];
    for (const w of waiters) w();
  }

  private spawnWorker(): Promise<void> {
    const init: WorkerInit = {
      tensorflow: this.o.tensorflow !== false,
      series: this.o.series,
      maxSensors: this.o.maxSensors,
      batch: this.batch,
      nice: this.o.nice ?? 10,
    };
    // The worker runs TypeScript like this process (tsx); Node 20 does not apply a parent's
    // `--import` loader to a worker's entry module, so the entry registers tsx itself first.
    const entry = new URL('./worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: init, execArgv: [], name: 'gwanje-ml' });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: WorkerReady | ScoreReply) => {
        if (m.type === 'ready') {
          started = true;
          this.workerReady = true;
          this.backend = m.backend;
          if (m.nodeUnavailable) this.o.log.info({ reason: m.nodeUnavailable }, 'ml: using the wasm backend');
          if (!m.niced) this.o.log.info('ml: could not lower the worker thread priority');
          resolve();
        } else this.onReply(m);
      });
      worker.on('error', (err) => {
        this.o.log.error({ err: err.stack ?? String(err) }, 'ml: worker thread failed');
        if (!started) reject(err);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.workerReady = false;
        const lost = [...this.inFlight.values()].reduce((n, groups) => n + count(groups), 0);
        this.inFlight.clear();
        this.stats.dropped += lost;
        this.wakeWaiters();
        if (!started) reject(new Error(`ml: worker exited (${code}) before it was ready`));
        else if (!this.stopping) this.scheduleRestart(code, lost);
      });
    });
  }

  /** A worker that died is started again with capped backoff; its in-flight readings are counted dropped. */
  private scheduleRestart(code: number, lost: number): void {
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, 60_000);
    this.o.log.error({ code, lost, retryInMs: delay }, 'ml: worker thread exited, restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.stats.workerRestarts++;
      this.spawnWorker().catch((err: Error) => {
        this.o.log.error({ err: err.message }, 'ml: worker restart failed');
        if (!this.stopping && !this.worker) this.scheduleRestart(-1, 0);
      });
    }, delay);
    this.restartTimer.unref();
  }

  /** Test hook: the worker thread, to kill it. */
  get workerThread(): Worker | undefined {
    return this.worker;
  }
}

const sensorIdsOf = (groups: Queued[][]): string[] => groups.map((g) => g[0].ctx.sensorId);
const valuesOf = (g: Queued[]): Float64Array => Float64Array.from(g, (q) => q.reading.value);
const count = (groups: Queued[][]): number => groups.reduce((n, g) => n + g.length, 0);

/** The factory the center wires in: `detectors: [anomaly]`, `await anomaly.start()`, `anomaly.stop()`. */
export function createAnomalyDetector(o: AnomalyDetectorOptions): AnomalyDetector {
  return new AnomalyDetector(o);
}
