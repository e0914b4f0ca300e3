/**
 * The narrow storage ports ingest and alarms need. `Repositories` (store/) satisfies them through
 * the adapter in center-ports.ts; keeping them narrow keeps the hot path free of unrelated tables.
 */
import type { Alarm, CameraInfo, JournalEntry } from '@gwanje/protocol';
import type { AgentRow, AlarmQuery, CameraRow, SensorLast, SensorRow } from '../store/types.js';

export type { AgentRow, CameraRow, SensorLast, SensorRow };

export interface AgentStatusPatch {
  state: 'online' | 'offline';
  lastSeen: number;
  buffered: number;
  version: string | null;
}

export interface InventoryOutcome {
  removed: string[];
  foreign: string[];
  overLimit: string[];
}

export interface IngestStore {
  agents: {
    get(agentId: string): Promise<Pick<AgentRow, 'agentId' | 'siteId' | 'revoked'> | undefined>;
    list(): Promise<Array<Pick<AgentRow, 'agentId' | 'siteId' | 'revoked' | 'state'>>>;
    setStatus(agentId: string, patch: AgentStatusPatch): Promise<void>;
    /**
     * The config version and outcome the agent reports in `status.config` (issue 10), stored as
     * JSON `{version, outcome, error?}` in `configApplied`: `(id, text) => repos.agents.setConfig(id, {applied: text})`.
     * Optional until the runtime wires it; absent, applied versions are not recorded.
     */
    setConfigApplied?(agentId: string, applied: string): Promise<unknown>;
    /** Last telemetry seq per agent, persisted so a replay after restart is not stored twice. */
    loadSeqs(): Promise<Map<string, number>>;
    saveSeqs(seqs: Map<string, number>): Promise<void>;
  };
  sensors: {
    list(): Promise<SensorRow[]>;
    /** Inserts a sensor first seen in telemetry; no-op when it exists. */
    register(row: SensorRow): Promise<void>;
    /** Writes whole rows (an agent's `sensors` report, issue 15); optional for older wiring. */
    save?(rows: SensorRow[]): Promise<void>;
    updateLastMany(last: SensorLast[]): Promise<void>;
  };
  cameras: {
    /**
     * Replaces the inventory one agent reported (retained `cameras` topic) with the cameras it
     * owns: cameras of another agent or site are `foreign` and untouched, new ones beyond
     * `maxCameras` are `overLimit` (security review F1, F21).
     */
    replaceInventory(
      siteId: string,
      agentId: string,
      cameras: CameraInfo[],
      maxCameras?: number,
    ): Promise<InventoryOutcome | undefined>;
    /** Who owns a camera (issue 20: an agent's camera events act only on its own cameras). */
    get?(cameraId: string): Promise<{ siteId: string; agentId: string | null } | undefined>;
  };
  /** Agent events (local-alarm, driver-error ...) kept for the operators' record, apart from the audit trail. */
  events: {
    record(siteId: string, agentId: string, event: Record<string, unknown>): Promise<void>;
    /** Deletes events older than `before` (retention). */
    prune?(before: number): Promise<number>;
  };
}

export interface AlarmStore {
  /** Standing alarms (state not normal) to restore at start; of the given sites only (issue 19 takeover). */
  standing(siteIds?: string[]): Promise<Alarm[]>;
  upsert(alarm: Alarm): Promise<void>;
  get(id: string): Promise<Alarm | undefined>;
  list(q: AlarmQuery): Promise<Alarm[]>;
  appendJournal(entry: JournalEntry): Promise<void>;
  journal(alarmId: string): Promise<JournalEntry[]>;
  camerasOfSite(siteId: string): Promise<string[]>;
}
