/**
 * Module `live`: Socket.IO `/live` (CONTRACT) on the center's port. A socket needs a live session
 * with `watch` (auth/gates.ts) and gets the rooms of the sites it may see.
 *
 * Listens: `alarm.changed` (announced ones), `flood.changed`, `reading.accepted` (at most 2/s per
 * sensor), `agent.state`, `camera.state`, `camera.preset`, and `sessions.changed` (sockets re-checked at once, F5).
 * GWANJE_REDIS_URL (issue 19) shares the namespace with the other center instances (live/cluster.ts).
 */
import type { AlarmsModule } from '../alarms/module.js';
import { liveViewer } from '../auth/gates.js';
import type { AuthModule } from '../auth/module.js';
import type { EventBus } from '../bus.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { connectLiveCluster, type LiveCluster } from './cluster.js';
import { LiveHub } from './hub.js';

export class LiveModule implements CenterModule {
  readonly name = 'live';
  private made?: LiveHub;
  private cluster?: LiveCluster;

  constructor(
    private readonly ctx: CenterContext,
    private readonly authModule: AuthModule,
    private readonly alarms: AlarmsModule,
  ) {}

  get hub(): LiveHub {
    return started(this.name, 'hub', this.made);
  }

  async start(): Promise<void> {
    const { log, metrics, bus, now, settings } = this.ctx;
    const auth = this.authModule.auth;
    const alarms = this.alarms.service;
    const liveLog = log.child({ module: 'live' });
    // Issue 19: with GWANJE_REDIS_URL every instance's consoles share one event stream.
    if (settings.redisUrl) this.cluster = await connectLiveCluster(settings.redisUrl, settings.liveRecoveryMs, liveLog);
    const hub = new LiveHub({
      log: liveLog,
      metrics,
      now,
      verify: (token) => liveViewer(auth, token),
      activeAlarms: () => alarms.active(),
      cluster: this.cluster,
    });
    this.made = hub;
    listenLive(bus, hub, this.name);
    hub.start();
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.made?.stop();
    await this.cluster?.close();
    this.cluster = undefined;
  }
}

/** The live hub's bus listeners (also used by tests that drive a hub without a whole center). */
export function listenLive(bus: Pick<EventBus, 'on'>, hub: LiveHub, owner = 'live'): void {
  bus.on(owner, 'alarm.changed', ({ alarm, announced }) => {
    if (announced) hub.alarm(alarm);
  });
  bus.on(owner, 'flood.changed', (f) => hub.flood(f));
  bus.on(owner, 'reading.accepted', (r) => hub.reading(r));
  bus.on(owner, 'agent.state', (a) => hub.agent(a));
  bus.on(owner, 'camera.state', (c) => hub.camera(c));
  bus.on(owner, 'camera.preset', (p) => hub.presetRecall(p));
  bus.on(owner, 'sessions.changed', (ev) => hub.sessionsChanged(ev));
}
