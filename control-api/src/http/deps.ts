/**
 * What `createHttpApp` needs from the center. The runtime (main.ts) wires the real modules;
 * tests pass the same modules on a throwaway database. Read-model stores are structural so
 * `Repositories` (store/) fits them as they are: `{ sites: repos.sites, sensors: repos.sensors, ... }`.
 */

import type { AlarmAction } from '@gwanje/detection';
import type { EscalationService, KannelProvider, TwilioProvider } from '@gwanje/escalation';
import type { Alarm, CameraHealthView, JournalEntry } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { AgentCredentials } from '../auth/agent-credentials.js';
import type { AuditLog } from '../auth/audit.js';
import type { AuthService } from '../auth/service.js';
import type { Ownership } from '../cluster/ownership.js';
import type { FireWatchAdmin } from '../fire/routes.js';
import type { EvidenceTools } from '../incident/evidence.js';
import type { CameraLinker } from '../plans/linker.js';
import type { PlanStore } from '../plans/store.js';
import type { AgentEventQuery, AgentEventRow } from '../store/repos/agent-events.js';
import type { CameraSourceRow } from '../store/repos/camera-sources.js';
import type { ConfigPushRepo } from '../store/repos/config-pushes.js';
import type {
  AgentRow,
  AlarmQuery,
  CameraRow,
  SensorRow,
  SiteRow,
  SiteScope,
  SiteSummary,
  TimeSeriesStore,
} from '../store/types.js';
import type { WallLayoutStore } from '../store/wall-layouts.js';
import type { DirectCameras } from '../video/direct-cameras.js';
import type { DirectOnvif } from '../video/direct-onvif.js';
import type { ViewAudit } from '../video/view-audit.js';
import type { DiscoveryAdmin } from './routes/discovered.js';

export interface SiteReader {
  summaries(scope: SiteScope): Promise<SiteSummary[]>;
  get(siteId: string): Promise<SiteRow | undefined>;
}
export interface SensorReader {
  list(scope: SiteScope, opts: { siteId?: string }): Promise<SensorRow[]>;
  get(sensorId: string): Promise<SensorRow | undefined>;
}
export interface CameraReader {
  list(scope: SiteScope, opts: { siteId?: string }): Promise<CameraRow[]>;
  get(cameraId: string): Promise<CameraRow | undefined>;
}
export interface AgentReader {
  list(scope: SiteScope, opts: { siteId?: string }): Promise<AgentRow[]>;
  get(agentId: string): Promise<AgentRow | undefined>;
}

/** Arguments of an alarm action, exactly the validated request body. */
export interface AlarmActionArgs {
  /** ack, unshelve, reset, return-to-service: optional note. */
  comment?: string;
  /** comment: the text. */
  text?: string;
  /** shelve: ISA-18.2 shelving needs a duration and a reason. */
  minutes?: number;
  /** shelve, out-of-service: why. */
  reason?: string;
}

export interface AlarmService {
  /** Newest first (CONTRACT). `q.siteIds` is already narrowed to the caller's scope. */
  list(q: AlarmQuery): Promise<Alarm[]>;
  get(id: string): Promise<{ alarm: Alarm; journal: JournalEntry[] } | undefined>;
  /**
   * Applies an operator action through the detection engine, persists and broadcasts it.
   * Throws an error named `AlarmActionError` with a `code` (e.g. 'invalid-transition') when the
   * action does not apply to the alarm's state; HTTP answers 409 with that code.
   */
  act(alarmId: string, action: AlarmAction, actor: string, args: AlarmActionArgs): Promise<Alarm>;
  /** EEMUA 191 figures for the given sites and window. */
  kpis(siteIds: SiteScope, from: number, to: number): Promise<unknown>;
}

export interface PtzArgs {
  action: 'move' | 'stop' | 'preset';
  pan?: number;
  tilt?: number;
  zoom?: number;
  timeoutMs?: number;
  preset?: string;
  /** With action preset: list the camera's presets (`{presets:[{token,name}]}`) instead of going to one. */
  list?: boolean;
}

