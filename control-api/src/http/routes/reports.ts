/**
 * `GET /api/v1/reports/shift?siteId=&from=&to=&lang=` (issue 21): the shift report as one
 * printable HTML page (reports/shift-report.ts). Supervisors and admins, scoped to their sites;
 * every generation is audited (the page names the people on duty).
 */

import { shiftSlots } from '@gwanje/escalation';
import type { KpiResponse } from '@gwanje/protocol/schemas/escalation.js';
import { seesAllSites, siteFilter } from '../../auth/permissions.js';
import { window } from '../../escalation/routes.js';
import { renderShiftReport } from '../../reports/shift-report.js';
import { badRequest } from '../errors.js';
import { qSite, qString } from '../query.js';
import { type RouteSpec, route } from '../route.js';

const HOUR = 3_600_000;
const OPEN_STATES = ['unack', 'acked', 'rtn-unack', 'latched', 'shelved', 'out-of-service'];
const MAX_ALARMS = 10_000;
/** Korea: UTC+9 all year; a roster of the site may say otherwise. */
const DEFAULT_OFFSET_MIN = 540;

export const reportRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/reports/shift',
    access: 'rosters',
    query: ['siteId', 'from', 'to', 'lang'],
    async handle({ deps, principal, req, res, ip }) {
      const siteId = qSite(req, principal);
      const lang = qString(req, 'lang') ?? 'ko';
      if (lang !== 'ko' && lang !== 'en')
        throw badRequest('lang', 'must be ko or en', { reason: 'language-unknown', params: { field: 'lang' } });
      const now = deps.auth.now();
      const { from, to } = window(req, now, 12 * HOUR, 31 * 24 * HOUR);
      const scope = siteId ? [siteId] : siteFilter(principal);
      const [sites, raised, openNow, kpis] = await Promise.all([
        deps.sites.summaries(scope),
        deps.alarms.list({ siteIds: scope, from, to, limit: MAX_ALARMS }),
        deps.alarms.list({ siteIds: scope, states: OPEN_STATES, to, limit: MAX_ALARMS }),
        deps.alarms.kpis(scope, from, to) as Promise<KpiResponse>,
      ]);
      const svc = deps.escalation?.service;
      const rosters = (svc?.getRosters() ?? []).filter(
        (r) =>
          (r.siteIds === '*' && seesAllSites(principal)) ||
          (r.siteIds !== '*' && r.siteIds.some((s) => sites.some((x) => x.siteId === s))),
      );
      const onDuty = rosters.flatMap((r) =>
        shiftSlots(r, from, to).map((s) => ({ ...s, contacts: s.contacts.map((c) => c.name) })),
      );
      const sms: Record<string, number> = {};
      const notes = (await svc?.notificationLog({ siteIds: scope, from, to, limit: MAX_ALARMS })) ?? [];
      for (const n of notes) sms[n.status] = (sms[n.status] ?? 0) + 1;
      const html = renderShiftReport({
        lang,
        from,
        to,
        utcOffsetMin: rosters[0]?.utcOffsetMin ?? DEFAULT_OFFSET_MIN,
        generatedAt: now,
        generatedBy: principal.username,
        sites: sites.map((s) => ({ siteId: s.siteId, name: s.name })).sort((a, b) => a.siteId.localeCompare(b.siteId)),
        raised,
        open: openNow,
        kpis,
        onDuty: onDuty.sort((a, b) => a.start - b.start),
        sms,
      });
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'report.shift',
        target: siteId ?? '*',
        detail: { ...(siteId ? { siteId } : {}), from, to, lang },
      });
      res.status(200).type('text/html; charset=utf-8').setHeader('cache-control', 'no-store');
      res.send(html);
      return undefined;
    },
  }),
];
