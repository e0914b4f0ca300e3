/**
 * The center process: one ordered list creating every module (HOUSE_STYLE "One ordered, commented
 * list in each service's entry file"). Each module receives its dependencies and has
 * start()/stop(); `stop()` runs them in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { VideoGateway } from '@gwanje/gateway';
import type { Alarm } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import { AlarmService } from './alarms/service.js';
import { authPortsFromRepositories } from './auth/adapter.js';
import { AgentCredentials } from './auth/agent-credentials.js';
import { AuditLog } from './auth/audit.js';
import { AuthService } from './auth/service.js';
import { CenterMqttClient } from './broker/client.js';
import { CommandChannel } from './broker/commands.js';
import { EmbeddedBroker } from './broker/embedded.js';
import { EMBEDDED_SERVICE_CLIENT_ID } from './broker/types.js';
import { alarmStoreOf, ingestStoreOf } from './center-ports.js';
import { DetectionEngine } from './detection/engine.js';
import { createEscalation } from './escalation/wiring.js';
import { createHttpApp } from './http/app.js';
import { createCenterServer } from './http/server.js';
import { DeviceOwnership } from './ingest/ownership.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { listenOn } from './listen.js';
import { LiveHub } from './live/hub.js';
import { createLogger, type Logger } from './logger.js';
import { CenterMetrics } from './metrics.js';
import { createAnomalyDetector } from './ml/detector.js';
import { startDynsec, urlPassword, urlUser } from './mosquitto/center-dynsec.js';
import { randomSecret, type Settings } from './settings.js';
import { ProvinceSimulator } from './sim/simulator.js';
import { openDatabase } from './store/db.js';
import { Repositories, seedSites } from './store/repositories.js';
import { createTimeSeriesStore } from './store/timeseries.js';
import { alarmClipListener } from './video/alarm-clips.js';
import { videoGatewayDeps } from './video/wiring.js';

export interface CenterStarted {
  url: string;
  httpPort: number;
  mqttUrl: string;
  /** Set only when the admin password was generated (printed once by main.ts). */
  adminPassword?: string;
}

/** Alarm ids: time-ordered and unique across restarts (like a ULID: time prefix, random suffix). */
const newAlarmId = (): string => `${Date.now().toString(36).padStart(9, '0')}-${randomBytes(5).toString('hex')}`;

export class Center {
  readonly log: Logger;
  readonly metrics = new CenterMetrics();
  private readonly stops: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  server?: Server;

  constructor(
    private readonly settings: Settings,
    log?: Logger,
  ) {
    this.log = log ?? createLogger(settings.logLevel);
  }

  private onStop(name: string, stop: () => Promise<void> | void): void {
    this.stops.push({ name, stop });
  }

