/**
 * How the simulated province (a process of its own beside the center, edge-agent/src/sim/main.ts)
 * gets agent credentials without the admin password (issue 18).
 *
 * With GWANJE_SIMULATE=N the center makes a random provisioning token at every start and writes it,
 * with the URL to present it to, into `${GWANJE_DATA_DIR}/simulator-token` (0600, like the initial
 * admin password file: only the center's own user, who may start a simulator, can read it). Only a
 * hash stays in memory; the token is never logged. Presented once as a bearer token to
 * `POST /api/v1/simulator/agents`, it issues broker credentials for the simulated agents of the
 * first N seeded sites (`<siteId>-sim-1`, nothing else) and is then spent: the file goes, a second
 * use is refused. Every use and every refusal is in the audit trail.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentCredentials as AgentCredentialsView } from '@gwanje/protocol';
import type { AgentCredentials } from '../auth/agent-credentials.js';
import type { AuditLog } from '../auth/audit.js';
import { AuthError } from '../auth/errors.js';

/** The file the simulator reads: `{"url","token"}`, 0600. */
export const SIMULATOR_TOKEN_FILE = 'simulator-token';

export const simulatedAgentId = (siteId: string): string => `${siteId}-sim-1`;

export interface SimulatorAccessOptions {
  /** GWANJE_SIMULATE: how many seeded sites get a simulated agent. */
  sites: number;
  dataDir: string;
  credentials: Pick<AgentCredentials, 'provision' | 'revoke'>;
  audit: Pick<AuditLog, 'record'>;
  /** Every site id of the store. */
  siteIds(): Promise<string[]>;
  /** Site ids in the seed file's order ([] when it cannot be read: then by id). */
  seedOrder(): Promise<string[]>;
  /** The broker URL agents are given. */
  mqttUrl(): string;
}

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

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

export class SimulatorAccess {
  private tokenHash?: Buffer;
  /** One provisioning at a time: the token is spent by the first that gets past the check. */
  private busy = false;

  constructor(private readonly o: SimulatorAccessOptions) {}

  get file(): string {
    return join(this.o.dataDir, SIMULATOR_TOKEN_FILE);
  }

  /** A fresh token for this start, written for the simulator with the URL to present it to. */
  issue(centerUrl: string): void {
    const token = randomBytes(32).toString('base64url');
    this.tokenHash = digest(token);
    writeFileSync(this.file, `${JSON.stringify({ url: centerUrl, token })}\n`, { mode: 0o600 });
  }

  /** The token can no longer be used (spent, or the center stops). */
  withdraw(): void {
    this.tokenHash = undefined;
    rmSync(this.file, { force: true });
  }

  /**
   * Checks the bearer token and, once, provisions (re-issues) the simulated agents of the first N
   * seeded sites. Throws AuthError('unauthorized') for a missing, wrong or spent token.
   */
  async provision(token: string | undefined, ip: string | null): Promise<AgentCredentialsView[]> {
    const expected = this.tokenHash;
    const ok = expected !== undefined && token !== undefined && timingSafeEqual(digest(token), expected) && !this.busy;
    if (!ok) {
      await this.o.audit.record({
        actor: 'simulator',
        ip,
        action: 'simulator.refused',
        target: null,
        detail: { reason: expected === undefined ? 'no provisioning token is open' : 'wrong or missing token' },
      });
      throw new AuthError('unauthorized', 'simulator: a valid, unspent provisioning token is required');
    }
    this.busy = true;
    try {
      const sites = simulatedSites(await this.o.siteIds(), await this.o.seedOrder(), this.o.sites);
      const out: AgentCredentialsView[] = [];
      for (const siteId of sites) {
        const agentId = simulatedAgentId(siteId);
        // Credentials are shown once and stored hashed: each start of the simulator re-issues them.
        await this.o.credentials.revoke(agentId, 'simulator', ip);
        const { password } = await this.o.credentials.provision(
          agentId,
          siteId,
          `${siteId} (simulated)`,
          'simulator',
          ip,
        );
        out.push({ agentId, siteId, mqtt: { url: this.o.mqttUrl(), username: agentId, password } });
      }
      this.withdraw();
      await this.o.audit.record({
        actor: 'simulator',
        ip,
        action: 'simulator.provision',
        target: null,
        detail: { agents: out.length },
      });
      return out;
    } finally {
      this.busy = false;
    }
  }
}
