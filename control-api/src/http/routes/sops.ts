/**
 * Issue 21: SOP checklists per alarm type and site, and their ticks on an alarm.
 * - `GET /api/v1/sops?siteId=` (watch): the checklists of the caller's sites and the province-wide ones.
 * - `PUT /api/v1/sops` `{siteId|null, alarmType, steps:[{id,text}]}` (sops: supervisor of that
 *   site; `siteId: null`, every site, needs every site): replaces it; no steps removes it. Audited.
 * - `GET /api/v1/alarms/{id}/sop` (watch): the checklist that applies (the site's own, else the
 *   province-wide one), each step with who ticked it and when, read from the alarm's journal.
 * - `POST /api/v1/alarms/{id}/sop/{stepId}` `{comment?}` (comment: operator): ticks the step, a
 *   journal entry `sop-step` (facts.step, the step's text as comment); ticking twice keeps the first.
 */
import { type AlarmSop, SOP_JOURNAL_ACTION, SopChecklistBody, type SopStep, SopTickBody } from '@gwanje/protocol';
import { maySee } from '../../auth/permissions.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { pathId, qSite } from '../query.js';
import { type RouteSpec, route } from '../route.js';
import { ALARM_ID_REGEX } from './alarms.js';

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

function plansOf(deps: HttpDeps): NonNullable<HttpDeps['plans']> {
  if (!deps.plans) throw new HttpError(503, 'unavailable', 'sops: SOP checklists are not configured on this center');
  return deps.plans;
}

async function alarmSop(deps: HttpDeps, alarmId: string, principal: Parameters<typeof maySee>[0]): Promise<AlarmSop> {
  const plans = plansOf(deps);
  const found = await deps.alarms.get(alarmId);
  if (!found || !maySee(principal, found.alarm.siteId)) throw notFound(`alarm ${alarmId}`);
  const list = await plans.store.sopFor(found.alarm.siteId, found.alarm.type);
  const done = new Map<string, { by: string; at: number; comment?: string }>();
  for (const j of found.journal) {
    const step = j.facts?.step;
    if (j.action !== SOP_JOURNAL_ACTION || !step || done.has(step)) continue;
    const tick: { by: string; at: number; comment?: string } = { by: j.actor, at: j.ts };
    const note = j.comment?.split('\n').slice(1).join('\n');
    if (note) tick.comment = note;
    done.set(step, tick);
  }
  return {
    alarmId,
    source: list?.source ?? null,
    steps: (list?.steps ?? []).map((s: SopStep) => {
      const d = done.get(s.id);
      return d ? { ...s, done: d } : { ...s };
    }),
  };
}

export const sopRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/sops',
    access: 'watch',
    query: ['siteId'],
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const scope = siteId ? [siteId] : principal.sites.includes('*') ? '*' : principal.sites;
      return plansOf(deps).store.sops(scope);
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/sops',
    access: 'sops',
    body: SopChecklistBody,
    async handle({ deps, principal, body, ip }) {
      const plans = plansOf(deps);
      if (body.siteId === null ? !principal.sites.includes('*') : !maySee(principal, body.siteId))
        throw new HttpError(403, 'forbidden', `siteId: ${body.siteId ?? 'every site'} is outside your sites`);
      if (body.siteId !== null && !(await deps.sites.get(body.siteId))) throw badRequest('siteId', 'no such site');
      const seen = new Set<string>();
      body.steps.forEach((s, i) => {
        if (seen.has(s.id)) throw badRequest(`steps/${i}/id`, `duplicate step id ${s.id}`);
        seen.add(s.id);
      });
      await plans.store.putSop(body.siteId, body.alarmType, body.steps, principal.username, Date.now());
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'sop.change',
        target: `${body.siteId ?? '*'}/${body.alarmType}`,
        detail: { steps: body.steps.length },
      });
      return (
        (await plans.store.sops(body.siteId === null ? '*' : [body.siteId])).find(
          (c) => c.siteId === body.siteId && c.alarmType === body.alarmType,
        ) ?? { siteId: body.siteId, alarmType: body.alarmType, steps: [] }
      );
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/alarms/:id/sop',
    access: 'watch',
    async handle({ deps, principal, req }) {
      return alarmSop(deps, pathId(req, 'id', ALARM_ID_REGEX), principal);
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/alarms/:id/sop/:step',
    access: 'comment',
    body: SopTickBody,
    async handle({ deps, principal, req, body, ip }) {
      const plans = plansOf(deps);
      const alarmId = pathId(req, 'id', ALARM_ID_REGEX);
      const stepId = pathId(req, 'step', STEP_ID);
      const sop = await alarmSop(deps, alarmId, principal);
      const step = sop.steps.find((s) => s.id === stepId);
      if (!step) throw notFound(`SOP step ${stepId} of alarm ${alarmId}`);
      if (step.done) return sop;
      // The step's text goes into the journal, so the record still reads right after the checklist changes.
      const text = body.comment ? `${step.text}\n${body.comment}` : step.text;
      await plans.note(alarmId, SOP_JOURNAL_ACTION, principal.username, text, { step: stepId });
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'alarm.sop-step',
        target: alarmId,
        detail: { step: stepId },
      });
      return alarmSop(deps, alarmId, principal);
    },
  }),
];
