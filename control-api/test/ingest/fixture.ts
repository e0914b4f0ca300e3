/** Shared fixture for the center runtime tests: a real SQLite store, seeded sites, real agent credentials. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { authPortsFromRepositories } from '../../src/auth/adapter.js';
import { AgentCredentials } from '../../src/auth/agent-credentials.js';
import { AuditLog } from '../../src/auth/audit.js';
import { CenterMetrics } from '../../src/metrics.js';
import { openDatabase } from '../../src/store/db.js';
import { Repositories, seedSites } from '../../src/store/repositories.js';

export const SEED_FILE = new URL('../../../seed/gyeonggi-sites.json', import.meta.url).pathname;

export interface TestCenterStore {
  dir: string;
  repos: Repositories;
  credentials: AgentCredentials;
  metrics: CenterMetrics;
  log: pino.Logger;
  close(): Promise<void>;
}

export async function openTestStore(): Promise<TestCenterStore> {
  const dir = mkdtempSync(join(tmpdir(), 'gwanje-center-test-'));
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const db = await openDatabase({ dataDir: dir, log });
  const repos = new Repositories(db);
  await seedSites(repos, SEED_FILE);
  const ports = authPortsFromRepositories(repos);
  const credentials = new AgentCredentials({
    agents: ports.agents,
    audit: new AuditLog(ports.audit, Date.now, log),
    log,
  });
  return {
    dir,
    repos,
    credentials,
    metrics: new CenterMetrics({ processMetrics: false }),
    log,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads one counter/histogram sample from the registry's text output. */
export async function metricValue(metrics: CenterMetrics, name: string, labels = ''): Promise<number> {
  const text = await metrics.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || l.startsWith(`${name}${labels}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
