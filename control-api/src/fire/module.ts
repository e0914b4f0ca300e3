/**
 * Module `fire` (issue 23): fire-watch cameras raise fire-suspected; flame and smoke detector
 * alarms are corroborated on their cameras, never suppressed. GWANJE_FIRE_DETECTOR=off keeps the
 * stored flags editable but runs no detector. Listens: `alarm.changed` (announced raises).
 */
import type { AlarmsModule } from '../alarms/module.js';
import type { RouteSpec } from '../http/route.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { StoreModule } from '../store/module.js';
import type { VideoModule } from '../video/module.js';
import { fireHttp } from './http.js';
import { type FireWatchAdmin, fireRoutes } from './routes.js';
import { FireWatchStore, type FireWatchTables } from './store.js';
import { FireWatch } from './watch.js';

export class FireModule implements CenterModule {
  readonly name = 'fire';
  private watch?: FireWatch;
  private adminView?: FireWatchAdmin;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly video: VideoModule,
    private readonly alarms: AlarmsModule,
  ) {}

  /** The routes this module answers (mounted by `api` with every other module's). */
  routes(): RouteSpec[] {
    return fireRoutes;
  }

  /** What the fire-watch routes read and set. */
  get admin(): FireWatchAdmin {
    return started(this.name, 'admin', this.adminView);
  }

  async start(): Promise<void> {
    const { settings: s, log, bus } = this.ctx;
    const repos = this.store.repos;
    const fireStore = new FireWatchStore(this.store.raw<FireWatchTables>());
    if (s.fireDetector) {
      const watch = new FireWatch({
        log: log.child({ module: 'fire' }),
        gateway: this.video.gateway,
        store: fireStore,
        camera: (id) => repos.cameras.get(id),
        alarms: this.alarms.service,
      });
      await watch.start();
      this.watch = watch;
      bus.on(this.name, 'alarm.changed', watch.onAlarm);
    }
    this.adminView = fireHttp(fireStore, this.watch, this.ctx.now);
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.watch?.stop();
  }
}
