/**
 * Module `alarms`: detection (pure: rules, detectors, the ISA-18.2 state machine) with the advisory
 * ML detector (issue 4; scores every reading inline, ~1 us each, issue 22), and the alarm service
 * that applies its transitions, persists them and announces each as `alarm.changed`. Camera-loss
 * comes from `camera.state` (detection decides; the gateway only reports).
 */
import { randomBytes } from 'node:crypto';
import { DetectionEngine } from '@gwanje/detection';
import { alarmStoreOf } from '../center-ports.js';
import { type AnomalyDetector, createAnomalyDetector } from '../ml/detector.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { AlarmService } from './service.js';

/** Alarm ids: time-ordered and unique across restarts (like a ULID: time prefix, random suffix). */
export const newAlarmId = (): string => `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;

export class AlarmsModule implements CenterModule {
  readonly name = 'alarms';
  anomaly?: AnomalyDetector;
  private made?: { engine: DetectionEngine; service: AlarmService };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
  ) {}

  get engine(): DetectionEngine {
    return started(this.name, 'engine', this.made?.engine);
  }
  get service(): AlarmService {
    return started(this.name, 'service', this.made?.service);
  }

  async start(): Promise<void> {
    const { settings: s, log, metrics, bus, now } = this.ctx;
    if (s.mlSampleEvery > 0) {
      this.anomaly = createAnomalyDetector({ log: log.child({ module: 'ml' }), sampleEvery: s.mlSampleEvery });
      this.anomaly.start();
    }
    const engine = new DetectionEngine({
      newId: newAlarmId,
      systemActor: 'system',
      detectors: this.anomaly ? [this.anomaly] : [],
    });
    const service = new AlarmService({
      log: log.child({ module: 'alarms' }),
      metrics,
      store: alarmStoreOf(this.store.repos),
      engine,
      bus,
      now,
    });
    this.made = { engine, service };
    bus.on(this.name, 'camera.state', (c) => service.cameraState(c.cameraId, c.siteId, c.state, now()));
    await service.start();
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.made?.service.stop();
    await this.anomaly?.stop();
  }
}
