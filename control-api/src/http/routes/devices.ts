/**
 * Device ownership (security review F1, F8; CONTRACT "A camera or sensor belongs to the site and
 * agent that first registered it ... only an admin of both sites can" move it) and what agents
 * report (F21):
 * - `DELETE /api/v1/sensors/{id}` (admin of the sensor's site): the sensor goes; the next reading
 *   for that id registers it for the agent that sends it (a squatted id is freed this way).
 * - `PUT /api/v1/sensors/{id}/owner`, `PUT /api/v1/cameras/{id}/owner` `{"agentId"}` (admin of the
 *   device's site and of the agent's site): the device moves to that agent and its site.
 * - `GET /api/v1/agent-events?siteId=&agentId=&type=&from=&to=&limit=` (viewer, site-scoped): the
 *   events agents sent, newest first (they are no longer in the people audit trail).
 * Every change is audited with who, before and after.
 */
import { DeviceOwnerBody } from '@gwanje/protocol';
import { maySee, type Principal, siteFilter } from '../../auth/permissions.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { pathId, qId, qInt, qSite, qTime } from '../query.js';
import { Reply, type RouteSpec, route } from '../route.js';
import { cameraView } from './directory.js';
import { sensorAdminView } from './sensor-view.js';

function devicesOf(deps: HttpDeps) {
  if (!deps.devices) throw new HttpError(503, 'unavailable', 'devices: ownership changes are not wired');
  return deps.devices;
}

/** The target agent, which the caller must see like the device (else it is "unknown", 400 naming the field). */
async function targetAgent(deps: HttpDeps, principal: Principal, agentId: string) {
  const agent = await deps.agents.get(agentId);
  if (!agent || agent.revoked || !maySee(principal, agent.siteId))
    throw badRequest('agentId', `no agent ${agentId} with live credentials in your sites`);
  return { siteId: agent.siteId, agentId: agent.agentId };
}

/** `PUT /api/v1/{sensors|cameras}/{id}/owner`: the device moves to the agent and its site, audited. */
function ownerRoute(kind: 'sensor' | 'camera'): RouteSpec {
  return route({
    method: 'put',
    path: `/api/v1/${kind}s/:id/owner`,
    access: 'agents',
    body: DeviceOwnerBody,
    async handle({ deps, principal, req, body, ip }) {
      const id = pathId(req);
      const device = kind === 'sensor' ? await deps.sensors.get(id) : await deps.cameras.get(id);
      if (!device || !maySee(principal, device.siteId)) throw notFound(`${kind} ${id}`);
      const to = await targetAgent(deps, principal, body.agentId);
      const devices = devicesOf(deps);
      const moved = kind === 'sensor' ? await devices.rehomeSensor(id, to) : await devices.rehomeCamera(id, to);
      if (!moved) throw notFound(`${kind} ${id}`);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: `${kind}.rehome`,
        target: id,
        detail: { from: { siteId: device.siteId, agentId: device.agentId }, to },
      });
      return 'sensorId' in moved.after ? sensorAdminView(moved.after) : cameraView(moved.after);
    },
  });
}

export const deviceRoutes: RouteSpec[] = [
  route({
    method: 'delete',
    path: '/api/v1/sensors/:id',
    access: 'agents',
    async handle({ deps, principal, req, ip }) {
      const id = pathId(req);
      const sensor = await deps.sensors.get(id);
      if (!sensor || !maySee(principal, sensor.siteId)) throw notFound(`sensor ${id}`);
      await devicesOf(deps).deleteSensor(id);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'sensor.delete',
        target: id,
        detail: { siteId: sensor.siteId, agentId: sensor.agentId },
      });
      return new Reply(204);
    },
  }),
  ownerRoute('sensor'),
  ownerRoute('camera'),
  route({
    method: 'get',
    path: '/api/v1/agent-events',
    query: ['siteId', 'agentId', 'type', 'from', 'to', 'limit'],
    access: 'watch',
    async handle({ deps, principal, req }) {
      if (!deps.agentEvents) throw new HttpError(503, 'unavailable', 'agent-events: not wired');
      const type = qId(req, 'type');
      const rows = await deps.agentEvents.list(siteFilter(principal), {
        siteId: qSite(req, principal),
        agentId: qId(req, 'agentId'),
        type,
        from: qTime(req, 'from'),
        to: qTime(req, 'to'),
        limit: qInt(req, 'limit', 1, 1000),
      });
      return rows.map((r) => ({
        ts: r.ts,
        siteId: r.siteId,
        agentId: r.agentId,
        type: r.type,
        sourceId: r.sourceId,
        event: r.event,
      }));
    },
  }),
];
