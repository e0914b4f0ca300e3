/**
 * Module `ops-metrics` (issue 17): /metrics figures read from the running modules when scraped:
 * video per camera, the time-series backlog, the ML queue, SMS sends and escalation lateness.
 */
import type { AlarmsModule } from './alarms/module.js';
import { type EscalationFigures, registerOpsMetrics } from './metrics-ops.js';
import type { CenterContext, CenterModule } from './module.js';
import { started } from './module.js';
import type { StoreModule } from './store/module.js';
import type { VideoModule } from './video/module.js';

export class OpsMetricsModule implements CenterModule {
  readonly name = 'ops-metrics';
  private registered?: EscalationFigures;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly video: VideoModule,
    private readonly alarms: AlarmsModule,
  ) {}

  /** Where escalation counts its SMS and step lateness. */
  get figures(): EscalationFigures {
    return started(this.name, 'figures', this.registered);
  }

  start(): void {
    const gateway = this.video.gateway;
    const anomaly = this.alarms.anomaly;
    this.registered = registerOpsMetrics(this.ctx.metrics.registry, {
      cameras: () => gateway.health(),
      timeseries: this.store.timeseries,
      ml: () => anomaly && { dropped: anomaly.stats.dropped, backlog: anomaly.backlog },
    });
  }

  stop(): void {}
}
