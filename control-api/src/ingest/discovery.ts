/**
 * The center's side of sensor discovery (CONTRACT "Edge agent", issue 17): an agent's `events`
 * `sensor-discovered` is validated (protocol `SensorDiscovered`) and recorded for an admin to
 * confirm (GET /api/v1/discovered-sensors). A sensor another agent already owns is not the
 * reporter's to announce: logged and ignored. The sensor's readings register it as before
 * (ingest/sensors.ts), with the default rules of its metric, gas and unit.
 */
import { SensorDiscovered, validate } from '@gwanje/protocol';
import type { Logger } from '../logger.js';
import type { DiscoveriesRepo } from '../store/repos/discoveries.js';
import type { IngestStore, SensorRow } from './ports.js';

export interface DiscoveryDeps {
  repo: Pick<DiscoveriesRepo, 'record'>;
  sensors: { get(sensorId: string): Promise<Pick<SensorRow, 'agentId'> | undefined> };
  log: Logger;
  /** Counts a malformed discovery (gwanje_rejected_messages_total{reason}). */
  reject(reason: string): void;
}

export class DiscoveryRecorder {
  constructor(private readonly deps: DiscoveryDeps) {}

  async onEvent(siteId: string, agentId: string, event: Record<string, unknown>): Promise<void> {
    if (event.type !== 'sensor-discovered') return;
    const v = validate(SensorDiscovered, event);
    if (!v.ok) {
      this.deps.reject('sensor-discovered');
      this.deps.log.warn({ agentId, errors: v.errors }, 'discovery: malformed sensor-discovered dropped');
      return;
    }
    const d = v.value;
    const owner = (await this.deps.sensors.get(d.sourceId))?.agentId;
    if (owner !== undefined && owner !== agentId) {
      this.deps.log.warn({ agentId, sensorId: d.sourceId, owner }, 'discovery: sensor belongs to another agent');
      return;
    }
    const outcome = await this.deps.repo.record({
      sensorId: d.sourceId,
      siteId,
      agentId,
      metric: d.metric,
      gas: d.gas ?? null,
      unit: d.unit,
      discoveredAt: d.ts,
    });
    if (outcome !== 'same')
      this.deps.log.info(
        { agentId, sensorId: d.sourceId, metric: d.metric, unit: d.unit, outcome },
        'discovery: sensor',
      );
  }
}

/** Ingest's store with discoveries recorded before the event goes to the agents' event record. */
export function withDiscoveries(store: IngestStore, recorder: DiscoveryRecorder, log: Logger): IngestStore {
  return {
    ...store,
    events: {
      ...store.events,
      record: async (siteId, agentId, event) => {
        await recorder
          .onEvent(siteId, agentId, event)
          .catch((err: Error) => log.error({ agentId, err: err.message }, 'discovery: not recorded'));
        await store.events.record(siteId, agentId, event);
      },
    },
  };
}
