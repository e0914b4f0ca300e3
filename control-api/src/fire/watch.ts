/**
 * FireWatch (issue 23): runs the video fire detector on the cameras that need it and turns what it
 * sees into alarms, never into silence.
 * - Cameras an admin marked "fire watch" are watched all the time; fire confirmed on one raises an
 *   advisory `fire-suspected` alarm (priority 3) on that camera through the normal lifecycle (its
 *   snapshot and clip follow from the alarm listener in video/alarm-clips.ts); when the tracker
 *   says the fire is over the condition clears (ISA-18.2: rtn-unack or normal after an ack).
 * - A flame or smoke detector alarm asks its linked cameras: each is watched for `corroborateMs`
 *   (or already is); fire confirmed on one within that time marks the alarm "confirmed on camera"
 *   (journaled as `confirmed-on-camera`, announced). A camera that shows nothing changes nothing:
 *   corroboration never clears, lowers or delays a detector alarm.
 * Frames come from the gateway (one ffmpeg per watched camera, keyframes only) and are scored in
 * a low-priority worker thread, at most one frame in flight per camera (others are dropped and
 * counted), so memory stays bounded whatever the cameras send.
 */
import { Worker } from 'node:worker_threads';
import type { SampledFrame } from '@gwanje/gateway';
import type { SmokeStep, TrackerStep } from '@gwanje/vision';
import type { AlarmListener, AlarmService } from '../alarms/service.js';
import type { Logger } from '../logger.js';
import type { FireWorkerInit, FireWorkerReady, FireWorkerReply, FireWorkerRequest } from './worker-protocol.js';

/** Detector alarms that ask the cameras (CONTRACT metric flame / smoke). */
export const CORROBORATED_TYPES = new Set(['flame', 'smoke']);
/** At most this many linked cameras are asked per alarm (the site's cameras stand in when none are linked). */
const MAX_CAMERAS_PER_ALARM = 4;

export interface FireWatchDeps {
  log: Logger;
  gateway: { watchFrames(cameraId: string, onFrame: (f: SampledFrame) => void): () => Promise<void> };
  store: {
    enabled(): Promise<string[]>;
    set(cameraId: string, enabled: boolean, by: string, now: number): Promise<void>;
  };
  camera(cameraId: string): Promise<{ cameraId: string; siteId: string } | undefined>;
  alarms: Pick<AlarmService, 'cameraCondition' | 'annotate'>;
  now?: () => number;
  /** How long a detector alarm's cameras are watched for a match (default 60 s). */
  corroborateMs?: number;
  /** Starts the detector worker; tests may pass their own. */
  startWorker?: (init: FireWorkerInit) => Worker;
  headPath?: string;
}

interface Watched {
  stop: () => Promise<void>;
  /** Fire watch (permanent) or until this time (corroboration). */
  permanent: boolean;
  until: number;
  busy: boolean;
  /** Fire or smoke confirmed on this camera now. */
  fire: boolean;
  /** What confirmed it (flame first when both). */
  cue: Cue;
  lastStep?: TrackerStep;
  lastSmoke?: SmokeStep;
  siteId: string;
}

type Cue = 'flame' | 'smoke';

/** What a frame's two trackers say together: flame wins over smoke; the score is the deciding tracker's. */
function seen(step: TrackerStep, smoke: SmokeStep | undefined): { fire: boolean; cue: Cue; score: number } {
  if (step.fire || !smoke?.smoke) return { fire: step.fire, cue: 'flame', score: step.score };
  return { fire: true, cue: 'smoke', score: smoke.score };
}

export interface FireWatchStats {
  watched: number;
  framesScored: number;
  framesDropped: number;
  scoreMsTotal: number;
}

/** The worker runs TypeScript like this process: its entry registers tsx first (as ml/detector.ts does). */
function defaultWorker(init: FireWorkerInit): Worker {
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: init, execArgv: [], name: 'gwanje-fire' });
}

export class FireWatch {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private stopped = false;
  private readonly watched = new Map<string, Watched>();
  /** Standing detector alarms waiting for a camera match: alarmId -> cameras and deadline. */
  private readonly pending = new Map<string, { cameras: string[]; until: number }>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  threshold = 0;
  readonly stats: FireWatchStats = { watched: 0, framesScored: 0, framesDropped: 0, scoreMsTotal: 0 };

  constructor(private readonly d: FireWatchDeps) {
    this.now = d.now ?? Date.now;
  }

