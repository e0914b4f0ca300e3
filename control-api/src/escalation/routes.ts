/**
 * Escalation API (issue 8) in the one route table: "who is on duty now", policies, rosters and
 * an alarm's notification journal. Policies and rosters name their sites (`siteIds`, or '*'):
 * a caller limited to some sites sees the entries that touch them and replaces only entries
 * wholly inside them; entries beyond their sites are kept as they are (issue 9 scope).
 * The SMS gateways' callbacks (no bearer token possible) are mounted by app.ts.
 */

import {
  type EscalationPolicy,
  type EscalationService,
  NOTIFICATION_STATUSES,
  type NotificationRow,
  type NotificationStatus,
  PoliciesBody,
  type Roster,
  RostersBody,
  samePhone,
  shiftSlots,
} from '@gwanje/escalation';
import type { NotificationView, ShiftOccurrence } from '@gwanje/protocol/schemas/escalation.js';
import type { AlarmNotificationView, NotificationSnakeAliases } from '@gwanje/protocol/schemas/routes.js';
import type { Principal } from '../auth/permissions.js';
import { can, maySee, seesAllSites, siteFilter, withinScope } from '../auth/permissions.js';
import type { HttpDeps } from '../http/deps.js';
import { badRequest, forbidden, notFound, refused } from '../http/errors.js';
import { pathId, qInt, qSite, qString, qTime, qWindow } from '../http/query.js';
import { type RouteSpec, route } from '../http/route.js';
import { ALARM_ID_REGEX } from '../http/routes/alarms.js';

interface Scoped {
  id: string;
  siteIds: string[] | '*';
}

function service(deps: HttpDeps): EscalationService {
  if (!deps.escalation)
    throw refused(503, 'unavailable', 'escalation: not configured in this center', { reason: 'feature-unavailable' });
  return deps.escalation.service;
}

const visible = (p: Principal, e: Scoped): boolean =>
  e.siteIds === '*' ? true : seesAllSites(p) || e.siteIds.some((s) => maySee(p, s));
const editable = (p: Principal, e: Scoped): boolean =>
  seesAllSites(p) || (e.siteIds !== '*' && withinScope(p, e.siteIds));

/** All but the first 3 and last 4 digits masked (the console's maskPhone, done before it leaves). */
const maskPhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, '').length;
  let seen = 0;
  return phone.replace(/\d/g, (d) => (++seen <= 3 || seen > digits - 4 ? d : '*'));
};

/**
 * "Who is on duty" as a caller may see it (review I5): names and roles for any roster touching
 * their sites; phone numbers in full only to roster managers whose sites hold the whole roster.
 */
function dutyView(p: Principal, roster: Roster | undefined, entry: ReturnType<EscalationService['dutyNow']>[number]) {
  const full = roster !== undefined && can(p, 'rosters') && editable(p, roster);
  return {
    ...entry,
    duty: entry.duty.map((d) => ({
      ...d,
      contacts: d.contacts.map((c) => ({
        id: c.id,
        name: c.name,
        lang: c.lang,
        phone: full ? c.phone : maskPhone(c.phone),
      })),
    })),
  };
}

/**
 * F16: a roster contact that names a Gwanje user acknowledges by SMS as that user, so the user
 * must exist, hold `ack`, and see every site of the roster. 400 naming the field otherwise.
 */
async function checkContactUsers(deps: HttpDeps, rosters: Roster[]): Promise<void> {
  for (const [i, r] of rosters.entries()) {
    for (const [j, c] of r.contacts.entries()) {
      if (c.username === undefined) continue;
      const field = `${i}.contacts.${j}.username`;
      const u = await deps.auth.users.get(c.username);
      const username = c.username;
      if (!u) throw badRequest(field, `no user ${username}`, { reason: 'contact-user-unknown', params: { username } });
      if (!can(u, 'ack'))
        throw badRequest(field, `${username} (${u.role}) may not acknowledge alarms`, {
          reason: 'contact-cannot-ack',
          params: { username, role: u.role },
        });
      const covers = r.siteIds === '*' ? seesAllSites(u) : r.siteIds.every((s) => maySee(u, s));
      if (!covers)
        throw badRequest(field, `${username} does not see every site of roster ${r.id}`, {
          reason: 'contact-sites-short',
          params: { username, roster: r.id },
        });
      // The contact's phone speaks for the user only if it is the number on the user's record.
      if (!samePhone(u.phone, c.phone))
        throw badRequest(`${i}.contacts.${j}.phone`, `is not the phone number on ${username}'s user record`, {
          reason: 'contact-phone-mismatch',
          params: { username },
        });
    }
  }
}

