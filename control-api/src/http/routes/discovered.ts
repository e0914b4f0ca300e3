/**
 * Discovered field sensors (issue 17): GET /api/v1/discovered-sensors?siteId= lists what agents
 * adopted from the sensors' own descriptions, within the caller's sites; POST
 * /api/v1/discovered-sensors/{sensorId}/confirm records that an admin has looked at it (audited).
 * Range, calibration and rules are set in the sensor rules form (PATCH /api/v1/sensors/{id}).
 */
import type { DiscoveredSensorView } from '@gwanje/protocol';
import { maySee, siteFilter } from '../../auth/permissions.js';
import type { DiscoveryRow } from '../../store/repos/discoveries.js';
import type { SiteScope } from '../../store/types.js';
import { HttpError, notFound } from '../errors.js';
import { pathId, qSite } from '../query.js';
import { type RouteSpec, route } from '../route.js';

/** What the routes need: `DiscoveriesRepo` fits as it is. */
export interface DiscoveryAdmin {
  list(scope: SiteScope, siteId?: string): Promise<DiscoveryRow[]>;
  get(sensorId: string): Promise<DiscoveryRow | undefined>;
  confirm(sensorId: string, by: string, at: number): Promise<void>;
}

function view(r: DiscoveryRow, last?: { value: number; ts: number }): DiscoveredSensorView {
  return {
    sensorId: r.sensorId,
    siteId: r.siteId,
    agentId: r.agentId,
    metric: r.metric as DiscoveredSensorView['metric'],
    ...(r.gas ? { gas: r.gas } : {}),
    unit: r.unit as DiscoveredSensorView['unit'],
    discoveredAt: r.discoveredAt,
    ...(r.confirmedAt !== null ? { confirmedAt: r.confirmedAt } : {}),
    ...(r.confirmedBy !== null ? { confirmedBy: r.confirmedBy } : {}),
    ...(last ? { last } : {}),
  };
}

export const discoveredRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/discovered-sensors',
    access: 'rules',
    query: ['siteId'],
    async handle({ deps, principal, req }) {
      const store = deps.discoveries;
      if (!store) return [];
      const rows = await store.list(siteFilter(principal), qSite(req, principal));
      return Promise.all(
        rows.map(async (r) => {
          const s = await deps.sensors.get(r.sensorId);
          const last = s?.lastTs != null && s.lastValue != null ? { value: s.lastValue, ts: s.lastTs } : undefined;
          return view(r, last);
        }),
      );
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/discovered-sensors/:id/confirm',
    access: 'rules',
    async handle({ deps, principal, req, ip }) {
      const id = pathId(req);
      const store = deps.discoveries;
      if (!store) throw new HttpError(503, 'unavailable', 'discovery: not wired');
      const row = await store.get(id);
      if (!row || !maySee(principal, row.siteId)) throw notFound(`discovered sensor ${id}`);
      const at = Date.now();
      await store.confirm(id, principal.username, at);
      await deps.audit.record({ actor: principal.username, ip, action: 'sensor.confirm', target: id });
      return view({ ...row, confirmedAt: at, confirmedBy: principal.username });
    },
  }),
];
