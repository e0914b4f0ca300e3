/**
 * Modules `ingest` and `uplink`.
 *
 * `ingest`: the one decode point for MQTT uplink (pipeline.ts) feeding the time-series store and
 * detection; what it accepts goes out as `reading.accepted`, `agent.state` and `camera.state`.
 * Commands go back down the same MQTT client. Sensors agents adopt from their own description
 * (issue 17) are listed for an admin to confirm. Listens: `agent.revoked` (forget the agent),
 * `sensor.changed` (an admin's rule edit reaches running detection at once, issue 4).
 *
 * `uplink`: connects the center's MQTT client, last of all, so every module that listens on the
 * bus is in place before the first agent message arrives.
 */
import { hostname } from 'node:os';
import { CENTER_UPLINK_FILTERS } from '@gwanje/protocol';
import type { AlarmsModule } from '../alarms/module.js';
import type { AccountsModule } from '../auth/module.js';
import { CenterMqttClient } from '../broker/client.js';
import { CommandChannel } from '../broker/commands.js';
import type { BrokerModule } from '../broker/module.js';
import { EMBEDDED_SERVICE_CLIENT_ID } from '../broker/types.js';
import type { EventSink } from '../bus.js';
import { ingestStoreOf } from '../center-ports.js';
import type { ClusterModule } from '../cluster/module.js';
import type { CenterContext, CenterModule } from '../module.js';
import { started } from '../module.js';
import { urlPassword, urlUser } from '../mosquitto/center-dynsec.js';
import type { StoreModule } from '../store/module.js';
import { DiscoveryRecorder, withDiscoveries } from './discovery.js';
import { writtenSoFar } from './durable.js';
import { IngestPipeline, type LivePush } from './pipeline.js';
import { SiteTakeover } from './site-work.js';

/** Ingest's live push as bus events: the live hub (and anyone else) listens there. */
export const busPush = (bus: EventSink): LivePush => ({
  reading: (r) => bus.emit('reading.accepted', r),
  agent: (a) => bus.emit('agent.state', a),
  camera: (c) => bus.emit('camera.state', c),
});

export class IngestModule implements CenterModule {
  readonly name = 'ingest';
  private made?: { mqtt: CenterMqttClient; commands: CommandChannel; pipeline: IngestPipeline };

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly broker: BrokerModule,
    private readonly alarms: AlarmsModule,
    private readonly cluster: ClusterModule,
  ) {}

  get mqtt(): CenterMqttClient {
    return started(this.name, 'mqtt', this.made?.mqtt);
  }
  get commands(): CommandChannel {
    return started(this.name, 'commands', this.made?.commands);
  }
  get pipeline(): IngestPipeline {
    return started(this.name, 'pipeline', this.made?.pipeline);
  }

  async start(): Promise<void> {
    const { settings: s, log, metrics, bus, now } = this.ctx;
    const child = (module: string) => log.child({ module });
    const { repos, timeseries, discoveries } = this.store;
    const discovery = new DiscoveryRecorder({
      repo: discoveries,
      sensors: repos.sensors,
      log: child('discovery'),
      reject: (reason) => metrics.rejected.inc({ reason }),
    });
    // The client is created before the pipeline it feeds, but it connects in `uplink`, after the
    // pipeline started: no message can arrive before there is something to take it.
    let pipeline: IngestPipeline | undefined;
    const username = s.mqttUrl ? urlUser(s.mqttUrl) : this.broker.service.username;
    const password = s.mqttUrl ? (s.mqttCenterPassword ?? urlPassword(s.mqttUrl)) : this.broker.service.password;
    // Issue 19: a cluster member reads each site it owns through the site's durable session
    // (site-work.ts); its own client takes only the results of the commands it sends.
    const clustered = this.cluster.clustered;
    const mqtt = new CenterMqttClient({
      url: this.broker.url,
      username,
      password,
      ...(clustered ? { filters: [CENTER_UPLINK_FILTERS.cmdResult] } : {}),
      protocolVersion: s.mqttUrl ? 5 : 4,
      // Stable per host and port, so a reconnect or restart resumes the broker-side session. The
      // underscores keep it outside the agentId pattern: no agent can be issued this id (F2).
      // A cluster member's session is another one: a single instance's session on the same host and
      // port still holds its uplink subscriptions, which would feed this client every site.
      clientId: s.mqttUrl
        ? `gwanje_api_${hostname().slice(0, 40)}_${s.httpPort}${clustered ? '_cmd' : ''}`
        : EMBEDDED_SERVICE_CLIENT_ID,
      log: child('mqtt'),
      onMessage: (topic, payload) => pipeline?.handle(topic, payload),
    });
    const commands = new CommandChannel(mqtt, child('commands'));
    pipeline = new IngestPipeline({
      log: child('ingest'),
      metrics,
      store: withDiscoveries(ingestStoreOf(repos, now), discovery, child('discovery')),
      timeseries,
      alarms: this.alarms.service,
      live: busPush(bus),
      commands,
      now,
      limits: s.agentLimits,
      partitioned: clustered,
      durable: clustered ? () => writtenSoFar(timeseries) : undefined,
    });
    this.made = { mqtt, commands, pipeline };
    await pipeline.start();
    const p = pipeline;
    if (clustered)
      this.cluster.ownership.serve(
        new SiteTakeover({
          url: this.broker.url,
          username,
          password,
          pipeline: p,
          alarms: this.alarms.service,
          timeseries,
          log: child('site-consumer'),
          holds: (siteId, fencing) => this.cluster.ownership.holds(siteId, fencing),
        }),
      );
    bus.on(this.name, 'agent.revoked', ({ agentId }) => p.invalidateAgent(agentId));
    bus.on(this.name, 'sensor.changed', ({ row }) => p.reloadSensor(row));
    // Security review F7: new credentials mean a fresh (or re-imaged) agent with a new sequence.
    this.accounts.agentCreds.onProvision((agentId) => p.resetAgent(agentId));
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    await this.made?.pipeline.stop();
  }
}

export class UplinkModule implements CenterModule {
  readonly name = 'uplink';
  constructor(private readonly ingest: IngestModule) {}

  async start(): Promise<void> {
    await this.ingest.mqtt.start();
  }

  async stop(): Promise<void> {
    this.ingest.commands.stop();
    await this.ingest.mqtt.stop();
  }
}
