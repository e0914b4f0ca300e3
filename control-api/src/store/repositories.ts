/**
 * Typed access to relational state, one repository per table group; every method is listed in
 * store/README.md. Repositories hold no state beyond the Kysely handle, so `transaction()` just
 * builds a second set bound to the transaction.
 */
import { readFile } from 'node:fs/promises';
import { ID_REGEX } from '@gwanje/protocol';
import type { Kysely } from 'kysely';
import type { Db } from './db.js';
import { AuditRepo, SessionsRepo, SettingsRepo, UsersRepo } from './repos/accounts.js';
import { AgentEventsRepo } from './repos/agent-events.js';
import { AgentsRepo } from './repos/agents.js';
import { AlarmsRepo, JournalRepo } from './repos/alarms.js';
import { CameraSourcesRepo } from './repos/camera-sources.js';
import { inTransaction } from './repos/scope.js';
import { CamerasRepo, SensorsRepo } from './repos/sensors.js';
import { SitesRepo } from './repos/sites.js';
import type { Database } from './tables.js';
import type { SiteRow } from './types.js';

export class Repositories {
  readonly sites: SitesRepo;
  readonly agents: AgentsRepo;
  readonly sensors: SensorsRepo;
  readonly cameras: CamerasRepo;
  /** Direct cameras' sources (issue 20). */
  readonly cameraSources: CameraSourcesRepo;
  readonly alarms: AlarmsRepo;
  readonly journal: JournalRepo;
  readonly users: UsersRepo;
  readonly sessions: SessionsRepo;
  readonly audit: AuditRepo;
  readonly settings: SettingsRepo;
  readonly agentEvents: AgentEventsRepo;
  private readonly k: Kysely<Database>;

  constructor(
    readonly db: Db,
    handle?: Kysely<Database>,
    readonly now: () => number = Date.now,
  ) {
    const k = handle ?? db.kysely;
    this.k = k;
    this.sites = new SitesRepo(k);
    this.agents = new AgentsRepo(k);
    this.sensors = new SensorsRepo(k, db.json);
    this.cameras = new CamerasRepo(k, db.json);
    this.cameraSources = new CameraSourcesRepo(k);
    this.alarms = new AlarmsRepo(k, db.json, now);
    this.journal = new JournalRepo(k, db.json);
    this.users = new UsersRepo(k, db.json);
    this.sessions = new SessionsRepo(k);
    this.audit = new AuditRepo(k);
    this.settings = new SettingsRepo(k, now);
    this.agentEvents = new AgentEventsRepo(k, db.json);
  }

  /** Runs fn atomically, e.g. an alarm transition together with its journal entry. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
    return inTransaction(this.k, (tx) => fn(new Repositories(this.db, tx, this.now)));
  }
}

export interface SeedFile {
  sites: SiteRow[];
}

/** Validates a seed document; every problem is reported as `path: message`. */
export function parseSeed(doc: unknown): SiteRow[] {
  const errors: string[] = [];
  const sites = (doc as { sites?: unknown })?.sites;
  if (!Array.isArray(sites)) throw new Error('store: seed: /sites: must be an array');
  const seen = new Set<string>();
  const out: SiteRow[] = [];
  sites.forEach((s: unknown, i) => {
    const o = (s ?? {}) as Record<string, unknown>;
    const p = `/sites/${i}`;
    if (typeof o.siteId !== 'string' || !ID_REGEX.test(o.siteId)) errors.push(`${p}/siteId: must match ${ID_REGEX}`);
    else if (seen.has(o.siteId)) errors.push(`${p}/siteId: duplicate ${o.siteId}`);
    else seen.add(o.siteId);
    for (const k of ['name', 'nameKo'] as const) {
      if (typeof o[k] !== 'string' || o[k] === '') errors.push(`${p}/${k}: must be a non-empty string`);
    }
    if (typeof o.lat !== 'number' || o.lat < -90 || o.lat > 90) errors.push(`${p}/lat: must be a latitude`);
    if (typeof o.lon !== 'number' || o.lon < -180 || o.lon > 180) errors.push(`${p}/lon: must be a longitude`);
    out.push({ siteId: o.siteId, name: o.name, nameKo: o.nameKo, lat: o.lat, lon: o.lon } as SiteRow);
  });
  if (errors.length > 0) throw new Error(`store: seed: ${errors.join('; ')}`);
  return out;
}

/** The sites of a seed file, in the file's order (validated as parseSeed does). */
export async function readSeed(file: string): Promise<SiteRow[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`store: seed: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseSeed(doc);
}

/**
 * Upserts the sites of a seed file (e.g. seed/gyeonggi-sites.json). Idempotent: running it
 * again changes nothing; edited names/coordinates in the file win over the database.
 * Sites missing from the file are left alone (they may have been added by an admin).
 */
export async function seedSites(repos: Repositories, file: string): Promise<number> {
  const sites = await readSeed(file);
  await repos.transaction(async (tx) => {
    for (const s of sites) await tx.sites.upsert(s);
  });
  return sites.length;
}