  async start(): Promise<CenterStarted> {
    const s = this.settings;
    const log = this.log;
    const child = (module: string) => log.child({ module });

    // 1. Relational state (SQLite or PostgreSQL), migrated, with the seed sites.
    const db = await openDatabase({ url: s.databaseUrl, dataDir: s.dataDir, log });
    this.onStop('database', () => db.close());
    const repos = new Repositories(db);
    if ((await repos.sites.list()).length === 0) await seedSites(repos, s.seedFile);

    // 2. Time series (InfluxDB 1.x or the embedded store).
    const timeseries = createTimeSeriesStore({ influxUrl: s.influxUrl, dataDir: s.dataDir, log: child('timeseries') });
    await timeseries.start();
    this.onStop('timeseries', () => timeseries.stop());

    // 3. Security: audit log, users and tokens, agent credentials; the admin user on first start.
    const ports = authPortsFromRepositories(repos);
    const audit = new AuditLog(ports.audit, Date.now, child('audit'));
    const auth = new AuthService({ ports, audit, log, jwtSecret: s.jwtSecret });
    await auth.start();
    this.onStop('auth', () => auth.stop());
    const admin = await auth.ensureAdmin(s.adminPassword);
    const agentCreds = new AgentCredentials({
      agents: ports.agents,
      audit,
      log,
      onRefused: (reason) => this.metrics.agentLoginRefused.inc({ reason }),
    });

    const tlsFiles = s.tlsCert && s.tlsKey ? { certFile: s.tlsCert, keyFile: s.tlsKey } : undefined;

    // 4. MQTT broker: embedded aedes unless GWANJE_MQTT_URL points at Mosquitto.
    const service = { username: `gwanje-center-${randomBytes(4).toString('hex')}`, password: randomSecret() };
    let broker: EmbeddedBroker | undefined;
    if (!s.mqttUrl) {
      broker = new EmbeddedBroker({
        port: s.mqttPort,
        host: s.host,
        service,
        auth: agentCreds,
        log: child('broker'),
        tls: tlsFiles && { cert: readFileSync(tlsFiles.certFile), key: readFileSync(tlsFiles.keyFile) },
        onRefused: (reason) => this.metrics.brokerRefused.inc({ reason }),
      });
      await broker.start();
      this.onStop('broker', () => broker?.stop());
    }
    // External Mosquitto: agents' broker clients mirror their credentials through dynsec.
    const liveAgents = async () => (await repos.agents.list('*', { includeRevoked: false })).map((a) => a.agentId);
    const dynsec = s.mqttAdminUrl ? await startDynsec(s, agentCreds, child('dynsec'), liveAgents) : undefined;
    if (dynsec) this.onStop('dynsec', () => dynsec.stop());
    const brokerUrl = s.mqttUrl ?? (broker as EmbeddedBroker).internalUrl;
    const agentBrokerUrl = s.mqttUrl ? s.mqttPublicUrl : (broker as EmbeddedBroker).url;

    // 5. Detection (pure) and the alarm service that applies its transitions.
    // ML is advisory (issue 4) and scores in its own low-priority worker thread, off the alarm
    // path; every 10th reading of a sensor by default (ml/README "Throughput").
    const anomaly =
      s.mlSampleEvery > 0 ? createAnomalyDetector({ log: child('ml'), sampleEvery: s.mlSampleEvery }) : undefined;
    await anomaly?.start();
    this.onStop('ml', () => anomaly?.stop());
    const engine = new DetectionEngine({
      newId: newAlarmId,
      systemActor: 'system',
      detectors: anomaly ? [anomaly] : [],
    });
    const live: LiveHub = new LiveHub({
      log: child('live'),
      metrics: this.metrics,
      verify: (token) => auth.verify(token),
      activeAlarms: (): Alarm[] => alarms.active(),
    });
    const alarms: AlarmService = new AlarmService({
      log: child('alarms'),
      metrics: this.metrics,
      store: alarmStoreOf(repos),
      engine,
      live,
    });
    await alarms.start();
    this.onStop('alarms', () => alarms.stop());
    auth.onSessionsChanged((ev) => {
      live.sessionsChanged(ev).catch((err: Error) => log.error({ err: err.message }, 'live: session check failed'));
    });

    // 6. Ingest (the one decode point) and the center's MQTT client feeding it; commands go back down.
    let ingest: IngestPipeline | undefined;
    const mqtt = new CenterMqttClient({
      url: brokerUrl,
      username: s.mqttUrl ? urlUser(s.mqttUrl) : service.username,
      password: s.mqttUrl ? (s.mqttCenterPassword ?? urlPassword(s.mqttUrl)) : service.password,
      protocolVersion: s.mqttUrl ? 5 : 4,
      // Stable per host and port, so a reconnect or restart resumes the broker-side session. The
      // underscores keep it outside the agentId pattern: no agent can be issued this id (F2).
      clientId: s.mqttUrl ? `gwanje_api_${hostname().slice(0, 40)}_${s.httpPort}` : EMBEDDED_SERVICE_CLIENT_ID,
      log: child('mqtt'),
      onMessage: (topic, payload) => ingest?.handle(topic, payload),
    });
    const commands = new CommandChannel(mqtt, child('commands'));
    ingest = new IngestPipeline({
      log: child('ingest'),
      metrics: this.metrics,
      store: ingestStoreOf(repos),
      timeseries,
      alarms,
      live,
      commands,
      limits: s.agentLimits,
    });
    await ingest.start();
    this.onStop('ingest', () => ingest?.stop());
    agentCreds.onRevoke((agentId) => {
      broker?.disconnectAgent(agentId);
      ingest?.invalidateAgent(agentId);
    });
    // Security review F7: new credentials mean a fresh (or re-imaged) agent with a new sequence.
    agentCreds.onProvision(async (agentId) => {
      await ingest?.resetAgent(agentId);
    });
    await mqtt.start();
    this.onStop('mqtt', async () => {
      commands.stop();
      await mqtt.stop();
    });

    // 7. Video gateway: viewers by token and site scope, pushes by the owning agent's credentials.
    const gateway = new VideoGateway(
      videoGatewayDeps({ log, auth, agentCreds, repos, commands, live, alarms, videoBaseUrl: s.publicUrl }),
      { dataDir: s.dataDir, rtspClient: s.rtspClient },
    );
    await gateway.start();
    this.onStop('gateway', () => gateway.stop());
    alarms.onAlarm(alarmClipListener({ log: child('video'), gateway, repos, commands }));

    // 7b. Escalation (issue 8): unacknowledged gas/flame alarms text the on-duty roster.
    const siteNames = new Map((await repos.sites.list()).map((x) => [x.siteId, { name: x.name, nameKo: x.nameKo }]));
    const sensorFacts = new Map<string, { gas?: string; unit?: string }>();
    const escalation = createEscalation({
      sms: s.sms,
      callbackBase: s.publicUrl,
      db: db.kysely.withoutPlugins() as unknown as Kysely<unknown>,
      log: child('escalation'),
      deps: {
        ackAlarm: async (id, actor, comment) => {
          await alarms.act(id, 'ack', actor, { comment });
        },
        site: (siteId) => siteNames.get(siteId),
        isFlood: (siteId) => engine.flood(siteId).active,
        sensor: (sensorId) => sensorFacts.get(sensorId),
      },
    });
    await escalation.service.start();
    this.onStop('escalation', () => escalation.service.stop());
    alarms.onAlarm((alarm) => {
      const facts =
        alarm.sourceKind === 'sensor' && !sensorFacts.has(alarm.sourceId)
          ? repos.sensors.get(alarm.sourceId).then((row) => {
              if (row) sensorFacts.set(row.sensorId, { gas: row.gas ?? undefined, unit: row.unit });
            })
          : Promise.resolve();
      facts
        .then(() => escalation.service.onAlarm(alarm))
        .catch((err: Error) =>
          child('escalation').error({ alarmId: alarm.id, err: err.message }, 'escalation: alarm not handled'),
        );
    });

    // 8. HTTP: REST + console (express), /video (gateway) and Socket.IO /live on one server.
    const app = createHttpApp({
      auth,
      agentCreds,
      audit,
      sites: repos.sites,
      sensors: repos.sensors,
      cameras: repos.cameras,
      agents: repos.agents,
      timeseries,
      alarms,
      commands,
      escalation,
      agentConfig: repos.agents,
      // Rule / camera edits reach the running detection at once (issue 4 "configurable per sensor").
      sensorAdmin: { save: (row) => repos.sensors.upsert(row), reload: (row) => void ingest?.sensors.reload(row) },
      configPublicKeyPem: s.configPublicKeyFile ? readFileSync(s.configPublicKeyFile, 'utf8') : undefined,
      allowUnsignedConfig: s.configAllowUnsigned,
      // Security review F1, F8, F21: admin re-home / delete of devices; agents' events apart from the audit.
      devices: new DeviceOwnership({ repos, registry: () => ingest?.sensors }),
      agentEvents: repos.agentEvents,
      clips: {
        list: async (id) => (await gateway.clips(id)).map((c) => ({ ...c })),
        file: (a, c) => gateway.clipFile(a, c),
      },
      metricsText: () => this.metrics.text(),
      health: () => ({
        status: timeseries.healthy() && mqtt.connected ? 'ok' : 'degraded',
        mqtt: mqtt.connected ? 'up' : 'down',
        timeseries: timeseries.healthy() ? 'up' : 'down',
        timeseriesPending: timeseries.pending(),
        database: db.dialect,
      }),
      mqttPublicUrl: agentBrokerUrl,
      consoleDir: s.consoleDir,
      log,
    });
    const server = createCenterServer((req, res) => {
      if (!gateway.handleHttp(req, res)) app(req, res);
    }, tlsFiles);
    this.server = server;
    live.attach(server);
    gateway.attach(server);
    live.start();
    const httpPort = await listenOn(server, s.httpPort, s.host, 'GWANJE_HTTP_PORT');
    this.onStop('http', async () => {
      await live.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const url =
      s.httpPort === 0 || s.publicUrl === `${tlsFiles ? 'https' : 'http'}://localhost:${s.httpPort}`
        ? `${tlsFiles ? 'https' : 'http'}://localhost:${httpPort}`
        : s.publicUrl;

    // 9. The simulated province: real edge agents over TCP to the broker.
    if (s.simulate > 0) {
      const sim = new ProvinceSimulator({
        log: child('sim'),
        credentials: agentCreds,
        siteIds: async () => (await repos.sites.list()).map((x) => x.siteId),
        sites: s.simulate,
        brokerUrl: agentBrokerUrl,
        videoUrl: url,
        dataDir: s.dataDir,
        incidentEverySec: s.simulateIncidentEverySec,
      });
      await sim.start();
      this.onStop('simulator', () => sim.stop());
    }
    return { url, httpPort, mqttUrl: agentBrokerUrl, adminPassword: admin.password };
  }

  /** Stops every module in reverse creation order; one failing stop does not skip the others. */
  async stop(): Promise<void> {
    for (const { name, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        this.log.error({ module: name, err: (err as Error).message }, 'center: stop failed');
      }
    }
  }
}