export interface CommandSender {
  /** Sends `ptz.*` on the owning agent's `cmd` topic and resolves with its `cmd/result`. */
  ptz(camera: { cameraId: string; siteId: string; agentId: string }, args: PtzArgs, actor: string): Promise<unknown>;
  /**
   * Publishes a signed config envelope QoS 1 retained on the agent's `config` topic (issue 10).
   * Optional so older wiring still type-checks; absent, a config push answers 503.
   */
  publishConfig?(siteId: string, agentId: string, envelope: unknown): Promise<void>;
}

/** Where the desired config version of an agent is recorded (`repos.agents.setConfig` fits). */
export interface AgentConfigWriter {
  setConfig(agentId: string, c: { desired?: string | null; applied?: string | null }): Promise<boolean>;
}

/** Escalation (issue 8): the service behind the API and the SMS gateways' callbacks. */
export interface EscalationDeps {
  service: EscalationService;
  kannel?: KannelProvider;
  twilio?: TwilioProvider;
}

/** One recorded alarm clip (the gateway's ClipInfo has these and more). */
export interface ClipListing {
  clipId: string;
  alarmId: string;
  cameraId: string;
  [k: string]: unknown;
}

/** Alarm clips kept by the video gateway: `{ list: (id) => gateway.clips(id), file: (a, c) => gateway.clipFile(a, c) }`. */
export interface ClipSource {
  list(alarmId: string): Promise<ClipListing[]>;
  /** Absolute path of the clip's MP4, or undefined. */
  file(alarmId: string, clipId: string): Promise<string | undefined>;
}

/** Per-sensor admin settings (PATCH /sensors/{id}): `repos.sensors.upsert` + ingest's reload. */
export interface SensorAdmin {
  /** Persists rules/cameras (the row without its last value and state). */
  save(row: Omit<SensorRow, 'lastValue' | 'lastTs' | 'state'>): Promise<void>;
  /** Makes the running detection use the row's rules and cameras at once. */
  reload?(row: SensorRow): void | Promise<void>;
  /**
   * Issue 15: takes a sensor out of service (`oos` set: maintenance, bump test) or returns it
   * (`oos` null): persisted on the row, applied to its alarms (journaled) at once.
   */
  setOutOfService?(
    row: SensorRow,
    oos: { since: number; actor: string; reason: string } | null,
    actor: string,
    comment?: string,
  ): Promise<void>;
}

/** Explicit device ownership changes by an admin (security review F1, F8): `DeviceOwnership` (ingest/ownership.ts). */
export interface DeviceAdmin {
  deleteSensor(sensorId: string): Promise<SensorRow | undefined>;
  rehomeSensor(
    sensorId: string,
    to: { siteId: string; agentId: string },
  ): Promise<{ before: SensorRow; after: SensorRow } | undefined>;
  rehomeCamera(
    cameraId: string,
    to: { siteId: string; agentId: string },
  ): Promise<{ before: CameraRow; after: CameraRow } | undefined>;
}

/** Agent-reported events, apart from the audit trail (F21): `repos.agentEvents` fits. */
export interface AgentEventReader {
  list(scope: SiteScope, q: AgentEventQuery): Promise<AgentEventRow[]>;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  [k: string]: unknown;
}

