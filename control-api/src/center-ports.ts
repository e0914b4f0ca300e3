/** Adapts store/ `Repositories` to the narrow ports of ingest and alarms (ingest/ports.ts). */

import type { AlarmStore, IngestStore } from './ingest/ports.js';
import { AGENT_EVENT_DETAIL_MAX } from './store/repos/agent-events.js';
import type { Repositories } from './store/repositories.js';

export function ingestStoreOf(repos: Repositories, now: () => number = Date.now): IngestStore {
  return {
    agents: {
      get: (agentId) => repos.agents.get(agentId),
      list: () => repos.agents.list('*', { includeRevoked: true }),
      setStatus: async (agentId, p) => {
        await repos.agents.updateStatus(agentId, p);
      },
      loadSeqs: () => repos.agents.lastSeqs(),
      saveSeqs: (seqs) => repos.agents.setLastSeqMany([...seqs].map(([agentId, lastSeq]) => ({ agentId, lastSeq }))),
      // status.config {version, outcome, error?} as reported by the agent: the applied side of drift.
      setConfigApplied: (agentId, applied) => repos.agents.setConfig(agentId, { applied }),
    },
    sensors: {
      list: () => repos.sensors.list('*'),
      register: async (row) => {
        // A sensor configured through the admin UI keeps its rules and cameras: insert only when missing.
        if (await repos.sensors.get(row.sensorId)) return;
        const { lastValue: _v, lastTs: _t, ...rest } = row;
        await repos.sensors.upsert(rest);
      },
      updateLastMany: (last) => repos.sensors.updateLastMany(last),
      save: (rows) => repos.sensors.upsertMany(rows.map(({ lastValue: _v, lastTs: _t, state: _s, ...rest }) => rest)),
    },
    cameras: {
      replaceInventory: (siteId, agentId, cameras, maxCameras) =>
        repos.cameras.replaceForAgent(
          siteId,
          agentId,
          cameras.map((c) => ({
            cameraId: c.cameraId,
            name: c.name,
            ptz: c.ptz,
            profiles: c.profiles,
          })),
          maxCameras,
        ),
      get: (cameraId) => repos.cameras.get(cameraId),
    },
    events: {
      // Security review F21: agents' events go to their own table, not the people audit trail.
      record: (siteId, agentId, event) =>
        repos.agentEvents.append({
          // Received time: retention must not depend on an agent's clock (its ts stays in detail).
          ts: now(),
          siteId,
          agentId,
          type: String(event.type).slice(0, 64),
          sourceId: event.sourceId === undefined ? null : String(event.sourceId).slice(0, 128),
          detail: JSON.stringify(event).slice(0, AGENT_EVENT_DETAIL_MAX),
        }),
      prune: (before) => repos.agentEvents.purgeBefore(before),
    },
  };
}

export function alarmStoreOf(repos: Repositories): AlarmStore {
  return {
    standing: (siteIds) => repos.alarms.active(siteIds ?? '*'),
    upsert: (a) => repos.alarms.upsert(a),
    get: (id) => repos.alarms.get(id),
    list: (q) => repos.alarms.list(q),
    appendJournal: (e) => repos.journal.append(e),
    journal: (id) => repos.journal.forAlarm(id),
    camerasOfSite: async (siteId) => (await repos.cameras.list([siteId])).map((c) => c.cameraId),
  };
}
