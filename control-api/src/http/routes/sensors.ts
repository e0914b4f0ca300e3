/**
 * Per-sensor configuration (issue 4 "every rule configurable per sensor", issue 7 admin screen,
 * issue 15 typed rules): PATCH /api/v1/sensors/{id} sets the admin's rule overrides, camera
 * links and (when the agent reports none) the measuring range; POST .../out-of-service and
 * .../return-to-service take a quiet sensor out for maintenance or a bump test and back.
 *
 * Rules are checked with the protocol's `checkRules` (the same checks firmware-config runs on the
 * signed agent config): an unknown type, a type that does not fit the sensor, a setpoint outside
 * its range, gas-low above gas-high or a TWA above its STEL is a 400 naming the field. The
 * admin's overrides layer on the agent's; the pair is checked together. Admin only for rules
 * and range, supervisor for out-of-service; site-scoped (a sensor elsewhere is a 404).
 */
import {
  AckBody,
  checkRules,
  mergeOverrides,
  OutOfServiceBody,
  type RuleOverride as RuleOverrideT,
  type RuleProblem,
  SensorPatchBody,
} from '@gwanje/protocol';
import type { AuditAction } from '../../auth/audit.js';
import { maySee } from '../../auth/permissions.js';
import { describeRow } from '../../ingest/sensors.js';
import type { SensorRow } from '../../store/types.js';
import type { HttpDeps } from '../deps.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { pathId } from '../query.js';
import { type Ctx, type RouteSpec, route } from '../route.js';
import { sensorAdminView } from './sensor-view.js';

async function sensorOf(ctx: Ctx): Promise<{ id: string; sensor: SensorRow }> {
  const id = pathId(ctx.req);
  const sensor = await ctx.deps.sensors.get(id);
  if (!sensor || !maySee(ctx.principal, sensor.siteId)) throw notFound(`sensor ${id}`);
  if (!ctx.deps.sensorAdmin) throw new HttpError(503, 'unavailable', 'sensors: sensor administration is not wired');
  return { id, sensor };
}

/** A 400 naming the field, with the problem's reason and params for the console to explain it. */
const ruleError = (field: string, p: RuleProblem, message = p.message): HttpError =>
  new HttpError(400, 'bad-request', `${field}: ${message}`, field, { reason: p.reason, params: p.params });

/** The rule checks of issue 15 on the admin's overrides layered over the agent's. */
function checkPatchRules(sensor: SensorRow, rules: RuleOverrideT[]): void {
  const desc = describeRow(sensor);
  const own = checkRules(desc, rules);
  if (own.length > 0) throw ruleError(own[0].path, own[0]);
  const agent: RuleOverrideT[] = sensor.agentRules ?? [];
  const merged = mergeOverrides(agent, rules);
  const all = checkRules(desc, merged);
  if (all.length === 0) return;
  // Name the admin's field: merged index -> type -> the body's index of that type.
  const m = /^rules\.(\d+)\.(\w+)$/.exec(all[0].path);
  const type = m ? merged[Number(m[1])]?.type : undefined;
  const i = type === undefined ? -1 : rules.findIndex((r) => r.type === type);
  const field = i >= 0 && m ? `rules.${i}.${m[2]}` : 'rules';
  throw ruleError(field, all[0], `${all[0].message}${i >= 0 ? '' : " (with the agent's configured rules)"}`);
}

function rangePatch(sensor: SensorRow, range: { min: number; max: number } | null): Partial<SensorRow> {
  if (sensor.rangeSource === 'agent') {
    const v = sensor.configVersion ? ` (version ${sensor.configVersion})` : '';
    throw new HttpError(
      409,
      'conflict',
      `range: set by the agent's signed configuration${v}; change it there`,
      'range',
    );
  }
  if (range === null) return { rangeMin: null, rangeMax: null, rangeSource: null };
  if (!(range.min < range.max)) throw badRequest('range', 'min must be less than max');
  return { rangeMin: range.min, rangeMax: range.max, rangeSource: 'admin' };
}

function serviceRoute(outOfService: boolean): RouteSpec {
  const action = outOfService ? 'out-of-service' : 'return-to-service';
  return route({
    method: 'post',
    path: `/api/v1/sensors/:id/${action}`,
    access: 'out-of-service',
    body: outOfService ? OutOfServiceBody : AckBody,
    async handle(ctx) {
      const { id, sensor } = await sensorOf(ctx);
      const { deps, principal, ip } = ctx;
      const body = (ctx.body ?? {}) as { reason?: string; comment?: string };
      const admin = deps.sensorAdmin as NonNullable<HttpDeps['sensorAdmin']>;
      if (!admin.setOutOfService) throw new HttpError(503, 'unavailable', 'sensors: out-of-service is not wired');
      const was = sensor.outOfService != null;
      if (was === outOfService) {
        throw new HttpError(409, 'invalid-state', `sensor ${id} is ${was ? 'already' : 'not'} out of service`);
      }
      const oos = outOfService
        ? { since: deps.auth.now(), actor: principal.username, reason: body.reason ?? '' }
        : null;
      await admin.setOutOfService(sensor, oos, principal.username, body.comment);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: `sensor.${action}` as AuditAction,
        target: id,
        detail: {
          siteId: sensor.siteId,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.comment ? { comment: body.comment } : {}),
        },
      });
      return sensorAdminView((await deps.sensors.get(id)) ?? { ...sensor, outOfService: oos });
    },
  });
}

export const sensorRoutes: RouteSpec[] = [
  route({
    method: 'patch',
    path: '/api/v1/sensors/:id',
    access: 'rules',
    body: SensorPatchBody,
    async handle(ctx) {
      const { id, sensor } = await sensorOf(ctx);
      const { deps, principal, body, ip } = ctx;
      let next: SensorRow = { ...sensor };
      if (body.range !== undefined) next = { ...next, ...rangePatch(sensor, body.range) };
      // Rules are checked against the range as it will be (a narrower range can invalidate a setpoint).
      const rules: RuleOverrideT[] = body.rules ?? sensor.rules ?? [];
      if (body.rules || body.range !== undefined) checkPatchRules(next, rules);
      if (body.cameras) {
        for (const [i, c] of body.cameras.entries()) {
          const cam = await deps.cameras.get(c.cameraId);
          // A camera of another site is reported as unknown: its existence is not the caller's business.
          if (!cam || cam.siteId !== sensor.siteId)
            throw badRequest(`cameras.${i}.cameraId`, `no camera ${c.cameraId} in site ${sensor.siteId}`);
        }
      }
      const before = { rules: sensor.rules ?? [], cameras: sensor.cameras ?? [], range: rangeOf(sensor) };
      if (body.rules) next.rules = body.rules;
      if (body.cameras) next.cameras = body.cameras;
      const { lastValue: _v, lastTs: _t, state: _s, ...upsert } = next;
      const admin = deps.sensorAdmin as NonNullable<HttpDeps['sensorAdmin']>;
      await admin.save(upsert);
      await admin.reload?.(next);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'rules.change',
        target: id,
        detail: {
          before,
          after: { rules: body.rules ?? before.rules, cameras: body.cameras ?? before.cameras, range: rangeOf(next) },
        },
      });
      return sensorAdminView((await deps.sensors.get(id)) ?? next);
    },
  }),
  serviceRoute(true),
  serviceRoute(false),
];

const rangeOf = (r: SensorRow) =>
  r.rangeMin != null && r.rangeMax != null ? { min: r.rangeMin, max: r.rangeMax } : null;