export interface HttpDeps {
  auth: AuthService;
  agentCreds: AgentCredentials;
  audit: AuditLog;
  sites: SiteReader;
  sensors: SensorReader;
  cameras: CameraReader;
  agents: AgentReader;
  timeseries: Pick<TimeSeriesStore, 'query' | 'raw'>;
  alarms: AlarmService;
  commands: CommandSender;
  /** Config push (issue 10): records desired versions; `repos.agents` fits. Absent: push answers 503. */
  agentConfig?: AgentConfigWriter;
  /** Pushed config documents, secrets masked (issue 21 drift diff); absent: no documents shown. */
  configPushes?: Pick<ConfigPushRepo, 'record' | 'history' | 'get'>;
  /** The center's pinned Ed25519 public key (SPKI PEM); when set, a pushed envelope must verify. */
  configPublicKeyPem?: string;
  /** Escalation API and SMS callbacks (issue 8); absent: those routes answer 503 / 403. */
  escalation?: EscalationDeps;
  /** Per-sensor rules and camera links (issue 4/7); absent: PATCH /sensors/{id} answers 503. */
  sensorAdmin?: SensorAdmin;
  /** Alarm clips (issue 6); absent: every alarm lists no clips. */
  clips?: ClipSource;
  /** Video walls per user (issue 20); absent: /me/wall answers 503. */
  wallLayouts?: Pick<WallLayoutStore, 'get' | 'put'>;
  /** Stream health per camera the gateway knows (issue 20); others are idle. Absent: no `health`. */
  cameraHealth?: () => Map<string, CameraHealthView>;
  /** Sensors agents adopted from their own description (issue 17); absent: an empty list. */
  discoveries?: DiscoveryAdmin;
  /** Fire watch per camera and the video fire detector's view (issue 23); absent: fire-watch routes answer 404. */
  fire?: FireWatchAdmin;
  /** Device re-home and sensor delete (security review F1, F8); absent: those routes answer 503. */
  devices?: DeviceAdmin;
  /**
   * Site plans, device positions and SOP checklists (issue 21); absent: those routes answer 503.
   * `note` journals an SOP tick (AlarmService.note); `linker` is told when positions change.
   */
  plans?: {
    store: PlanStore;
    linker: Pick<CameraLinker, 'invalidate' | 'radius' | 'radiusOf'>;
    note(
      alarmId: string,
      action: string,
      actor: string,
      comment: string,
      facts?: JournalEntry['facts'],
    ): Promise<unknown>;
    /** pdftoppm binary for PDF plans (default: from PATH). */
    pdftoppm?: string;
  };
  /** Direct cameras (issue 20): register, update, delete, CSV import; absent: those routes answer 503. */
  directCameras?: DirectCameras;
  /** Direct cameras' sources for the camera list (URL without credentials, position). */
  cameraSources?: {
    get(cameraId: string): Promise<CameraSourceRow | undefined>;
    list(scope: SiteScope): Promise<CameraSourceRow[]>;
  };
  /** PTZ of direct ONVIF cameras, spoken by the center itself (issue 20); absent: 409 no-agent. */
  directPtz?: Pick<DirectOnvif, 'hasPtz' | 'ptz'>;
  /** A camera's source changed or it was deleted: its running pull starts over (the gateway). */
  restartUpstream?(cameraId: string): void;
  /** Agent events (security review F21); absent: GET /agent-events answers 503. */
  agentEvents?: AgentEventReader;
  /** Accept a config push the center cannot verify (no GWANJE_CONFIG_PUBLIC_KEY); F20, default false. */
  allowUnsignedConfig?: boolean;
  /** Who opened which clip, when, for how long (PIPA); absent: not recorded. */
  views?: Pick<ViewAudit, 'view'>;
  /** Issue 21: the center's evidence key, work dir and face masker; absent: evidence answers 503. */
  evidence?: EvidenceTools & { timeZone?: string };
  /** CAP `<sender>` (GWANJE_CAP_SENDER); default `gwanje`. */
  capSender?: string;
  /** Issue 19: who owns which site (cluster/ownership.ts); absent: GET /cluster answers 503. */
  cluster?: Pick<Ownership, 'clustered' | 'instances'>;
  metricsText(): string | Promise<string>;
  health(): HealthReport | Promise<HealthReport>;
  /** Broker URL handed to agents in `POST /api/v1/agents` (as they must reach it). */
  mqttPublicUrl: string;
  /** Built console (web-console/dist); served at `/` with SPA fallback when set. */
  consoleDir?: string;
  log: Logger;
  /** The center serves HTTPS itself (GWANJE_TLS_CERT): responses carry Strict-Transport-Security. */
  tls?: boolean;
  /**
   * Express `trust proxy` (behind a reverse proxy, so req.ip is the client's and throttles key on
   * it): GWANJE_TRUST_PROXY compiled by http/client-address.ts. Default: no proxy is trusted.
   */
  trustProxy?: boolean | number | string | ((addr: string, hop: number) => boolean);
  /** express-rate-limit on POST /auth/login, per client address. Default 20 per minute. */
  loginRateLimit?: { windowMs: number; limit: number };
  /** Issue 19: GWANJE_CENTER_URLS, origins of every center instance (CORS, CSP, the login answer). */
  centerUrls?: string[];
  /** Request body cap; default 64 kB. */
  bodyLimitBytes?: number;
}
