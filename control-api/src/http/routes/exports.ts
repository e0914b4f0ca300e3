/**
 * Issue 21 CSV exports (CONTRACT `/export/...`): raw readings of one sensor with their quality,
 * and alarms, streamed without a row limit, scoped to the caller's sites, formula-safe, UTF-8
 * with a BOM for Excel (incident/csv.ts). Each export is audited (what, which window).
 */
import { maySee, siteFilter } from '../../auth/permissions.js';
import { CSV_CONTENT_TYPE } from '../../incident/csv.js';
import { alarmPages, alarmsCsv, readingsCsv } from '../../incident/tables.js';
import { badRequest, notFound, refused } from '../errors.js';
import { qId, qSite, qWindow } from '../query.js';
import { type RouteSpec, route } from '../route.js';
import { attachment, streamChunks } from '../stream.js';

const DAY_MS = 86_400_000;
/** Longest window one export may ask: a year (months of raw data are the use case). */
export const MAX_EXPORT_RANGE_MS = 366 * DAY_MS;

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace(/[-:]/g, '');

const window = (req: Parameters<typeof qWindow>[0], now: number, defaultMs: number) =>
  qWindow(req, now, defaultMs, MAX_EXPORT_RANGE_MS);

export const exportRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/export/readings.csv',
    query: ['sensorId', 'from', 'to'],
    access: 'watch',
    async handle({ deps, principal, req, res, ip }) {
      const sensorId = qId(req, 'sensorId');
      if (!sensorId)
        throw badRequest('sensorId', 'is required', { reason: 'field-required', params: { field: 'sensorId' } });
      const sensor = await deps.sensors.get(sensorId);
      if (!sensor || !maySee(principal, sensor.siteId))
        throw notFound(`sensor ${sensorId}`, { reason: 'sensor-unknown', params: { sensorId } });
      const { from, to } = window(req, deps.auth.now(), DAY_MS);
      const raw = deps.timeseries.raw?.bind(deps.timeseries);
      if (!raw)
        throw refused(503, 'unavailable', 'export: this time-series store cannot list raw readings', {
          reason: 'feature-unavailable',
        });
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'export.readings',
        target: sensorId,
        detail: { siteId: sensor.siteId, from, to },
      });
      await streamChunks(
        res,
        {
          'Content-Type': CSV_CONTENT_TYPE,
          'Content-Disposition': attachment(`readings-${sensorId}-${stamp(from)}-${stamp(to)}.csv`),
          'Cache-Control': 'no-store',
        },
        readingsCsv(sensor, raw(sensorId, from, to)),
      );
      return undefined;
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/export/alarms.csv',
    query: ['siteId', 'from', 'to'],
    access: 'watch',
    async handle({ deps, principal, req, res, ip }) {
      const siteId = qSite(req, principal);
      const { from, to } = window(req, deps.auth.now(), 30 * DAY_MS);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'export.alarms',
        target: siteId ?? '*',
        detail: { siteId: siteId ?? null, from, to },
      });
      const siteIds = siteId ? [siteId] : siteFilter(principal);
      await streamChunks(
        res,
        {
          'Content-Type': CSV_CONTENT_TYPE,
          'Content-Disposition': attachment(`alarms-${siteId ?? 'all'}-${stamp(from)}-${stamp(to)}.csv`),
          'Cache-Control': 'no-store',
        },
        alarmsCsv(alarmPages((q) => deps.alarms.list(q), { siteIds, from, to })),
      );
      return undefined;
    },
  }),
];
