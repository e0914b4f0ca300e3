/**
 * Operations metrics on `/metrics` (issue 17 "Health that can say no"): video per camera, SMS,
 * the time-series backlog and drops, the ML queue, escalation lateness. Gauges and counters
 * that mirror another module's state are read at scrape time (prom-client `collect`), so nothing
 * is added to the hot paths; SMS and escalation timings are observed as they happen.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CameraFigures {
  cameraId: string;
  state: string;
  fps: number;
  bitrateBps: number;
  viewers: number;
  restarts: number;
  lastKeyframeAt: number | null;
  preRollMs: number;
  frozen: boolean;
  black: boolean;
}

export interface OpsSources {
  /** Every camera the gateway knows (gateway.health()). */
  cameras(): CameraFigures[];
  timeseries: { pending(): number; dropped(): number };
  /** The ML detector's queue, when ML runs. */
  ml?: () => { dropped: number; backlog: number } | undefined;
}

/** Observed as they happen by escalation (wiring.ts, service.ts). */
export interface EscalationFigures {
  smsSent(provider: string, seconds: number): void;
  smsFailed(provider: string, seconds: number): void;
  stepLate(ms: number): void;
}

const CAMERA_STATES = ['idle', 'starting', 'live', 'lost'] as const;

type Read<L extends string> = () => Array<[Partial<Record<L, string>>, number]>;

/**
 * A counter or gauge whose values are read from the owning module at each scrape (reset, then
 * set: prom-client counters only go up within one scrape, which holds for the mirrored totals).
 */
function mirrored<L extends string>(
  kind: 'counter' | 'gauge',
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: Read<L>,
): void {
  const common = { name, help, labelNames, registers: [registry] };
  const fill = (put: (labels: Partial<Record<L, string>>, v: number) => void) => {
    for (const [labels, v] of read()) put(labels, v);
  };
  if (kind === 'gauge')
    new Gauge({
      ...common,
      collect() {
        this.reset();
        fill((l, v) => this.set(l, v));
      },
    });
  else
    new Counter({
      ...common,
      collect() {
        this.reset();
        fill((l, v) => v > 0 && this.inc(l, v));
      },
    });
}

export function registerOpsMetrics(registry: Registry, src: OpsSources): EscalationFigures {
  const cams = () => src.cameras();
  mirrored(
    'gauge',
    registry,
    'gwanje_video_camera_state',
    'Camera stream state (1 for the current one)',
    ['camera', 'state'],
    () =>
      cams().flatMap((c) =>
        CAMERA_STATES.map((s): [{ camera: string; state: string }, number] => [
          { camera: c.cameraId, state: s },
          +(c.state === s),
        ]),
      ),
  );
  mirrored('gauge', registry, 'gwanje_video_camera_fps', 'Frames per second received, last ~5 s', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, c.fps]),
  );
  mirrored(
    'gauge',
    registry,
    'gwanje_video_camera_bitrate_bps',
    'Bits per second received, last ~5 s',
    ['camera'],
    () => cams().map((c) => [{ camera: c.cameraId }, c.bitrateBps]),
  );
  // Issue 20: camera health an operator's monitoring can alarm on without the console.
  mirrored(
    'gauge',
    registry,
    'gwanje_video_camera_last_keyframe_timestamp_seconds',
    'Wall clock of the last keyframe received (Unix seconds)',
    ['camera'],
    () => cams().flatMap((c) => (c.lastKeyframeAt === null ? [] : [[{ camera: c.cameraId }, c.lastKeyframeAt / 1000]])),
  );
  mirrored(
    'gauge',
    registry,
    'gwanje_video_camera_preroll_seconds',
    'Alarm pre-roll the clip ring holds now',
    ['camera'],
    () => cams().map((c) => [{ camera: c.cameraId }, c.preRollMs / 1000]),
  );
  mirrored('gauge', registry, 'gwanje_video_camera_frozen', 'Stream flows but its picture is frozen', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, +c.frozen]),
  );
  mirrored('gauge', registry, 'gwanje_video_camera_black', 'Stream flows but its picture is black', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, +c.black]),
  );
  mirrored('gauge', registry, 'gwanje_video_camera_viewers', 'Live viewers (MPEG-TS and MPEG1)', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, c.viewers]),
  );
  mirrored(
    'counter',
    registry,
    'gwanje_video_camera_restarts_total',
    'Upstream restarts after a loss',
    ['camera'],
    () => cams().map((c) => [{ camera: c.cameraId }, c.restarts]),
  );
  mirrored('gauge', registry, 'gwanje_timeseries_backlog', 'Readings accepted, not yet durably written', [], () => [
    [{}, src.timeseries.pending()],
  ]);
  mirrored(
    'counter',
    registry,
    'gwanje_timeseries_dropped_total',
    'Readings the time-series store lost (buffer full, rejected)',
    [],
    () => [[{}, src.timeseries.dropped()]],
  );
  mirrored('counter', registry, 'gwanje_ml_queue_dropped_total', 'Readings the ML queue dropped when full', [], () => [
    [{}, src.ml?.()?.dropped ?? 0],
  ]);
  mirrored('gauge', registry, 'gwanje_ml_backlog', 'Readings waiting for ML scoring', [], () => [
    [{}, src.ml?.()?.backlog ?? 0],
  ]);

  const sent = new Counter({
    name: 'gwanje_sms_sent_total',
    help: 'SMS accepted by a provider',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: 'gwanje_sms_failed_total',
    help: 'SMS a provider refused or could not take',
    labelNames: ['provider'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'gwanje_sms_send_seconds',
    help: 'Time for a provider to accept (or refuse) one SMS',
    labelNames: ['provider', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const late = new Histogram({
    name: 'gwanje_escalation_lateness_seconds',
    help: 'How late an escalation step ran after it was due',
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  return {
    smsSent: (provider, s) => {
      sent.inc({ provider });
      latency.observe({ provider, outcome: 'sent' }, s);
    },
    smsFailed: (provider, s) => {
      failed.inc({ provider });
      latency.observe({ provider, outcome: 'failed' }, s);
    },
    stepLate: (ms) => late.observe(Math.max(0, ms) / 1000),
  };
}
