/**
 * Storage interfaces of control-api. Implementations: `timeseries-embedded.ts` (GWANJE_INFLUX_URL
 * unset) and `timeseries-influx.ts` (InfluxDB 1.x via `influx`); relational state through Kysely
 * on SQLite (better-sqlite3) or PostgreSQL (pg), one code path (`db.ts`, `migrations/`).
 */
import type {
  Alarm,
  Calibration,
  CameraInfo,
  JournalEntry,
  Metric,
  OutOfServiceMark,
  Quality,
  Role,
  RuleOverride,
  SensorCameraLink,
  Unit,
} from '@gwanje/protocol';
import type { Static } from '@sinclair/typebox';

export interface StoredReading {
  siteId: string;
  agentId: string;
  sensorId: string;
  metric: Static<typeof Metric>;
  gas?: string;
  unit: Static<typeof Unit>;
  value: number;
  ts: number;
  quality: Static<typeof Quality>;
}

/** [ts, min, mean, max] */
export type ReadingPoint = [number, number, number, number];

/** One stored reading of a known sensor, as the raw export (issue 21) lists it. */
export interface RawReading {
  ts: number;
  value: number;
  quality: Static<typeof Quality>;
}

export interface TimeSeriesStore {
  start(): Promise<void>;
  /** Flushes what it can (bounded wait), then closes. */
  stop(): Promise<void>;
  /**
   * Accepts readings for writing. Never throws and never blocks on I/O: points are batched
   * (up to 5,000 points or 1 s) and, while the backend is down, held in a bounded buffer and
   * written in order when it returns.
   */
  write(points: StoredReading[]): void;
  /** Aggregated points for one sensor; chooses raw data or 1-minute rollups by range/step. */
  query(sensorId: string, fromMs: number, toMs: number, stepMs: number): Promise<ReadingPoint[]>;
  /**
   * Raw readings of one sensor with from <= ts < to, oldest first, in batches of at most an hour
   * of data (issue 21: CSV export in constant memory). Only what raw retention still holds.
   */
  raw?(sensorId: string, fromMs: number, toMs: number): AsyncIterable<RawReading[]>;
  /**
   * Issue 19 (cluster members, InfluxDB): `${sensorId} ${ts}` of a site's points stored since
   * `fromMs`, so readings redelivered after a takeover are recognised as stored.
   */
  recentKeys?(siteId: string, fromMs: number): Promise<Set<string>>;
  /** Readings accepted but not yet durably written. */
  pending(): number;
  /** Readings durably written since start (for gwanje_readings_total and tests). */
  written(): number;
  /** Readings lost, counted never silent: outage buffer/spool overflow, points the backend rejected. */
  dropped(): number;
  /** Of dropped(): points the backend refused as malformed (InfluxDB HTTP 400). */
  rejected?(): number;
  healthy(): boolean;
  /** Asks the backend now (InfluxDB /ping; the embedded store's last disk write); throws when it does not answer. */
  probe(timeoutMs: number): Promise<void>;
  /** Resolves when everything accepted so far is written (tests, shutdown). */
  flush(timeoutMs?: number): Promise<void>;
}

export interface SiteRow {
  siteId: string;
  name: string;
  nameKo: string;
  lat: number;
  lon: number;
}

export interface AgentRow {
  agentId: string;
  siteId: string;
  name: string | null;
  /** scrypt hash of the broker password (never the password). */
  mqttPasswordHash: string;
  /** Fast verifier `hmac-sha256$key$mac` of the broker password (security review F9); null for older rows. */
  mqttPasswordCheck?: string | null;
  revoked: boolean;
  state: 'online' | 'offline' | 'unknown';
  lastSeq: number | null;
  lastSeen: number | null;
  buffered: number;
  version: string | null;
  configDesired: string | null;
  configApplied: string | null;
  createdAt: number;
}

export interface SensorRow {
  sensorId: string;
  siteId: string;
  agentId: string;
  metric: Static<typeof Metric>;
  gas: string | null;
  unit: Static<typeof Unit>;
  name: string | null;
  /**
   * The admin's rule overrides (admin UI), null for none. JSON columns are decoded by the
   * repository (stored-json.ts): a corrupt value reads as null, logged and counted.
   */
  rules: RuleOverride[] | null;
  /** Linked cameras (bare ids of older rows read as `{cameraId}`), null for none. */
  cameras: SensorCameraLink[] | null;
  intervalMs: number | null;
  lastValue: number | null;
  lastTs: number | null;
  state: string;
  // Issue 15 (migration 0002-gas-sensor-config); optional so rows built before it still fit.
  /** Measuring range; null when neither the agent nor an admin gave one. */
  rangeMin?: number | null;
  rangeMax?: number | null;
  /** Who set the range: 'agent' (its signed config, authoritative) or 'admin'. */
  rangeSource?: string | null;
  /** {zero, span} as the agent applies it. */
  calibration?: Calibration | null;
  /** RuleOverride[] from the agent's config (the admin's are `rules`, layered on top). */
  agentRules?: RuleOverride[] | null;
  /** The agent config version the sensor was last reported with. */
  configVersion?: string | null;
  reportedAt?: number | null;
  /** {since, actor, reason} while an admin has it out of service; null otherwise. */
  outOfService?: OutOfServiceMark | null;
}

export interface CameraRow {
  cameraId: string;
  siteId: string;
  agentId: string | null;
  name: string;
  ptz: boolean;
  /** CameraInfo.profiles (decoded by the repository; a corrupt value reads as []). */
  profiles: CameraInfo['profiles'];
  state: 'live' | 'idle' | 'lost';
}

export interface UserRow {
  username: string;
  passwordHash: string;
  role: Role;
  /** siteIds, ['*'] = all (decoded by the repository; a corrupt value reads as [], granting nothing). */
  sites: string[];
  /** Extension for SMS escalation (phone, language). */
  phone: string | null;
  lang: 'ko' | 'en';
  failedLogins: number;
  lockedUntil: number | null;
  tokensValidAfter: number;
  createdAt: number;
}

export interface AuditRow {
  id?: number;
  ts: number;
  actor: string;
  ip: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  /** The site the entry concerns (0013-supervisor), null for site-less entries (logins, users). */
  siteId?: string | null;
}

export interface AlarmQuery {
  states?: string[];
  siteIds?: string[] | '*';
  from?: number;
  to?: number;
  limit?: number;
}

export type { Alarm, JournalEntry };

/** Extensions by the store owner (added, never renamed). */

export interface SessionRow {
  /** JWT id (`jti` claim). */
  jti: string;
  username: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  /** Actions starting with this (a kind: `alarm.`, `config.`, `video.`). */
  actionPrefix?: string;
  /** Only entries of these sites ('*' or absent: any, site-less included). */
  siteIds?: string[] | '*';
  from?: number;
  to?: number;
  /** Keyset paging: entries older than (beforeTs, beforeId), i.e. after the last row of a page. */
  beforeTs?: number;
  beforeId?: number;
  limit?: number;
}

/** `GET /api/v1/sites` item: a site with its counts. */
export interface SiteSummary extends SiteRow {
  agents: number;
  sensors: number;
  cameras: number;
  activeAlarms: number;
}

/** One sensor's newest value for `sensors.updateLastMany`. */
export interface SensorLast {
  sensorId: string;
  value: number;
  ts: number;
  /** Optional new display state ('normal', 'alarm', 'fault', 'stale'...). */
  state?: string;
}

/** Site scoping of every list call: the caller's site ids, or '*' for all. */
export type SiteScope = string[] | '*';
