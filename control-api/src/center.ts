/**
 * The center process: one ordered list creating every module (HOUSE_STYLE "One ordered, commented
 * list in each service's entry file"). Each module receives its dependencies and has
 * start()/stop(); `stop()` runs them in reverse order.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { VideoGateway } from '@gwanje/gateway';
import type { Alarm } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import { AlarmService } from './alarms/service.js';
import { authPortsFromRepositories } from './auth/adapter.js';
import { AgentCredentials } from './auth/agent-credentials.js';
import { AuditLog } from './auth/audit.js';
import { ensureFirstAdmin, InitialPasswordFile } from './auth/first-admin.js';
import { AuthService } from './auth/service.js';
import { CenterMqttClient } from './broker/client.js';
import { CommandChannel } from './broker/commands.js';
import { EmbeddedBroker } from './broker/embedded.js';
import { EMBEDDED_SERVICE_CLIENT_ID } from './broker/types.js';
import { alarmStoreOf, ingestStoreOf } from './center-ports.js';
import { DetectionEngine } from './detection/engine.js';
import { createEscalation } from './escalation/wiring.js';
import { fireHttp } from './fire/http.js';
import { FireWatchStore, type FireWatchTables } from './fire/store.js';
import { FireWatch } from './fire/watch.js';
import { HealthCheck } from './health.js';
import { createHttpApp } from './http/app.js';
import { parseTrustProxy } from './http/client-address.js';
import { attachUpgrades, centerRequestListener } from './http/dispatch.js';
import { createCenterServer } from './http/server.js';
import { loadEvidenceKey } from './incident/evidence-key.js';
import { FfmpegFaceMasker } from './incident/face-mask.js';
import { DiscoveryRecorder, withDiscoveries } from './ingest/discovery.js';
import { DeviceOwnership } from './ingest/ownership.js';
import { IngestPipeline } from './ingest/pipeline.js';
import { listenOn } from './listen.js';
import { LiveHub } from './live/hub.js';
import { createLogger, type Logger } from './logger.js';
import { CenterMetrics } from './metrics.js';
import { registerOpsMetrics } from './metrics-ops.js';
import { createAnomalyDetector } from './ml/detector.js';
import { startDynsec, urlPassword, urlUser } from './mosquitto/center-dynsec.js';
import { CameraLinker } from './plans/linker.js';
import { PlanStore, type PlanTables } from './plans/store.js';
import { randomSecret, type Settings } from './settings.js';
import { ProvinceSimulator } from './sim/simulator.js';
import { securePrivateDir } from './store/data-dir.js';
import { openDatabase, pingDatabase } from './store/db.js';
import { ConfigPushRepo, type ConfigPushTables } from './store/repos/config-pushes.js';
import { DiscoveriesRepo } from './store/repos/discoveries.js';
import { Repositories, seedSites } from './store/repositories.js';
import { createTimeSeriesStore } from './store/timeseries.js';
import { WallLayoutStore, type WallLayoutTables } from './store/wall-layouts.js';
import { alarmClipListener } from './video/alarm-clips.js';
import { cameraHealthView } from './video/camera-conditions.js';
import { CameraSecrets } from './video/camera-secrets.js';
import { DirectCameras } from './video/direct-cameras.js';
import { resolveFfmpeg } from './video/ffmpeg-binary.js';
import { PrealarmLinks } from './video/prealarm.js';
import { ViewAudit } from './video/view-audit.js';
import { endAgentPushes, videoGatewayDeps } from './video/wiring.js';

export interface CenterStarted {
  url: string;
  httpPort: number;
  mqttUrl: string;
  /** The generated admin password while nobody has logged in with it (main.ts prints it). */
  adminPassword?: string;
  /** The embedded broker's default port was taken; `mqttUrl` names the free one it took instead. */
  mqttTakenPort?: number;
}