  /**
   * Watches the fire-watch cameras. The detector worker (tfjs, ~30 MB of model) is started on first
   * need: a center with no fire-watch camera and no flame alarm never loads it.
   */
  async start(): Promise<void> {
    for (const cameraId of await this.d.store.enabled()) await this.watch(cameraId, true);
    this.timer = setInterval(() => void this.expire(), 1000);
  }

  /** The detector worker, started once; a failure is logged and retried on the next need. */
  private detector(): Promise<Worker> {
    this.starting ??= this.spawnWorker().catch((err: Error) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async spawnWorker(): Promise<Worker> {
    const worker = (this.d.startWorker ?? defaultWorker)({ nice: 10, headPath: this.d.headPath });
    const ready = await new Promise<FireWorkerReady>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (ready.type === 'failed') {
      await worker.terminate();
      throw new Error(`fire: detector did not load: ${ready.message}`);
    }
    this.threshold = ready.threshold;
    this.worker = worker;
    worker.on('message', (m: FireWorkerReply) => this.onReply(m));
    worker.on('error', (err) => this.d.log.error({ err: err.message }, 'fire: detector worker failed'));
    // A dead worker is started again by the next frame; frames in flight are given up.
    worker.once('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.starting = undefined;
      for (const w of this.watched.values()) w.busy = false;
      if (!this.stopped) this.d.log.error({ code }, 'fire: detector worker exited; restarting on the next frame');
    });
    this.d.log.info({ threshold: this.threshold, niced: ready.niced }, 'fire: detector ready');
    return worker;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([...this.watched.values()].map((w) => w.stop()));
    this.watched.clear();
    const worker = this.worker ?? (await this.starting?.catch(() => undefined));
    await worker?.terminate();
    this.worker = undefined;
    this.starting = undefined;
  }

  /** Turns an admin's fire-watch flag on or off (stored, then applied at once). */
  async setFireWatch(cameraId: string, enabled: boolean, by: string): Promise<void> {
    await this.d.store.set(cameraId, enabled, by, this.now());
    const w = this.watched.get(cameraId);
    if (enabled) await this.watch(cameraId, true);
    else if (w) {
      w.permanent = false;
      if (w.fire) this.condition(cameraId, w, false, w.lastStep?.score ?? 0);
      await this.expire();
    }
  }

  /** Cameras watched now, and whether fire is confirmed on each. */
  status(): Array<{ cameraId: string; fireWatch: boolean; fire: boolean; cue?: Cue; score?: number }> {
    return [...this.watched.entries()].map(([cameraId, w]) => ({
      cameraId,
      fireWatch: w.permanent,
      fire: w.fire,
      cue: w.fire ? w.cue : undefined,
      score: w.lastStep?.score,
    }));
  }

  /** Alarm listener: a raised flame or smoke detector alarm asks its cameras. */
  readonly onAlarm: AlarmListener = ({ alarm, raised, announced }) => {
    if (!raised || !announced || alarm.sourceKind !== 'sensor' || !CORROBORATED_TYPES.has(alarm.type)) return;
    const cameras = alarm.cameras.slice(0, MAX_CAMERAS_PER_ALARM);
    if (cameras.length === 0) return;
    const until = this.now() + (this.d.corroborateMs ?? 60_000);
    this.pending.set(alarm.id, { cameras, until });
    for (const cameraId of cameras) {
      const w = this.watched.get(cameraId);
      if (w?.fire && w.lastStep) this.confirm(cameraId, seen(w.lastStep, w.lastSmoke));
      this.watch(cameraId, false, until).catch((err: Error) =>
        this.d.log.error({ cameraId, alarmId: alarm.id, err: err.message }, 'fire: camera not watched'),
      );
    }
  };

  private async watch(cameraId: string, permanent: boolean, until = 0): Promise<void> {
    const w = this.watched.get(cameraId);
    if (w) {
      w.permanent ||= permanent;
      w.until = Math.max(w.until, until);
      return;
    }
    const cam = await this.d.camera(cameraId);
    if (!cam) {
      this.d.log.warn({ cameraId }, 'fire: unknown camera not watched');
      return;
    }
    try {
      await this.detector();
    } catch (err) {
      this.d.log.error({ cameraId, err: (err as Error).message }, 'fire: camera not watched, detector unavailable');
      return;
    }
    if (this.stopped) return;
    if (this.watched.has(cameraId)) return this.watch(cameraId, permanent, until);
    const entry: Watched = {
      stop: async () => {},
      permanent,
      until,
      busy: false,
      fire: false,
      cue: 'flame',
      siteId: cam.siteId,
    };
    this.watched.set(cameraId, entry);
    entry.stop = this.d.gateway.watchFrames(cameraId, (f) => this.onFrame(entry, f));
    this.stats.watched = this.watched.size;
    this.d.log.info({ cameraId, permanent }, 'fire: watching camera');
  }

  private onFrame(w: Watched, f: SampledFrame): void {
    if (!this.worker) {
      if (!this.stopped)
        this.detector().catch((err: Error) => this.d.log.error({ err: err.message }, 'fire: detector unavailable'));
      return;
    }
    if (w.busy) {
      this.stats.framesDropped++;
      return;
    }
    w.busy = true;
    const data = f.data.buffer.slice(f.data.byteOffset, f.data.byteOffset + f.data.byteLength) as ArrayBuffer;
    const req: FireWorkerRequest = {
      type: 'frame',
      cameraId: f.cameraId,
      width: f.width,
      height: f.height,
      data,
      at: f.at,
    };
    this.worker.postMessage(req, [data]);
  }

  private onReply(m: FireWorkerReply): void {
    const w = this.watched.get(m.cameraId);
    if (w) w.busy = false;
    if (m.type === 'error') {
      this.d.log.warn({ cameraId: m.cameraId, err: m.message }, 'fire: frame not scored');
      return;
    }
    this.stats.framesScored++;
    this.stats.scoreMsTotal += m.ms;
    if (!w) return;
    w.lastStep = m.step;
    w.lastSmoke = m.smoke;
    const now = seen(m.step, m.smoke);
    const was = w.fire;
    if (m.step.started)
      this.d.log.warn(
        { cameraId: m.cameraId, score: m.step.score, flicker: m.step.flicker },
        'fire: fire seen on camera',
      );
    if (m.smoke.started)
      this.d.log.warn(
        { cameraId: m.cameraId, score: m.smoke.score, blocks: m.smoke.blocks },
        'fire: smoke seen on camera',
      );
    w.fire = now.fire;
    if (now.fire) {
      w.cue = now.cue;
      this.confirm(m.cameraId, now);
    }
    if (w.permanent && now.fire !== was) this.condition(m.cameraId, w, now.fire, now.score);
  }

  private condition(cameraId: string, w: Watched, active: boolean, score: number): void {
    const what = w.cue === 'smoke' ? 'smoke' : 'fire';
    this.d.alarms.cameraCondition(
      {
        sourceId: cameraId,
        siteId: w.siteId,
        type: 'fire-suspected',
        priority: 3,
        advisory: true,
        active,
        value: Math.round(score * 1000) / 1000,
        threshold: Math.round(this.threshold * 1000) / 1000,
        message: active
          ? `fire-suspected: ${what} seen on camera ${cameraId}`
          : `fire-suspected: no ${what} on camera ${cameraId} any more`,
        cameras: [cameraId],
      },
      this.now(),
    );
  }

  /**
   * Marks every pending detector alarm linked to this camera as confirmed on camera (once each).
   * Flame or smoke on camera corroborates a flame or a smoke detector alike (both mean a fire);
   * `cue` says which was seen.
   */
  private confirm(cameraId: string, by: { cue: Cue; score: number }): void {
    for (const [alarmId, p] of this.pending) {
      if (!p.cameras.includes(cameraId)) continue;
      this.pending.delete(alarmId);
      const score = Math.round(by.score * 1000) / 1000;
      const ok = this.d.alarms.annotate(
        alarmId,
        { confirmedOnCamera: { cameraId, at: this.now(), score, cue: by.cue } },
        'confirmed-on-camera',
        'video',
        `camera ${cameraId} ${by.cue} score ${score}`,
        this.now(),
      );
      if (ok) this.d.log.warn({ alarmId, cameraId, score, cue: by.cue }, 'fire: detector alarm confirmed on camera');
    }
  }

  /** Ends corroboration windows and stops watching cameras nobody needs any more. */
  private async expire(): Promise<void> {
    const now = this.now();
    for (const [alarmId, p] of this.pending) if (p.until <= now) this.pending.delete(alarmId);
    for (const [cameraId, w] of this.watched) {
      if (w.permanent || w.until > now) continue;
      this.watched.delete(cameraId);
      this.worker?.postMessage({ type: 'forget', cameraId } satisfies FireWorkerRequest);
      await w.stop();
      this.d.log.info({ cameraId }, 'fire: camera no longer watched');
    }
    this.stats.watched = this.watched.size;
  }
}
