/**
 * Module `live`: Socket.IO `/live` (CONTRACT) on the center's port. A socket needs a live session
 * with `watch` (auth/gates.ts) and gets the rooms of the sites it may see.
 *
 * Listens: `alarm.changed` (announced ones), `flood.changed`, `reading.accepted` (at most 2/s per
 * sensor), `agent.state`, `camera.state`, `camera.preset`, and `sessions.changed` (sockets re-checked at once, F5).
 */
import type { AlarmsModule } from '../alarms/module.js';
import { liveViewer } from '../auth/gates.js';
import type { AuthModule } from '../auth/module.js';
import type { EventBus } from '../bus.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { LiveHub } from './hub.js';

export class LiveModule implements CenterModule {
  readonly name = 'live';
  private made?: LiveHub;

  constructor(
    private readonly ctx: CenterContext,
    private readonly authModule: AuthModule,
    private readonly alarms: AlarmsModule,
  ) {}

  get hub(): LiveHub {
    return started(this.name, 'hub', this.made);
  }

  start(): void {
    const { log, metrics, bus, now } = this.ctx;
    const auth = this.authModule.auth;
    const alarms = this.alarms.service;
    const hub = new LiveHub({
      log: log.child({ module: 'live' }),
      metrics,
      now,
      verify: (token) => liveViewer(auth, token),
      activeAlarms: () => alarms.active(),
    });
    this.made = hub;
    listenLive(bus, hub, this.name);
    hub.start();
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.made?.stop();
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
