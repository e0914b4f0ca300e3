/**
 * Module `simulator` (GWANJE_SIMULATE=N): the simulated province, real edge agents over TCP to the
 * broker and HTTP to /video, provisioned like any agent (sim/simulator.ts).
 */
import type { AccountsModule } from '../auth/module.js';
import type { BrokerModule } from '../broker/module.js';
import type { HttpPort } from '../http/port.js';
import type { CenterContext, CenterModule } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { readSeed } from '../store/repositories.js';
import type { VideoModule } from '../video/module.js';
import { ProvinceSimulator } from './simulator.js';

export class SimulatorModule implements CenterModule {
  readonly name = 'simulator';
  private sim?: ProvinceSimulator;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly broker: BrokerModule,
    private readonly http: HttpPort,
    private readonly video: VideoModule,
  ) {}

  async start(): Promise<void> {
    const s = this.ctx.settings;
    if (s.simulate <= 0) return;
    const repos = this.store.repos;
    const log = this.ctx.log.child({ module: 'sim' });
    this.sim = new ProvinceSimulator({
      log,
      credentials: this.accounts.agentCreds,
      siteIds: async () => (await repos.sites.list()).map((x) => x.siteId),
      seedOrder: () =>
        readSeed(s.seedFile).then(
          (sites) => sites.map((x) => x.siteId),
          (err: Error) => {
            log.warn({ err: err.message }, 'sim: seed file not read; simulating the first sites by id');
            return [];
          },
        ),
      sites: s.simulate,
      brokerUrl: this.broker.agentUrl,
      videoUrl: this.http.url,
      dataDir: s.dataDir,
      incidentEverySec: s.simulateIncidentEverySec,
      ffmpeg: { path: this.video.ffmpeg.path },
    });
    await this.sim.start();
  }

  async stop(): Promise<void> {
    await this.sim?.stop();
  }
}
