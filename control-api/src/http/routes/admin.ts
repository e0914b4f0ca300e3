/**
 * Admin routes: edge agents (CONTRACT POST/DELETE /agents; GET is open to viewers of the site), users CRUD and the audit trail
 * (issue 9). An admin whose grant is a list of sites manages only agents and users inside it
 * and cannot grant more than they hold.
 */
import { AgentCreateBody, UserCreateBody, UserPatchBody } from '@gwanje/protocol';
import { can, maySee, seesAllSites, siteFilter, withinScope } from '../../auth/permissions.js';
import type { AgentRow } from '../../store/types.js';
import { badRequest, forbidden, notFound } from '../errors.js';
import { pathId, qInt, qSite, qString, qTime } from '../query.js';
import { Reply, type RouteSpec, route } from '../route.js';
import { configView } from './config.js';

const USERNAME_PATH = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** Never the password hash. */
const agentView = (a: AgentRow) => ({
  agentId: a.agentId,
  siteId: a.siteId,
  name: a.name,
  revoked: a.revoked,
  state: a.state,
  lastSeen: a.lastSeen,
  buffered: a.buffered,
  version: a.version,
  createdAt: a.createdAt,
  config: configView(a),
});

export const adminRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/api/v1/agents',
    access: 'agents',
    body: AgentCreateBody,
    async handle({ deps, principal, body, ip }) {
      if (!maySee(principal, body.siteId)) throw forbidden(`siteId: ${body.siteId} is outside your sites`);
      if (!(await deps.sites.get(body.siteId))) throw badRequest('siteId', `unknown site ${body.siteId}`);
      const c = await deps.agentCreds.provision(body.agentId, body.siteId, body.name, principal.username, ip);
      // CONTRACT: the password is in this response and nowhere else, ever.
      return new Reply(201, {
        agentId: c.agentId,
        siteId: c.siteId,
        mqtt: { url: deps.mqttPublicUrl, username: c.agentId, password: c.password, clientId: c.agentId },
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/agents',
    // Reading agents' state is watching (the console's site panel); managing them is admin.
    access: 'watch',
    query: ['siteId'],
    async handle({ deps, principal, req }) {
      const siteId = qSite(req, principal);
      return (await deps.agents.list(siteFilter(principal), { siteId })).map(agentView);
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/agents/:id',
    access: 'agents',
    async handle({ deps, principal, req, ip }) {
      const id = pathId(req);
      const a = await deps.agents.get(id);
      if (!a || !maySee(principal, a.siteId)) throw notFound(`agent ${id}`);
      await deps.agentCreds.revoke(id, principal.username, ip);
      return new Reply(204);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/users',
    access: 'users',
    async handle({ deps, principal }) {
      return (await deps.auth.users.list()).filter((u) => withinScope(principal, u.sites));
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/users',
    access: 'users',
    body: UserCreateBody,
    async handle({ deps, principal, body, ip }) {
      if (!withinScope(principal, body.sites)) throw forbidden('sites: you cannot grant sites outside your own');
      return new Reply(201, await deps.auth.users.create(body, principal.username, ip));
    },
  }),
  route({
    method: 'patch',
    path: '/api/v1/users/:username',
    access: 'users',
    body: UserPatchBody,
    async handle({ deps, principal, req, body, ip }) {
      const name = pathId(req, 'username', USERNAME_PATH);
      const u = await deps.auth.users.get(name);
      if (!u || !withinScope(principal, u.sites)) throw notFound(`user ${name}`);
      if (body.sites && !withinScope(principal, body.sites))
        throw forbidden('sites: you cannot grant sites outside your own');
      const out = await deps.auth.users.update(name, body, principal.username, ip);
      if (body.password !== undefined) deps.auth.unlock(name);
      return out;
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/users/:username',
    access: 'users',
    async handle({ deps, principal, req, ip }) {
      const name = pathId(req, 'username', USERNAME_PATH);
      const u = await deps.auth.users.get(name);
      if (!u || !withinScope(principal, u.sites)) throw notFound(`user ${name}`);
      await deps.auth.users.delete(name, principal.username, ip);
      return new Reply(204);
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/audit',
    query: ['actor', 'action', 'kind', 'siteId', 'from', 'to', 'beforeTs', 'beforeId', 'limit'],
    access: 'audit-sites',
    async handle({ deps, principal, req }) {
      // An admin of every site reads the whole trail (logins, users included); anyone else with
      // audit-sites (supervisors, site-limited admins) reads the entries of their own sites only.
      const whole = can(principal, 'audit') && seesAllSites(principal);
      const siteId = qSite(req, principal);
      const actor = qString(req, 'actor');
      const action = qString(req, 'action');
      if (action !== undefined && !/^[a-z][a-z.-]{0,63}$/.test(action))
        throw badRequest('action', 'is not an audit action');
      const kind = qString(req, 'kind');
      if (kind !== undefined && !/^[a-z][a-z-]{0,31}$/.test(kind))
        throw badRequest('kind', 'is not an audit kind (the part of an action before its first dot)');
      const from = qTime(req, 'from');
      const to = qTime(req, 'to');
      const limit = qInt(req, 'limit', 1, 1000) ?? 200;
      let siteIds: string[] | '*' = siteId ? [siteId] : '*';
      if (!whole && !siteId)
        siteIds = seesAllSites(principal)
          ? (await deps.sites.summaries('*')).map((s) => s.siteId)
          : siteFilter(principal);
      const rows = await deps.audit.list({
        actor,
        action,
        actionPrefix: kind && `${kind}.`,
        siteIds,
        from,
        to,
        beforeTs: qTime(req, 'beforeTs'),
        beforeId: qInt(req, 'beforeId', 0, Number.MAX_SAFE_INTEGER),
        limit,
      });
      return rows;
    },
  }),
];
