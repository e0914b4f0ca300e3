/**
 * Module `alarms`: detection (pure: rules, detectors, the ISA-18.2 state machine) with the advisory
 * ML detector (issue 4; scores every reading inline, ~1 us each, issue 22), and the alarm service
 * that applies its transitions, persists them and announces each as `alarm.changed`. Camera-loss
 * comes from `camera.state` (detection decides; the gateway only reports). A new alarm with no
 * configured cameras gets those that see its sensor on the site plan (issue 21).
 */
import { randomBytes } from 'node:crypto';
import { DetectionEngine, type Detector } from '@gwanje/detection';
import { alarmStoreOf } from '../center-ports.js';
import type { ClusterModule } from '../cluster/module.js';
import { type AnomalyDetector, createAnomalyDetector } from '../ml/detector.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { CameraLinker } from '../plans/linker.js';
import { PlanStore, type PlanTables } from '../plans/store.js';
import type { StoreModule } from '../store/module.js';
import { AlarmService } from './service.js';
import { SiteEngines } from './site-engines.js';

/** Alarm ids: time-ordered and unique across restarts (like a ULID: time prefix, random suffix). */
export const newAlarmId = (): string => `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;

export class AlarmsModule implements CenterModule {
  readonly name = 'alarms';
  anomaly?: AnomalyDetector;
  private made?: {
    engine: DetectionEngine | SiteEngines;
    service: AlarmService;
    plans: PlanStore;
    linker: CameraLinker;
  };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly cluster: ClusterModule,
  ) {}

  /** One engine for every site, or (a cluster member, issue 19) one per site this instance owns. */
  get engine(): DetectionEngine | SiteEngines {
    return started(this.name, 'engine', this.made?.engine);
  }
  get service(): AlarmService {
    return started(this.name, 'service', this.made?.service);
  }
  /** Site plans and the cameras that see a point on them (issue 21). */
  get plans(): PlanStore {
    return started(this.name, 'plans', this.made?.plans);
  }
  get linker(): CameraLinker {
    return started(this.name, 'linker', this.made?.linker);
  }

  async start(): Promise<void> {
    const { settings: s, log, metrics, bus, now } = this.ctx;
    if (s.mlSampleEvery > 0) {
      this.anomaly = createAnomalyDetector({ log: log.child({ module: 'ml' }), sampleEvery: s.mlSampleEvery });
      this.anomaly.start();
    }
    const shared: Detector[] = this.anomaly ? [this.anomaly] : [];
    const make = (detectors: Detector[]) =>
      new DetectionEngine({ newId: newAlarmId, systemActor: 'system', detectors });
    const engine = this.cluster.clustered ? new SiteEngines(make, shared) : make(shared);
    // Issue 21: site plans and positions; an alarm with no configured cameras gets those that see its sensor.
    const repos = this.store.repos;
    const plans = new PlanStore(this.store.raw<PlanTables>(), this.store.db.json);
    const linker = new CameraLinker({
      store: plans,
      siteCameras: async (siteId) => (await repos.cameras.list([siteId])).map((c) => c.cameraId),
    });
    const service = new AlarmService({
      log: log.child({ module: 'alarms' }),
      metrics,
      store: alarmStoreOf(repos),
      engine,
      bus,
      now,
      cameraLinks: linker,
      persistRaiseFirst: this.cluster.clustered,
      forward: this.cluster.clustered ? (siteId, r) => this.cluster.relay.forward(siteId, r) : undefined,
    });
    if (this.cluster.clustered) this.cluster.relay.serve((r) => service.act(r.alarmId, r.action, r.actor, r.args));
    this.made = { engine, service, plans, linker };
    bus.on(this.name, 'camera.state', (c) => {
      // A camera that appears (or changes) must count for the next alarm of its site at once, not
      // after the linker's cached layout expires (a first alarm took none of a just-registered camera).
      linker.invalidate(c.siteId);
      service.cameraState(c.cameraId, c.siteId, c.state, now());
    });
    await service.start();
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.made?.service.stop();
    await this.anomaly?.stop();
  }
}