/** The caller's replacement merged with what lies beyond their sites (kept untouched). */
function merge<T extends Scoped>(p: Principal, current: T[], next: T[], what: string): T[] {
  if (seesAllSites(p)) return next;
  const bad = next.findIndex((e) => !editable(p, e));
  if (bad >= 0)
    throw forbidden(`${bad}.siteIds: ${what} ${next[bad]?.id} reaches beyond your sites`, {
      reason: 'scope-beyond-sites',
      params: { id: next[bad]?.id ?? '' },
    });
  const mine = new Set(next.map((e) => e.id));
  const kept = current.filter((e) => !editable(p, e));
  const clash = kept.find((e) => mine.has(e.id));
  if (clash)
    throw forbidden(`id: ${what} ${clash.id} belongs to sites beyond yours`, {
      reason: 'scope-beyond-sites',
      params: { id: clash.id },
    });
  return [...kept, ...next];
}

const DAY = 86_400_000;

/** `from`/`to` query (epoch ms) with a default span ending now and a cap on the span. */
export const window = qWindow;

function notificationView(r: NotificationRow, phone: string): NotificationView {
  return {
    id: r.id,
    alarmId: r.alarm_id,
    siteId: r.site_id,
    tier: r.tier,
    contactId: r.contact_id,
    contactName: r.contact_name,
    phone,
    status: r.status,
    provider: r.provider,
    kind: r.kind,
    attempts: r.attempts,
    dueAt: r.due_at,
    submittedAt: r.submitted_at,
    deliveredAt: r.delivered_at,
    failedAt: r.failed_at,
    error: r.error,
  };
}

/** The journal columns `GET /alarms/{id}/notifications` answered before camelCase (`phone` keeps its name). */
const SNAKE_ALIASES = [
  'alarm_id',
  'site_id',
  'step_id',
  'contact_id',
  'contact_name',
  'lang',
  'message_id',
  'text',
  'due_at',
  'next_try_at',
  'submitted_at',
  'delivered_at',
  'failed_at',
  'lateness_ms',
  'group_id',
] as const satisfies readonly (keyof NotificationRow & keyof NotificationSnakeAliases)[];

/**
 * An alarm's notification as `GET /alarms/{id}/notifications` answers it: NotificationView, plus
 * the journal's snake_case column names this route answered until now, kept one release as
 * deprecated aliases (protocol NotificationSnakeAliases). `phone` is masked like in the SMS log.
 */
function alarmNotificationView(r: NotificationRow, phone: string): AlarmNotificationView {
  const aliases = Object.fromEntries(SNAKE_ALIASES.map((k) => [k, r[k]])) as unknown as NotificationSnakeAliases;
  return { ...aliases, ...notificationView(r, phone) };
}