/** Before the center is ready (step 8) every request is a 503 in the usual shapes. */
function notReady(req: IncomingMessage, res: ServerResponse): void {
  const body = req.url?.startsWith('/healthz')
    ? { status: 'down', failing: ['starting'] }
    : { error: { code: 'starting', message: 'center: starting, try again in a moment' } };
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2' });
  res.end(JSON.stringify(body));
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

    // 1. Relational state (SQLite or PostgreSQL), migrated; 2. time series (InfluxDB 1.x or the
    // embedded store). Opening them creates nothing anyone depends on yet. The data directory
    // (database, keys, clips, time series) is the center user's only: 0700 (F17).
    securePrivateDir(s.dataDir, child('store'));
    const db = await openDatabase({ url: s.databaseUrl, dataDir: s.dataDir, log });
    this.onStop('database', () => db.close());
    const repos = new Repositories(db);
    const timeseries = createTimeSeriesStore({ influxUrl: s.influxUrl, dataDir: s.dataDir, log: child('timeseries') });
    await timeseries.start();
    this.onStop('timeseries', () => timeseries.stop());

    // 3. Claim every port before creating anything (issue 17: a taken port used to stop the start
    // after the admin had been created with a password nobody saw). HTTP answers 503 until step 8.
    const tlsFiles = s.tlsCert && s.tlsKey ? { certFile: s.tlsCert, keyFile: s.tlsKey } : undefined;
    let ready: RequestListener | undefined;
    const server = createCenterServer((req, res) => (ready ? ready(req, res) : notReady(req, res)), tlsFiles);
    this.server = server;
    const closeServer = async () => {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    };
    this.onStop('http-port', closeServer);
    const httpPort = await listenOn(server, s.httpPort, s.host, 'GWANJE_HTTP_PORT');
    const ports = authPortsFromRepositories(repos);
    const audit = new AuditLog(ports.audit, Date.now, child('audit'));
    const agentCreds = new AgentCredentials({
      agents: ports.agents,
      audit,
      log,
      onRefused: (reason) => this.metrics.agentLoginRefused.inc({ reason }),
    });
    // The embedded MQTT broker (unless GWANJE_MQTT_URL points at Mosquitto). Its default port may
    // be taken (Mosquitto on 1883): then it takes a free one and says so; an explicit one may not.
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
        anyPortIfTaken: !s.mqttPortExplicit,
        onRefused: (reason) => this.metrics.brokerRefused.inc({ reason }),
      });
      this.onStop('broker', () => broker?.stop());
      await broker.start();
    }

    // 4. Now create: seed sites, the token signing key, audit log, users, the admin on first start.
    if ((await repos.sites.list()).length === 0) await seedSites(repos, s.seedFile);
    // The JWT secret: GWANJE_JWT_SECRET, or a 0600 key file next to SQLite, or (PostgreSQL, shared by
    // every instance) the settings table (F17).
    const jwtKeyFile = db.dialect === 'sqlite' ? join(s.dataDir, 'keys', 'jwt-secret') : undefined;
    const auth = new AuthService({ ports, audit, log, jwtSecret: s.jwtSecret, jwtKeyFile });
    await auth.start();
    this.onStop('auth', () => auth.stop());
    const admin = await ensureFirstAdmin(auth, ports.users, new InitialPasswordFile(s.dataDir), s.adminPassword);
    // Issue 21: the Ed25519 key that signs evidence bundles, kept like the JWT secret.
    const evidenceKey = await loadEvidenceKey({
      configuredFile: s.evidenceKeyFile,
      keyFile: db.dialect === 'sqlite' ? join(s.dataDir, 'keys', 'evidence-ed25519.pem') : undefined,
      settings: ports.settings,
    });
    child('evidence').info({ keyId: evidenceKey.keyId }, 'evidence: signing key ready');

    // External Mosquitto: agents' broker clients mirror their credentials through dynsec.
    const liveAgents = async () => (await repos.agents.list('*', { includeRevoked: false })).map((a) => a.agentId);
    const dynsec = s.mqttAdminUrl ? await startDynsec(s, agentCreds, child('dynsec'), liveAgents) : undefined;
    if (dynsec) this.onStop('dynsec', () => dynsec.stop());
    const brokerUrl = s.mqttUrl ?? (broker as EmbeddedBroker).internalUrl;
    const agentBrokerUrl = s.mqttUrl ? s.mqttPublicUrl : (broker as EmbeddedBroker).url;

    // 5. Detection (pure) and the alarm service that applies its transitions.
    // ML is advisory (issue 4) and scores every reading inline, ~1 us each (issue 22, ml/README).
    const anomaly =
      s.mlSampleEvery > 0 ? createAnomalyDetector({ log: child('ml'), sampleEvery: s.mlSampleEvery }) : undefined;
    anomaly?.start();
    this.onStop('ml', () => anomaly?.stop());
    const engine = new DetectionEngine({
      newId: newAlarmId,
      systemActor: 'system',
      detectors: anomaly ? [anomaly] : [],
    });
    let gateway: VideoGateway | undefined;
    const live: LiveHub = new LiveHub({
      log: child('live'),
      metrics: this.metrics,
      verify: (token) => auth.verify(token),
      activeAlarms: (): Alarm[] => alarms.active(),
    });
    // Issue 21: site plans and positions; an alarm with no configured cameras gets those that see its sensor.
    const planStore = new PlanStore(db.kysely.withoutPlugins() as unknown as Kysely<PlanTables>);
    const cameraLinker = new CameraLinker({
      store: planStore,
      siteCameras: async (siteId) => (await repos.cameras.list([siteId])).map((c) => c.cameraId),
    });
    const alarms: AlarmService = new AlarmService({
      log: child('alarms'),
      metrics: this.metrics,
      store: alarmStoreOf(repos),
      engine,
      live,
      cameraLinks: cameraLinker,
    });
    await alarms.start();
    this.onStop('alarms', () => alarms.stop());
    // Logout, password change, deletion, role or sites: open sockets follow at once (F4, F5).
    auth.onSessionsChanged((ev) => {
      live.sessionsChanged(ev).catch((err: Error) => log.error({ err: err.message }, 'live: session check failed'));
      gateway
        ?.recheckViewers(ev.username)
        .catch((err: Error) => log.error({ err: err.message }, 'video: re-check failed'));
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
    // Sensors agents adopt from their own description (issue 17), listed for an admin to confirm.
    const discoveries = new DiscoveriesRepo(db.kysely);
    const discovery = new DiscoveryRecorder({
      repo: discoveries,
      sensors: repos.sensors,
      log: child('discovery'),
      reject: (reason) => this.metrics.rejected.inc({ reason }),
    });
    ingest = new IngestPipeline({
      log: child('ingest'),
      metrics: this.metrics,
      store: withDiscoveries(ingestStoreOf(repos), discovery, child('discovery')),
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
      if (gateway)
        void endAgentPushes(agentId, repos, gateway).catch((err: Error) =>
          log.error({ err: err.message }, 'video: pushes not ended'),
        );
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

    // 7. Video gateway: viewers by ticket (or token) and site scope for as long as their session
    // lives, every view audited (PIPA); pushes by the owning agent's credentials.
    // ffmpeg: GWANJE_FFMPEG, else on PATH, else the build shipped in npm (issue 17: a fresh machine).
    const ffmpeg = resolveFfmpeg(s.ffmpeg);
    if (ffmpeg.source === 'missing')
      child('video').warn('video: no ffmpeg found (PATH, GWANJE_FFMPEG, @ffmpeg-installer): snapshots and clips fail');
    else child('video').info({ ffmpeg: ffmpeg.path, source: ffmpeg.source }, 'video: ffmpeg');
    const trustProxy = parseTrustProxy(s.trustProxy);
    const views = new ViewAudit(audit);
    this.onStop('views', () => views.stop());
    // Direct cameras (issue 20): the center pulls them itself; credentials sealed with its camera key.
    const directCameras = new DirectCameras({
      repos,
      secrets: CameraSecrets.fromFile(s.cameraKeyFile),
      log: child('cameras'),
    });
    const videoDeps = {
      log,
      auth,
      agentCreds,
      repos,
      commands,
      live,
      alarms,
      views,
      trustProxy,
      direct: directCameras,
    };
    gateway = new VideoGateway(videoGatewayDeps({ ...videoDeps, videoBaseUrl: s.publicUrl }), {
      dataDir: s.dataDir,
      rtspClient: s.rtspClient,
      ffmpegPath: ffmpeg.path,
    });
    await gateway.start();
    const gw = gateway;
    this.onStop('gateway', () => gw.stop());
    alarms.onAlarm(alarmClipListener({ log: child('video'), gateway: gw, repos, commands }));
    // Issue 20: cameras linked to gas/flame/smoke sensors keep streaming into the clip ring (pre-roll).
    const prealarm = new PrealarmLinks({
      log: child('video'),
      sensors: repos.sensors,
      gateway: gw,
      max: s.prealarmMax,
    });
    await prealarm.start();
    this.onStop('prealarm', () => prealarm.stop());

    // Operations metrics (issue 17): video per camera, time-series backlog, ML queue, SMS, lateness.
    const figures = registerOpsMetrics(this.metrics.registry, {
      cameras: () => gw.health(),
      timeseries,
      ml: () => anomaly && { dropped: anomaly.stats.dropped, backlog: anomaly.backlog },
    });
    // 7a. Video fire detection (issue 23): fire-watch cameras raise fire-suspected; flame and smoke
    // detector alarms are corroborated on their cameras, never suppressed.
    const fireStore = new FireWatchStore(db.kysely.withoutPlugins() as unknown as Kysely<FireWatchTables>);
    const fire = s.fireDetector
      ? new FireWatch({
          log: child('fire'),
          gateway: gw,
          store: fireStore,
          camera: (id) => repos.cameras.get(id),
          alarms,
        })
      : undefined;
    await fire?.start();
    if (fire) {
      this.onStop('fire', () => fire.stop());
      alarms.onAlarm(fire.onAlarm);
    }

    // 7b. Escalation (issue 8): unacknowledged gas/flame alarms text the on-duty roster.
    const siteNames = new Map((await repos.sites.list()).map((x) => [x.siteId, { name: x.name, nameKo: x.nameKo }]));
    const sensorFacts = new Map<string, { gas?: string; unit?: string }>();
    const escalation = createEscalation({
      sms: s.sms,
      callbackBase: s.publicUrl,
      db: db.kysely.withoutPlugins() as unknown as Kysely<unknown>,
      log: child('escalation'),
      figures,
      deps: {
        onStepLate: (ms) => figures.stepLate(ms),
        ackAlarm: async (id, actor, comment) => {
          await alarms.act(id, 'ack', actor, { comment });
        },
        site: (siteId) => siteNames.get(siteId),
        isFlood: (siteId) => engine.flood(siteId).active,
        sensor: (sensorId) => sensorFacts.get(sensorId),
        // Issue 23: "escalation brought forward: confirmed on camera" on the alarm's own journal.
        journal: (alarmId, action, comment) => {
          alarms.annotate(alarmId, {}, action, 'escalation', comment, Date.now());
        },
      },
      // SMS acknowledgements are made as the roster contact's user, if they may ack, and audited (F16).
      users: auth.users,
      audit,
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

    // Health that can say no (issue 17): a query, a ping and the MQTT connection on every probe.
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

    // 7c. Evidence bundles (issue 21): masked copies of clips are made in the private data dir.
    const evidenceDir = join(s.dataDir, 'evidence-work');
    // Copies a crash left behind are CCTV nobody asked to keep.
    rmSync(evidenceDir, { recursive: true, force: true });
    securePrivateDir(evidenceDir, child('evidence'));
    const faceMasker =
      s.faceMask && ffmpeg.source !== 'missing'
        ? new FfmpegFaceMasker({ ffmpeg: ffmpeg.path, log: child('faces') })
        : undefined;
    if (faceMasker) this.onStop('faces', () => faceMasker.stop());

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
      discoveries,
      agentConfig: repos.agents,
      configPushes: new ConfigPushRepo(db.kysely.withoutPlugins() as unknown as Kysely<ConfigPushTables>),
      // Rule / camera edits reach the running detection at once (issue 4 "configurable per sensor").
      sensorAdmin: {
        save: async (row) => {
          await repos.sensors.upsert(row);
          void prealarm.refresh();
        },
        reload: (row) => ingest?.reloadSensor(row),
        // Issue 15: a sensor out of service for maintenance / a bump test, and back; journaled.
        setOutOfService: async (row, oos, actor, comment) => {
          await repos.sensors.setOutOfService(row.sensorId, oos && JSON.stringify(oos));
          await alarms.sourceService(row.sensorId, {
            outOfService: oos !== null,
            actor,
            reason: oos?.reason ?? comment,
          });
        },
      },
      configPublicKeyPem: s.configPublicKeyFile ? readFileSync(s.configPublicKeyFile, 'utf8') : undefined,
      fire: fireHttp(fireStore, fire),
      plans: {
        store: planStore,
        linker: cameraLinker,
        note: (alarmId, action, actor, comment, facts) => alarms.note(alarmId, action, actor, comment, facts),
      },
      allowUnsignedConfig: s.configAllowUnsigned,
      // Security review F1, F8, F21: admin re-home / delete of devices; agents' events apart from the audit.
      devices: new DeviceOwnership({ repos, registry: () => ingest?.sensors }),
      agentEvents: repos.agentEvents,
      directCameras,
      cameraSources: repos.cameraSources,
      restartUpstream: (id) => gw.restartUpstream(id),
      wallLayouts: new WallLayoutStore(db.kysely.withoutPlugins() as unknown as Kysely<WallLayoutTables>),
      cameraHealth: () => new Map(gw.health().map((h) => [h.cameraId, cameraHealthView(h)])),
      clips: {
        list: async (id) => (await gw.clips(id)).map((c) => ({ ...c })),
        file: (a, c) => gw.clipFile(a, c),
      },
      views,
      evidence: { key: evidenceKey, workDir: evidenceDir, masker: faceMasker },
      capSender:
        s.capSender ??
        `gwanje@${hostname()
          .slice(0, 64)
          .replace(/[^A-Za-z0-9.-]/g, '-')}`,
      trustProxy,
      metricsText: () => this.metrics.text(),
      health: () => health.report(),
      mqttPublicUrl: agentBrokerUrl,
      consoleDir: s.consoleDir,
      tls: tlsFiles !== undefined,
      log,
    });
    // One dispatcher for requests and upgrades: Socket.IO, /video, the app; other upgrades refused (F10).
    const routes = { socketIo: live, video: gw, app };
    attachUpgrades(server, routes);
    live.start();
    this.onStop('http', async () => {
      await live.stop();
      await closeServer();
    });
    ready = centerRequestListener(routes);
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
        ffmpeg: { path: ffmpeg.path },
      });
      await sim.start();
      this.onStop('simulator', () => sim.stop());
    }
    return {
      url,
      httpPort,
      mqttUrl: agentBrokerUrl,
      adminPassword: admin.password,
      ...(broker?.takenPort !== undefined ? { mqttTakenPort: broker.takenPort } : {}),
    };
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
