/**
 * Module `broker`: the embedded MQTT broker (aedes) unless GWANJE_MQTT_URL points at Mosquitto.
 * Its default port may be taken (Mosquitto on 1883): then it takes a free one and says so; an
 * explicit one may not. With an external Mosquitto and GWANJE_MQTT_ADMIN_URL, agents' broker
 * credentials are mirrored through its dynamic-security plugin. A revoked agent is disconnected.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AccountsModule } from '../auth/module.js';
import type { HttpPort } from '../http/port.js';
import type { CenterContext, CenterModule } from '../module.js';
import { startDynsec } from '../mosquitto/center-dynsec.js';
import type { MosquittoDynsec } from '../mosquitto/dynsec.js';
import { randomSecret } from '../settings.js';
import type { StoreModule } from '../store/module.js';
import { EmbeddedBroker } from './embedded.js';

export class BrokerModule implements CenterModule {
  readonly name = 'broker';
  /** The center's own client identity on the embedded broker (random per start, never logged). */
  readonly service = { username: `gwanje-center-${randomBytes(4).toString('hex')}`, password: randomSecret() };
  private embedded?: EmbeddedBroker;
  private dynsec?: MosquittoDynsec;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly http: HttpPort,
  ) {}

  /** Where the center's own MQTT client connects. */
  get url(): string {
    return this.ctx.settings.mqttUrl ?? this.requireEmbedded().internalUrl;
  }
  /** The URL agents are given with their credentials. */
  get agentUrl(): string {
    const s = this.ctx.settings;
    return s.mqttUrl ? s.mqttPublicUrl : this.requireEmbedded().url;
  }
  /** The embedded broker's default port was taken and this one was bound instead. */
  get takenPort(): number | undefined {
    return this.embedded?.takenPort;
  }

  private requireEmbedded(): EmbeddedBroker {
    if (!this.embedded) throw new Error('broker: the embedded broker has not started');
    return this.embedded;
  }

  async start(): Promise<void> {
    const { settings: s, log, metrics, bus } = this.ctx;
    const agentCreds = this.accounts.agentCreds;
    if (!s.mqttUrl) {
      const tls = this.http.tls;
      this.embedded = new EmbeddedBroker({
        port: s.mqttPort,
        host: s.host,
        service: this.service,
        auth: agentCreds,
        log: log.child({ module: 'broker' }),
        tls: tls && { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
        anyPortIfTaken: !s.mqttPortExplicit,
        onRefused: (reason) => metrics.brokerRefused.inc({ reason }),
      });
      await this.embedded.start();
      bus.on(this.name, 'agent.revoked', ({ agentId }) => this.embedded?.disconnectAgent(agentId));
    } else if (s.mqttAdminUrl) {
      const repos = this.store.repos;
      const liveAgents = async () => (await repos.agents.list('*', { includeRevoked: false })).map((a) => a.agentId);
      this.dynsec = await startDynsec(s, agentCreds, bus, log.child({ module: 'dynsec' }), liveAgents);
    }
  }

  async stop(): Promise<void> {
    this.ctx.bus.off(this.name);
    this.ctx.bus.off('dynsec');
    await this.dynsec?.stop();
    await this.embedded?.stop();
  }
}
