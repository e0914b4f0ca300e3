/**
 * Module `escalation` (issue 8): unacknowledged gas and flame alarms text the on-duty roster, in
 * tiers, over the SMS providers of GWANJE_SMS_* in failover order; an SMS reply acknowledges as
 * the roster contact's user, if they may (F16), audited.
 *
 * Issue 19, a cluster member: only a site's owner runs its escalation steps and sends its texts;
 * on `site.owned` the new owner takes up what a killed owner left half done (recoverSite).
 *
 * Listens: `alarm.changed`, every transition including those chattering suppression does not
 * announce (a chattering alarm back to normal must stop its steps); each alarm's transitions are
 * handled in order. `sensor.changed` refreshes what a message says about a sensor (gas, unit).
 */
import type { Alarm } from '@gwanje/protocol';
import type { AlarmsModule } from '../alarms/module.js';
import type { AccountsModule, AuthModule } from '../auth/module.js';
import type { ClusterModule } from '../cluster/module.js';
import type { RouteSpec } from '../http/route.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import type { OpsMetricsModule } from '../ops-module.js';
import type { StoreModule } from '../store/module.js';
import type { Repositories } from '../store/repositories.js';
import { escalationRoutes } from './routes.js';
import { createEscalation, type EscalationWiring } from './wiring.js';

interface SensorFacts {
  gas?: string;
  unit?: string;
}

/**
 * What an SMS says about a site and a sensor, read synchronously while a message is composed:
 * site names loaded at start (and again for a site added since), sensor facts loaded before the
 * alarm is handed over and forgotten when an admin edits the sensor.
 */
export class AlarmFacts {
  private readonly sites = new Map<string, { name: string; nameKo?: string }>();
  private readonly sensors = new Map<string, SensorFacts>();

  constructor(private readonly repos: Pick<Repositories, 'sites' | 'sensors'>) {}

  async loadSites(): Promise<void> {
    for (const x of await this.repos.sites.list()) this.sites.set(x.siteId, { name: x.name, nameKo: x.nameKo });
  }

  /** Loads what `site()` and `sensor()` will be asked about this alarm. */
  async prepare(alarm: Alarm): Promise<void> {
    if (!this.sites.has(alarm.siteId)) await this.loadSites();
    if (alarm.sourceKind !== 'sensor' || this.sensors.has(alarm.sourceId)) return;
    const row = await this.repos.sensors.get(alarm.sourceId);
    if (row) this.sensors.set(row.sensorId, { gas: row.gas ?? undefined, unit: row.unit });
  }

  site = (siteId: string) => this.sites.get(siteId);
  sensor = (sensorId: string) => this.sensors.get(sensorId);
  forgetSensor(sensorId: string): void {
    this.sensors.delete(sensorId);
  }
}

export class EscalationModule implements CenterModule {
  readonly name = 'escalation';
  private wiring?: EscalationWiring;
  /** Per alarm, the handling of its previous transition: a raise is handled before its return to normal. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly authModule: AuthModule,
    private readonly alarms: AlarmsModule,
    private readonly ops: OpsMetricsModule,
    private readonly cluster: ClusterModule,
  ) {}

  /** The routes this module answers (mounted by `api` with every other module's). */
  routes(): RouteSpec[] {
    return escalationRoutes;
  }

  get escalation(): EscalationWiring {
    return started(this.name, 'escalation', this.wiring);
  }

  async start(): Promise<void> {
    const { settings: s, log, bus } = this.ctx;
    const elog = log.child({ module: 'escalation' });
    const facts = new AlarmFacts(this.store.repos);
    await facts.loadSites();
    const figures = this.ops.figures;
    const alarms = this.alarms.service;
    const engine = this.alarms.engine;
    const ownership = this.cluster.ownership;
    const wiring = createEscalation({
      sms: s.sms,
      callbackBase: s.publicUrl,
      db: this.store.raw(),
      log: elog,
      figures,
      deps: {
        onStepLate: (ms) => figures.stepLate(ms),
        owns: ownership.clustered ? (siteId) => ownership.isMine(siteId) : undefined,
        ackAlarm: async (id, actor, comment) => {
          await alarms.act(id, 'ack', actor, { comment });
        },
        site: facts.site,
        isFlood: (siteId) => engine.flood(siteId).active,
        sensor: facts.sensor,
        // Issue 23: "escalation brought forward: confirmed on camera" on the alarm's own journal.
        journal: (alarmId, action, comment) => {
          alarms.annotate(alarmId, {}, action, 'escalation', comment, this.ctx.now());
        },
      },
      // SMS acknowledgements are made as the roster contact's user, if they may ack, and audited (F16).
      users: this.authModule.auth.users,
      audit: this.accounts.audit,
    });
    await wiring.service.start();
    this.wiring = wiring;
    bus.on(this.name, 'site.owned', ({ siteId }) => {
      wiring.service
        .recoverSite(siteId)
        .catch((err: Error) => elog.error({ siteId, err: err.message }, 'escalation: site not recovered'));
    });
    bus.on(this.name, 'sensor.changed', ({ row }) => facts.forgetSensor(row.sensorId));
    bus.on(this.name, 'alarm.changed', ({ alarm }) => {
      const id = alarm.id;
      const next = (this.chains.get(id) ?? Promise.resolve())
        .then(() => facts.prepare(alarm))
        .then(() => wiring.service.onAlarm(alarm))
        .catch((err: Error) => elog.error({ alarmId: id, err: err.message }, 'escalation: alarm not handled'));
      this.chains.set(id, next);
      void next.finally(() => {
        if (this.chains.get(id) === next) this.chains.delete(id);
      });
    });
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await Promise.allSettled([...this.chains.values()]);
    await this.wiring?.service.stop();
  }
}
