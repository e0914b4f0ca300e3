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
  siteIds(): Promise<string[]>;
  sites: number;
  brokerUrl: string;
  videoUrl: string;
  dataDir: string;
  incidentEverySec: number;
  /** The ffmpeg the virtual cameras encode with (the center's resolved one). */
  ffmpeg?: FfmpegUse;
}

export const simulatedAgentId = (siteId: string): string => `${siteId}-sim-1`;

export class ProvinceSimulator {
  private readonly agents: EdgeAgent[] = [];

  constructor(private readonly deps: SimulatorDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    const sites = (await deps.siteIds()).slice(0, deps.sites);
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
