/**
 * Module `simulator-access` (GWANJE_SIMULATE=N): the simulated province runs as a process of its
 * own beside the center (edge-agent/src/sim/main.ts, started by `npm start`), talking MQTT and HTTP
 * like any agent; this module only opens the one-time provisioning path it uses (sim/access.ts)
 * and registers that route. With GWANJE_SIMULATE=0 nothing is written and the route refuses.
 */
import type { AccountsModule } from '../auth/module.js';
import type { BrokerModule } from '../broker/module.js';
import type { HttpPort } from '../http/port.js';
import type { RouteSpec } from '../http/route.js';
import type { CenterContext, CenterModule } from '../module.js';
import type { StoreModule } from '../store/module.js';
import { readSeed } from '../store/repositories.js';
import { SimulatorAccess } from './access.js';
import { simulatorRoutes } from './routes.js';

export class SimulatorAccessModule implements CenterModule {
  readonly name = 'simulator-access';
  private access?: SimulatorAccess;

  constructor(
    private readonly ctx: CenterContext,
    private readonly store: StoreModule,
    private readonly accounts: AccountsModule,
    private readonly broker: BrokerModule,
    private readonly http: HttpPort,
  ) {}

  /** The routes this module answers (mounted by `api` with every other module's). */
  routes(): RouteSpec[] {
    return simulatorRoutes(() => this.access);
  }

  start(): void {
    const s = this.ctx.settings;
    if (s.simulate <= 0) return;
    const repos = this.store.repos;
    const log = this.ctx.log.child({ module: 'simulator-access' });
    this.access = new SimulatorAccess({
      sites: s.simulate,
      dataDir: s.dataDir,
      credentials: this.accounts.agentCreds,
      audit: this.accounts.audit,
      siteIds: async () => (await repos.sites.list()).map((x) => x.siteId),
      seedOrder: () =>
        readSeed(s.seedFile).then(
          (sites) => sites.map((x) => x.siteId),
          (err: Error) => {
            log.warn({ err: err.message }, 'simulator-access: seed file not read; simulating the first sites by id');
            return [];
          },
        ),
      mqttUrl: () => this.broker.agentUrl,
    });
    this.access.issue(this.http.url);
    this.ctx.log.info({ file: this.access.file }, 'simulator-access: provisioning token written for the simulator');
  }

  stop(): void {
    this.access?.withdraw();
    this.access = undefined;
  }
}
