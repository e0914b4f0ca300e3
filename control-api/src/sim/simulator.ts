/**
 * The simulated province (GWANJE_SIMULATE=N, issue 3): for the first N seed sites, an edge
 * agent is provisioned through the same AgentCredentials path as POST /api/v1/agents and real
 * EdgeAgent code runs in-process, connecting over TCP to the broker like a field box would (no
 * shortcut past the broker), with sensors, a test-pattern camera and the odd incident.
 */
import { join } from 'node:path';
import { EdgeAgent, type FfmpegUse, simulatedAgentConfig } from '@gwanje/edge-agent';
import type { AgentCredentials } from '../auth/agent-credentials.js';
import type { Logger } from '../logger.js';

export interface SimulatorDeps {
  log: Logger;
  credentials: Pick<AgentCredentials, 'provision' | 'revoke'>;
  /** Every site id of the store. */
  siteIds(): Promise<string[]>;
  /** Site ids in the seed file's order ([] when it cannot be read: then by id). */
  seedOrder(): Promise<string[]>;
  sites: number;
  brokerUrl: string;
  videoUrl: string;
  dataDir: string;
  incidentEverySec: number;
  /** The ffmpeg the virtual cameras encode with (the center's resolved one). */
  ffmpeg?: FfmpegUse;
}

export const simulatedAgentId = (siteId: string): string => `${siteId}-sim-1`;

/**
 * The sites GWANJE_SIMULATE=n simulates: the first n in the seed file's order (Gyeonggi: suwon,
 * seongnam, ...), then any site an admin added, by id. Pure. Before this the first n by id were
 * taken (ansan first), so `GWANJE_SIMULATE=1` gave a camera to a site nobody expected (issue 21:
 * the evidence e2e raised its leak at suwon, which then had no camera and so no alarm clip).
 */
export function simulatedSites(known: readonly string[], seedOrder: readonly string[], n: number): string[] {
  const present = new Set(known);
  const seeded = seedOrder.filter((id) => present.has(id));
  const inSeed = new Set(seeded);
  const added = known.filter((id) => !inSeed.has(id)).sort();
  return [...seeded, ...added].slice(0, Math.max(0, n));
}

export class ProvinceSimulator {
  private readonly agents: EdgeAgent[] = [];

  constructor(private readonly deps: SimulatorDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    const sites = simulatedSites(await deps.siteIds(), await deps.seedOrder(), deps.sites);
    await Promise.all(
      sites.map(async (siteId, i) => {
        const agentId = simulatedAgentId(siteId);
        // The password is shown once and stored hashed: a restarted simulator re-issues it.
        await deps.credentials.revoke(agentId, 'simulator');
        const { password } = await deps.credentials.provision(agentId, siteId, `${siteId} (simulated)`, 'simulator');
        const config = simulatedAgentConfig({
          siteId,
          agentId,
          brokerUrl: deps.brokerUrl,
          username: agentId,
          password,
          videoUrl: deps.videoUrl,
          dataDir: join(deps.dataDir, 'sim', agentId),
          incidentEverySec: deps.incidentEverySec,
          seed: i + 1,
        });
        const agent = new EdgeAgent(config, { log: deps.log.child({ siteId }), ffmpeg: deps.ffmpeg });
        this.agents.push(agent);
        await agent.start();
      }),
    );
    deps.log.info({ sites: sites.length }, 'sim: simulated edge agents running');
  }

  async stop(): Promise<void> {
    const agents = this.agents.splice(0);
    await Promise.allSettled(agents.map((a) => a.stop()));
  }
}
