/**
 * Module `api`: the express app (REST + console, http/app.ts) over the other modules, /healthz
 * probes that can say no (issue 17: a query, a ping and the MQTT connection on every probe), and
 * then the port claimed by `http-port` starts answering: Socket.IO, /video and the app.
 */
import { readFileSync } from 'node:fs';
import type { AlarmsModule } from '../alarms/module.js';
import type { AccountsModule, AuthModule } from '../auth/module.js';
import type { BrokerModule } from '../broker/module.js';
import type { ClusterModule } from '../cluster/module.js';
import type { EscalationModule } from '../escalation/module.js';
import type { FireModule } from '../fire/module.js';
import { HealthCheck } from '../health.js';
import type { IncidentModule } from '../incident/module.js';
import type { IngestModule } from '../ingest/module.js';
import { DeviceOwnership } from '../ingest/ownership.js';
import type { LiveModule } from '../live/module.js';
import type { CenterContext, CenterModule } from '../module.js';
import type { SimulatorAccessModule } from '../sim/module.js';
import { pingDatabase } from '../store/db.js';
import type { StoreModule } from '../store/module.js';
import { ConfigPushRepo, type ConfigPushTables } from '../store/repos/config-pushes.js';
import { WallLayoutStore, type WallLayoutTables } from '../store/wall-layouts.js';
import { cameraHealthView } from '../video/camera-conditions.js';
import type { VideoModule } from '../video/module.js';
import { createHttpApp } from './app.js';
import type { HttpDeps } from './deps.js';
import type { HttpPort } from './port.js';

export interface ApiModules {
  http: HttpPort;
  store: StoreModule;
  accounts: AccountsModule;
  auth: AuthModule;
  broker: BrokerModule;
  alarms: AlarmsModule;
  ingest: IngestModule;
  video: VideoModule;
  fire: FireModule;
  incident: IncidentModule;
  escalation: EscalationModule;
  live: LiveModule;
  cluster: ClusterModule;
  simulator: SimulatorAccessModule;
}

export class ApiModule implements CenterModule {
  readonly name = 'api';

  constructor(
    private readonly ctx: CenterContext,
    private readonly m: ApiModules,
  ) {}

  /** What the routes are given (http/deps.ts): every other module's public face. */
  deps(): HttpDeps {
    const { settings: s, log, metrics, bus } = this.ctx;
    const { store, accounts, alarms, ingest, video } = this.m;
    const { db, repos, timeseries } = store;
    const mqtt = ingest.mqtt;
    const alarmService = alarms.service;
    const gateway = video.gateway;
    const health = new HealthCheck({
      probes: [
        { name: 'database', check: () => pingDatabase(db) },
        { name: 'timeseries', check: () => timeseries.probe(1500) },
        {
          name: 'broker',
          check: async () => {
            if (!mqtt.connected) throw new Error('broker: the center is not connected to the MQTT broker');
          },
        },
      ],
      details: () => ({
        database: db.dialect,
        mqtt: mqtt.connected ? 'up' : 'down',
        timeseries: timeseries.healthy() ? 'up' : 'down',
        timeseriesPending: timeseries.pending(),
      }),
    });
    return {
      auth: this.m.auth.auth,
      agentCreds: accounts.agentCreds,
      audit: accounts.audit,
      sites: repos.sites,
      sensors: repos.sensors,
      cameras: repos.cameras,
      agents: repos.agents,
      timeseries,
      alarms: alarmService,
      commands: ingest.commands,
      escalation: this.m.escalation.escalation,
      discoveries: store.discoveries,
      agentConfig: repos.agents,
      configPushes: new ConfigPushRepo(store.raw<ConfigPushTables>(), store.db.json),
      // Rule / camera edits reach the running detection at once (issue 4 "configurable per sensor").
      sensorAdmin: {
        save: (row) => repos.sensors.upsert(row),
        reload: (row) => bus.emit('sensor.changed', { row }),
        // Issue 15: a sensor out of service for maintenance / a bump test, and back; journaled.
        setOutOfService: async (row, oos, actor, comment) => {
          await repos.sensors.setOutOfService(row.sensorId, oos);
          await alarmService.sourceService(row.sensorId, {
            outOfService: oos !== null,
            actor,
            reason: oos?.reason ?? comment,
          });
        },
      },
      configPublicKeyPem: s.configPublicKeyFile ? readFileSync(s.configPublicKeyFile, 'utf8') : undefined,
      fire: this.m.fire.admin,
      plans: {
        store: alarms.plans,
        linker: alarms.linker,
        note: (alarmId, action, actor, comment, facts) => alarmService.note(alarmId, action, actor, comment, facts),
      },
      allowUnsignedConfig: s.configAllowUnsigned,
      // Security review F1, F8, F21: admin re-home / delete of devices; agents' events apart from the audit.
      devices: new DeviceOwnership({ repos, registry: () => ingest.pipeline.sensors }),
      agentEvents: repos.agentEvents,
      directCameras: video.direct,
      directPtz: video.onvif,
      cameraSources: repos.cameraSources,
      restartUpstream: (id) => gateway.restartUpstream(id),
      wallLayouts: new WallLayoutStore(store.raw<WallLayoutTables>(), store.db.json),
      cameraHealth: () => new Map(gateway.health().map((h) => [h.cameraId, cameraHealthView(h)])),
      clips: {
        list: async (id) => (await gateway.clips(id)).map((c) => ({ ...c })),
        file: (a, c) => gateway.clipFile(a, c),
      },
      views: video.views,
      evidence: this.m.incident.evidence,
      capSender: this.m.incident.capSender,
      trustProxy: video.trustProxy,
      cluster: this.m.cluster.ownership,
      metricsText: () => metrics.text(),
      health: () => health.report(),
      mqttPublicUrl: this.m.broker.agentUrl,
      consoleDir: s.consoleDir,
      tls: this.m.http.tls !== undefined,
      centerUrls: s.centerUrls,
      log,
      loginRateLimit: this.ctx.tuning.loginRateLimit,
      bodyLimitBytes: this.ctx.tuning.bodyLimitBytes,
    };
  }

  /** What the mounted routes were given (the HTTP test harness reads the same object). */
  routeDeps?: HttpDeps;
  /** The mounted app (the authorization matrix walks its routes). */
  app?: ReturnType<typeof createHttpApp>;

  start(): void {
    this.routeDeps = this.deps();
    // Routes modules register themselves (issue 18), mounted through the same guard as the rest.
    const { simulator, fire, escalation } = this.m;
    const app = createHttpApp(this.routeDeps, [...escalation.routes(), ...fire.routes(), ...simulator.routes()]);
    this.app = app;
    this.m.http.serve({ socketIo: this.m.live.hub, video: this.m.video.gateway, app });
  }

  stop(): void {}
}
