/**
 * Issue 21: SOP checklists per alarm type and site, and their ticks on an alarm.
 * - `GET /api/v1/sops?siteId=` (watch): the checklists of the caller's sites and the province-wide ones.
 * - `PUT /api/v1/sops` `{siteId|null, alarmType, steps:[{id,text}]}` (sops: supervisor of that
 *   site; `siteId: null`, every site, needs every site): replaces it; no steps removes it. Audited.
 * - `GET /api/v1/alarms/{id}/sop` (watch): the checklist that applies (the site's own, else the
 *   province-wide one), each step with who ticked it and when, read from the alarm's journal.
 * - `POST /api/v1/alarms/{id}/sop/{stepId}` `{comment?}` (comment: operator): ticks the step, a
 *   journal entry `sop-step` (facts.step, the step's text as comment); ticking twice keeps the first.
 * - `DELETE /api/v1/alarms/{id}/sop/{stepId}` `{comment?}` (comment: operator): takes a tick back
 *   (a step ticked by mistake, or found undone): a journal entry `sop-step-undone` with who, when and
 *   why, audited; the step then shows `undone` until it is ticked again. Unticking an unticked step
 *   changes nothing. The journal keeps both entries: nothing an operator recorded is erased.
 */
import {
  type AlarmSop,
  type JournalEntry,
  SOP_JOURNAL_ACTION,
  SOP_UNDO_JOURNAL_ACTION,
  SopChecklistBody,
  type SopStep,
  SopTickBody,
} from '@gwanje/protocol';
import { maySee, type Principal } from '../../auth/permissions.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, forbidden, notFound, refused } from '../errors.js';
import { outsideSites, pathId, qSite } from '../query.js';
import { type RouteSpec, route } from '../route.js';
import { ALARM_ID_REGEX } from './alarms.js';

const STEP_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

function plansOf(deps: HttpDeps): NonNullable<HttpDeps['plans']> {
  if (!deps.plans)
    throw refused(503, 'unavailable', 'sops: SOP checklists are not configured on this center', {
      reason: 'feature-unavailable',
    });
  return deps.plans;
}

async function alarmSop(deps: HttpDeps, alarmId: string, principal: Parameters<typeof maySee>[0]): Promise<AlarmSop> {
  const plans = plansOf(deps);
  const found = await deps.alarms.get(alarmId);
  if (!found || !maySee(principal, found.alarm.siteId))
    throw notFound(`alarm ${alarmId}`, { reason: 'alarm-unknown', params: { alarmId } });
  const list = await plans.store.sopFor(found.alarm.siteId, found.alarm.type);
  const { done, undone } = sopMarks(found.journal);
  return {
    alarmId,
    source: list?.source ?? null,
    steps: (list?.steps ?? []).map((s: SopStep) => {
      const d = done.get(s.id);
      const u = undone.get(s.id);
      return d ? { ...s, done: d } : u ? { ...s, undone: u } : { ...s };
    }),
  };
}

type Mark = { by: string; at: number; comment?: string };

/**
 * Each step's standing tick and last untick, replayed from the journal (oldest first): a tick
 * counts while the step is not ticked (ticking twice keeps the first), an untick clears it.
 */
export function sopMarks(journal: readonly JournalEntry[]): { done: Map<string, Mark>; undone: Map<string, Mark> } {
  const done = new Map<string, Mark>();
  const undone = new Map<string, Mark>();
  for (const j of journal) {
    const step = j.facts?.step;
    if (!step || (j.action !== SOP_JOURNAL_ACTION && j.action !== SOP_UNDO_JOURNAL_ACTION)) continue;
    const mark: Mark = { by: j.actor, at: j.ts };
    // The comment is the step's text, then the operator's note on the next lines.
    const note = j.comment?.split('\n').slice(1).join('\n');
    if (note) mark.comment = note;
    if (j.action === SOP_JOURNAL_ACTION) {
      if (!done.has(step)) done.set(step, mark);
      undone.delete(step);
    } else if (done.delete(step)) undone.set(step, mark);
  }
  return { done, undone };
}

/** Journals a tick or an untick (the step's text first, so the record reads right after the checklist changes) and audits it. */
async function markStep(
  ctx: { deps: HttpDeps; principal: Principal; ip: string },
  alarmId: string,
  step: SopStep,
  undo: boolean,
  comment: string | undefined,
): Promise<void> {
  const { deps, principal, ip } = ctx;
  const text = comment ? `${step.text}\n${comment}` : step.text;
  const action = undo ? SOP_UNDO_JOURNAL_ACTION : SOP_JOURNAL_ACTION;
  await plansOf(deps).note(alarmId, action, principal.username, text, { step: step.id });
  await deps.audit.record({
    actor: principal.username,
    ip,
    action: undo ? 'alarm.sop-step-undone' : 'alarm.sop-step',
    target: alarmId,
    detail: { step: step.id, ...(undo && comment ? { comment } : {}) },
  });
}

/** The alarm's checklist and the step the path names (404 when the checklist has no such step). */
async function stepOf(deps: HttpDeps, req: Parameters<typeof pathId>[0], principal: Parameters<typeof maySee>[0]) {
  const alarmId = pathId(req, 'id', ALARM_ID_REGEX);
  const stepId = pathId(req, 'step', STEP_ID);
  const sop = await alarmSop(deps, alarmId, principal);
  const step = sop.steps.find((s) => s.id === stepId);
  if (!step)
    throw notFound(`SOP step ${stepId} of alarm ${alarmId}`, { reason: 'sop-step-unknown', params: { step: stepId } });
  return { alarmId, sop, step };
}

/** POST ticks a step, DELETE takes its tick back; either is a no-op when the step already stands so. */
function stepRoute(method: 'post' | 'delete'): RouteSpec {
  const undo = method === 'delete';
  return route({
    method,
    path: '/api/v1/alarms/:id/sop/:step',
    access: 'comment',
    body: SopTickBody,
    async handle({ deps, principal, req, body, ip }) {
      const { alarmId, sop, step } = await stepOf(deps, req, principal);
      if (!!step.done !== undo) return sop;
      await markStep({ deps, principal, ip }, alarmId, step, undo, body.comment);
      return alarmSop(deps, alarmId, principal);
    },
  });
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
      if (body.siteId === null && !principal.sites.includes('*'))
        throw forbidden('siteId: every site is outside your sites', { reason: 'sop-everywhere-needs-all-sites' });
      if (body.siteId !== null && !maySee(principal, body.siteId)) throw outsideSites(body.siteId);
      if (body.siteId !== null && !(await deps.sites.get(body.siteId)))
        throw badRequest('siteId', 'no such site', { reason: 'site-unknown', params: { siteId: body.siteId } });
      const seen = new Set<string>();
      body.steps.forEach((s, i) => {
        if (seen.has(s.id))
          throw badRequest(`steps/${i}/id`, `duplicate step id ${s.id}`, {
            reason: 'sop-step-duplicate',
            params: { id: s.id },
          });
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
  stepRoute('post'),
  stepRoute('delete'),
];
