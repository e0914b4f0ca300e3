/**
 * The center process, read as its architecture: one ordered list creating every module (go2rtc
 * main.go, Zigbee2MQTT lib/controller.ts; HOUSE_STYLE "One ordered, commented list"). Each module
 * receives its context (settings, logger, metrics, the event bus) and the modules before it,
 * assigns them in its constructor, creates its parts and registers its bus listeners in start(),
 * and undoes that in stop(). They start in this order and stop in reverse; between modules there
 * are only constructor arguments and bus events (bus.ts), never closures or forward references.
 */
import type { Server } from 'node:http';
import { AlarmsModule } from './alarms/module.js';
import { AccountsModule, AuthModule } from './auth/module.js';
import { BrokerModule } from './broker/module.js';
import { EventBus } from './bus.js';
import { ClusterClaimsModule, ClusterModule } from './cluster/module.js';
import { EscalationModule } from './escalation/module.js';
import { FireModule } from './fire/module.js';
import { ApiModule } from './http/module.js';
import { HttpPort } from './http/port.js';
import { IncidentModule } from './incident/module.js';
import { IngestModule, UplinkModule } from './ingest/module.js';
import { LiveModule } from './live/module.js';
import { createLogger, type Logger } from './logger.js';
import { CenterMetrics } from './metrics.js';
import type { CenterContext, CenterModule, CenterTuning } from './module.js';
import { OpsMetricsModule } from './ops-module.js';
import type { Settings } from './settings.js';
import { SimulatorAccessModule } from './sim/module.js';
import { StoreModule } from './store/module.js';
import { VideoModule } from './video/module.js';

export interface CenterStarted {
  url: string;
  httpPort: number;
  mqttUrl: string;
  /** The generated admin password while nobody has logged in with it (main.ts prints it). */
  adminPassword?: string;
  /** The embedded broker's default port was taken; `mqttUrl` names the free one it took instead. */
  mqttTakenPort?: number;
}

export interface CenterOptions {
  log?: Logger;
  /** Wall clock for every module (tests inject one). */
  now?: () => number;
  /** Limits tests move (module.ts CenterTuning). */
  tuning?: CenterTuning;
}

export class Center {
  readonly log: Logger;
  readonly metrics = new CenterMetrics();
  readonly bus: EventBus;
  private readonly running: CenterModule[] = [];

  // The module table, in start order.
  readonly store: StoreModule; //           SQLite/PostgreSQL (migrated) and the time series (InfluxDB or embedded)
  readonly cluster: ClusterModule; //       issue 19: this instance in the registry; a lone one refuses company
  readonly http: HttpPort; //               claim the HTTP(S) port first; 503 until `api` is ready (issue 17)
  readonly accounts: AccountsModule; //     audit log and edge agents' broker credentials
  readonly broker: BrokerModule; //         embedded MQTT broker, or external Mosquitto (+ dynsec)
  readonly auth: AuthModule; //             seed sites, token key, users, the first admin
  readonly alarms: AlarmsModule; //         detection (rules, ML, ISA-18.2) and the alarm service
  readonly ingest: IngestModule; //         the MQTT decode point, time-series writes, commands down
  readonly video: VideoModule; //           /video gateway, clips and PTZ on hazard alarms, view audit
  readonly fire: FireModule; //             video fire watch and flame/smoke corroboration (issue 23)
  readonly incident: IncidentModule; //     evidence signing key, masked-copy work dir, face masker (issue 21)
  readonly ops: OpsMetricsModule; //        /metrics figures of cameras, backlog, ML, SMS
  readonly escalation: EscalationModule; // SMS escalation to the on-duty roster (issue 8)
  readonly live: LiveModule; //             Socket.IO /live push to consoles
  readonly simulator: SimulatorAccessModule; // GWANJE_SIMULATE: one-time provisioning for the simulator process
  readonly api: ApiModule; //               REST API, console and /healthz; the port starts answering
  readonly uplink: UplinkModule; //         connect to the broker last: every listener is in place
  readonly claims: ClusterClaimsModule; //  issue 19: take this instance's share of the sites (cluster only)

  constructor(settings: Settings, o: CenterOptions | Logger = {}) {
    const opts: CenterOptions = 'child' in o ? { log: o as Logger } : (o as CenterOptions);
    this.log = opts.log ?? createLogger(settings.logLevel);
    this.bus = new EventBus(this.log.child({ module: 'bus' }), this.metrics.busListenerErrors);
    const ctx: CenterContext = {
      settings,
      log: this.log,
      metrics: this.metrics,
      bus: this.bus,
      now: opts.now ?? Date.now,
      tuning: opts.tuning ?? {},
    };
    this.store = new StoreModule(ctx);
    this.cluster = new ClusterModule(ctx, this.store);
    this.http = new HttpPort(ctx);
    this.accounts = new AccountsModule(ctx, this.store);
    this.broker = new BrokerModule(ctx, this.store, this.accounts, this.http);
    this.auth = new AuthModule(ctx, this.store, this.accounts);
    this.alarms = new AlarmsModule(ctx, this.store, this.cluster);
    this.ingest = new IngestModule(ctx, this.store, this.accounts, this.broker, this.alarms, this.cluster);
    this.video = new VideoModule(ctx, this.store, this.accounts, this.auth, this.ingest, this.alarms, this.cluster);
    this.fire = new FireModule(ctx, this.store, this.video, this.alarms);
    this.incident = new IncidentModule(ctx, this.store, this.accounts, this.video);
    this.ops = new OpsMetricsModule(ctx, this.store, this.video, this.alarms);
    this.escalation = new EscalationModule(
      ctx,
      this.store,
      this.accounts,
      this.auth,
      this.alarms,
      this.ops,
      this.cluster,
    );
    this.live = new LiveModule(ctx, this.auth, this.alarms);
    this.simulator = new SimulatorAccessModule(ctx, this.store, this.accounts, this.broker, this.http);
    const { store, http, accounts, broker, auth, alarms, ingest, video, fire, incident, escalation, live } = this;
    this.api = new ApiModule(ctx, {
      cluster: this.cluster,
      store,
      http,
      accounts,
      auth,
      broker,
      alarms,
      ingest,
      video,
      fire,
      incident,
      escalation,
      live,
      simulator: this.simulator,
    });
    this.uplink = new UplinkModule(ingest);
    this.claims = new ClusterClaimsModule(this.cluster);
  }

  /** Every module in start order. */
  get modules(): CenterModule[] {
    return [
      this.store,
      this.cluster,
      this.http,
      this.accounts,
      this.broker,
      this.auth,
      this.alarms,
      this.ingest,
      this.video,
      this.fire,
      this.incident,
      this.ops,
      this.escalation,
      this.live,
      this.simulator,
      this.api,
      this.uplink,
      this.claims,
    ];
  }

  get server(): Server | undefined {
    return this.http.server;
  }

  async start(): Promise<CenterStarted> {
    for (const m of this.modules) {
      this.running.push(m);
      await m.start();
    }
    return {
      url: this.http.url,
      httpPort: this.http.port,
      mqttUrl: this.broker.agentUrl,
      adminPassword: this.auth.adminPassword,
      ...(this.broker.takenPort !== undefined ? { mqttTakenPort: this.broker.takenPort } : {}),
    };
  }

  /** Stops the started modules in reverse order; one failing stop does not skip the others. */
  async stop(): Promise<void> {
    for (const m of this.running.splice(0).reverse()) {
      try {
        await m.stop();
      } catch (err) {
        this.log.error({ module: m.name, err: (err as Error).message }, 'center: stop failed');
      }
    }
  }
}
