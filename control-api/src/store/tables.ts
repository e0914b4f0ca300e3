/**
 * Kysely table types: how rows sit in SQLite and PostgreSQL. Property names are camelCase;
 * `CamelCasePlugin` maps them to snake_case columns, so plain SQL (psql, sqlite3) reads naturally.
 * Booleans are integers 0/1 and times are epoch-ms bigints in both dialects, so one query code
 * path serves both (better-sqlite3 has no boolean type; pg's int8 is parsed to number in db.ts).
 */
import type { Generated } from 'kysely';

export interface SitesTable {
  siteId: string;
  name: string;
  nameKo: string;
  lat: number;
  lon: number;
}

export interface AgentsTable {
  agentId: string;
  siteId: string;
  name: string | null;
  mqttPasswordHash: string;
  /** Fast verifier of the machine secret (0003-sec-agents); null for older credentials. */
  mqttPasswordCheck: string | null;
  revoked: number;
  state: string;
  lastSeen: number | null;
  buffered: number;
  version: string | null;
  configDesired: string | null;
  configApplied: string | null;
  createdAt: number;
}

export interface AgentSeqTable {
  agentId: string;
  lastSeq: number;
}

export interface SensorsTable {
  sensorId: string;
  siteId: string;
  agentId: string;
  metric: string;
  gas: string | null;
  unit: string;
  name: string | null;
  rules: string | null;
  cameras: string | null;
  intervalMs: number | null;
  lastValue: number | null;
  lastTs: number | null;
  state: string;
  // 0002-gas-sensor-config (issue 15)
  rangeMin: number | null;
  rangeMax: number | null;
  rangeSource: string | null;
  calibration: string | null;
  agentRules: string | null;
  configVersion: string | null;
  reportedAt: number | null;
  outOfService: string | null;
}

export interface CamerasTable {
  cameraId: string;
  siteId: string;
  agentId: string | null;
  name: string;
  ptz: number;
  profiles: string;
  state: string;
}

/** 0010-direct-cameras (issue 20): how the center reaches a camera it pulls itself. */
export interface CameraSourcesTable {
  cameraId: string;
  kind: string;
  url: string;
  profileToken: string | null;
  /** Sealed `{username,password}` (video/camera-secrets.ts), or null without credentials. */
  secret: string | null;
  lat: number | null;
  lon: number | null;
  updatedAt: number;
  updatedBy: string;
}

export interface AlarmsTable {
  id: string;
  siteId: string;
  sourceId: string;
  sourceKind: string;
  type: string;
  priority: number;
  state: string;
  raisedAt: number;
  clearedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  value: number | null;
  threshold: number | null;
  message: string;
  /** JSON array of cameraIds. */
  cameras: string;
  active: number | null;
  latched: number | null;
  advisory: number | null;
  chattering: number | null;
  firstOut: number | null;
  shelvedUntil: number | null;
  updatedAt: number;
  /** JSON LatencyJournal. */
  latency: string | null;
  /** JSON of any further extension fields, so a newer Alarm survives a round trip. */
  extra: string | null;
}

export interface AlarmJournalTable {
  id: Generated<number>;
  alarmId: string;
  ts: number;
  action: string;
  actor: string;
  fromState: string | null;
  toState: string | null;
  comment: string | null;
  /** JSON AlarmFacts (0002-gas-sensor-config). */
  facts: string | null;
}

export interface UsersTable {
  username: string;
  passwordHash: string;
  role: string;
  sites: string;
  phone: string | null;
  lang: string;
  failedLogins: number;
  lockedUntil: number | null;
  tokensValidAfter: number;
  createdAt: number;
}

export interface SessionsTable {
  jti: string;
  username: string;
  issuedAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

/** What agents report on their `events` topic (0003-sec-agents): kept apart from the people audit trail. */
export interface AgentEventsTable {
  id: Generated<number>;
  ts: number;
  siteId: string;
  agentId: string;
  type: string;
  sourceId: string | null;
  /** The event as JSON, at most 4 kB. */
  detail: string | null;
}

export interface AuditTable {
  id: Generated<number>;
  ts: number;
  actor: string;
  ip: string | null;
  action: string;
  target: string | null;
  detail: string | null;
  /** 0013-supervisor. */
  siteId: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updatedAt: number;
}

export interface Database {
  sites: SitesTable;
  agents: AgentsTable;
  agentSeq: AgentSeqTable;
  sensors: SensorsTable;
  cameras: CamerasTable;
  cameraSources: CameraSourcesTable;
  alarms: AlarmsTable;
  alarmJournal: AlarmJournalTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit: AuditTable;
  settings: SettingsTable;
  agentEvents: AgentEventsTable;
}