export const escalationRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/oncall',
    access: 'watch',
    query: ['siteId'],
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      const svc = service(deps);
      const rosters = new Map(
        svc
          .getRosters()
          .filter((r) => visible(principal, r))
          .map((r) => [r.id, r]),
      );
      return svc
        .dutyNow(siteId)
        .filter((d) => rosters.has(d.roster))
        .map((d) => dutyView(principal, rosters.get(d.roster), d));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/escalation/policies',
    access: 'rosters',
    async handle({ deps, principal }) {
      return service(deps)
        .getPolicies()
        .filter((p) => visible(principal, p));
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/escalation/policies',
    access: 'rules',
    body: PoliciesBody,
    async handle({ deps, principal, body, ip }) {
      const svc = service(deps);
      const next = merge(principal, svc.getPolicies(), body as EscalationPolicy[], 'policy');
      await svc.setPolicies(next);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'rules.change',
        target: 'escalation/policies',
        detail: { policies: (body as EscalationPolicy[]).map((p) => p.id) },
      });
      return svc.getPolicies().filter((p) => visible(principal, p));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/escalation/rosters',
    access: 'rosters',
    async handle({ deps, principal }) {
      // Contacts and phone numbers: only rosters wholly within the caller's sites (I5).
      return service(deps)
        .getRosters()
        .filter((r) => editable(principal, r));
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/escalation/rosters',
    access: 'rosters',
    body: RostersBody,
    async handle({ deps, principal, body, ip }) {
      const svc = service(deps);
      const next = merge(principal, svc.getRosters(), body as Roster[], 'roster');
      await checkContactUsers(deps, body as Roster[]);
      await svc.setRosters(next);
      // Phone numbers are personal data: the trail names the rosters, not their contacts.
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'rules.change',
        target: 'escalation/rosters',
        detail: { rosters: (body as Roster[]).map((r) => r.id) },
      });
      return svc.getRosters().filter((r) => editable(principal, r));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/escalation/shifts',
    access: 'rosters',
    query: ['siteId', 'from', 'to'],
    async handle({ deps, principal, req }) {
      // Issue 21: the week calendar and the "per shift" choice of KPIs and the shift report.
      const siteId = qSite(req, principal);
      const { from, to } = window(req, deps.auth.now(), 7 * DAY, 62 * DAY);
      const out: ShiftOccurrence[] = [];
      for (const r of service(deps).getRosters()) {
        if (!visible(principal, r)) continue;
        if (siteId !== undefined && r.siteIds !== '*' && !r.siteIds.includes(siteId)) continue;
        for (const slot of shiftSlots(r, from, to))
          out.push({
            rosterId: r.id,
            siteIds: r.siteIds,
            role: slot.role,
            ...(slot.name ? { name: slot.name } : {}),
            start: slot.start,
            end: slot.end,
            contacts: slot.contacts.map((c) => ({ id: c.id, name: c.name })),
          });
      }
      return out.sort((a, b) => a.start - b.start);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/notifications',
    access: 'rosters',
    query: ['siteId', 'alarmId', 'status', 'from', 'to', 'beforeDue', 'beforeId', 'limit'],
    async handle({ deps, principal, req }) {
      // Issue 21: the SMS log, every alarm of the caller's sites, newest first, keyset-paged.
      const siteId = qSite(req, principal);
      const alarmId = qString(req, 'alarmId');
      if (alarmId !== undefined && !ALARM_ID_REGEX.test(alarmId)) throw badRequest('alarmId', 'is not an alarm id');
      const status = qString(req, 'status');
      if (status !== undefined && !NOTIFICATION_STATUSES.includes(status as NotificationStatus))
        throw badRequest('status', `must be one of ${NOTIFICATION_STATUSES.join(', ')}`);
      const beforeId = qString(req, 'beforeId');
      if (beforeId !== undefined && !/^[A-Za-z0-9:._-]{1,200}$/.test(beforeId))
        throw badRequest('beforeId', 'is not a notification id');
      const rows = await service(deps).notificationLog({
        siteIds: siteId ? [siteId] : siteFilter(principal),
        alarmId,
        status: status as NotificationStatus | undefined,
        from: qTime(req, 'from'),
        to: qTime(req, 'to'),
        beforeDue: qInt(req, 'beforeDue', 0, 1e13),
        beforeId,
        limit: qInt(req, 'limit', 1, 500) ?? 100,
      });
      // Phone numbers in full only to an admin of every site; names are enough to follow up.
      const full = can(principal, 'users') && seesAllSites(principal);
      return rows.map((r) => notificationView(r, full ? r.phone : maskPhone(r.phone)));
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/alarms/:id/notifications',
    access: 'watch',
    async handle({ deps, principal, req }) {
      const id = pathId(req, 'id', ALARM_ID_REGEX);
      const found = await deps.alarms.get(id);
      if (!found || !maySee(principal, found.alarm.siteId))
        throw notFound(`alarm ${id}`, { reason: 'alarm-unknown', params: { alarmId: id } });
      // The same phone rule as the SMS log: in full only to an admin of every site.
      const full = can(principal, 'users') && seesAllSites(principal);
      const rows = await service(deps).notifications(id);
      return rows.map((r) => alarmNotificationView(r, full ? r.phone : maskPhone(r.phone)));
    },
  }),
];
