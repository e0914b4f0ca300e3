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

/** A counter whose value is read from elsewhere at each scrape (reset, then set). */
function mirroredCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Array<[Partial<Record<L, string>>, number]>,
): Counter<L> {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of read()) if (v > 0) this.inc(labels, v);
    },
  });
}

function mirroredGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Array<[Partial<Record<L, string>>, number]>,
): Gauge<L> {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of read()) this.set(labels, v);
    },
  });
}

export function registerOpsMetrics(registry: Registry, src: OpsSources): EscalationFigures {
  const cams = () => src.cameras();
  mirroredGauge(
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
  mirroredGauge(registry, 'gwanje_video_camera_fps', 'Frames per second received, last ~5 s', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, c.fps]),
  );
  mirroredGauge(registry, 'gwanje_video_camera_bitrate_bps', 'Bits per second received, last ~5 s', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, c.bitrateBps]),
  );
  mirroredGauge(registry, 'gwanje_video_camera_viewers', 'Live viewers (MPEG-TS and MPEG1)', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, c.viewers]),
  );
  mirroredCounter(registry, 'gwanje_video_camera_restarts_total', 'Upstream restarts after a loss', ['camera'], () =>
    cams().map((c) => [{ camera: c.cameraId }, c.restarts]),
  );
  mirroredGauge(registry, 'gwanje_timeseries_backlog', 'Readings accepted, not yet durably written', [], () => [
    [{}, src.timeseries.pending()],
  ]);
  mirroredCounter(
    registry,
    'gwanje_timeseries_dropped_total',
    'Readings the time-series store lost (buffer full, rejected)',
    [],
    () => [[{}, src.timeseries.dropped()]],
  );
  mirroredCounter(registry, 'gwanje_ml_queue_dropped_total', 'Readings the ML queue dropped when full', [], () => [
    [{}, src.ml?.()?.dropped ?? 0],
  ]);
  mirroredGauge(registry, 'gwanje_ml_backlog', 'Readings waiting for ML scoring', [], () => [
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
