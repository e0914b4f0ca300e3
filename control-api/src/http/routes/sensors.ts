/**
 * Per-sensor rules and camera links (issue 4 "every rule configurable per sensor", issue 7
 * admin screen): PATCH /api/v1/sensors/{id}. Admin only, site-scoped (a sensor elsewhere is a
 * 404 like one that does not exist). Overrides are resolved with detection's `resolveRules`
 * before anything is stored, so an override detection cannot use is a 400, never a crash later;
 * the running detection picks the change up at once through `deps.sensorAdmin.reload`.
 */
import { RuleOverride } from '@gwanje/firmware-config';
import { CameraId } from '@gwanje/protocol';
import { Type } from '@sinclair/typebox';
import { maySee } from '../../auth/permissions.js';
import { resolveRules } from '../../detection/rules.js';
import type { SensorRow } from '../../store/types.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { pathId } from '../query.js';
import { type RouteSpec, route } from '../route.js';
import { cameraLinks, jsonArray, sensorAdminView } from './sensor-view.js';

const strict = { additionalProperties: false } as const;

export const SensorPatchBody = Type.Object(
  {
    rules: Type.Optional(Type.Array(RuleOverride, { maxItems: 32 })),
    cameras: Type.Optional(
      Type.Array(Type.Object({ cameraId: CameraId, preset: Type.Optional(Type.String({ maxLength: 64 })) }, strict), {
        maxItems: 16,
      }),
    ),
  },
  { ...strict, minProperties: 1 },
);

export const sensorRoutes: RouteSpec[] = [
  route({
    method: 'patch',
    path: '/api/v1/sensors/:id',
    access: 'rules',
    body: SensorPatchBody,
    async handle({ deps, principal, body, req, ip }) {
      const id = pathId(req);
      const sensor = await deps.sensors.get(id);
      if (!sensor || !maySee(principal, sensor.siteId)) throw notFound(`sensor ${id}`);
      if (!deps.sensorAdmin) throw new HttpError(503, 'unavailable', 'sensors: rule editing is not wired');
      if (body.rules) {
        const seen = new Set<string>();
        body.rules.forEach((r, i) => {
          if (seen.has(r.type)) throw badRequest(`rules.${i}.type`, `duplicate rule ${r.type}`);
          seen.add(r.type);
        });
        try {
          resolveRules({ metric: sensor.metric, gas: sensor.gas ?? undefined, unit: sensor.unit }, body.rules);
        } catch (err) {
          const msg = (err as Error).message;
          const i = body.rules.findIndex((r) => msg.includes(`'${r.type}'`));
          throw badRequest(i >= 0 ? `rules.${i}.setpoint` : 'rules', msg.replace(/^detection: /, ''));
        }
      }
      if (body.cameras) {
        for (const [i, c] of body.cameras.entries()) {
          const cam = await deps.cameras.get(c.cameraId);
          // A camera of another site is reported as unknown: its existence is not the caller's business.
          if (!cam || cam.siteId !== sensor.siteId)
            throw badRequest(`cameras.${i}.cameraId`, `no camera ${c.cameraId} in site ${sensor.siteId}`);
        }
      }
      const before = { rules: jsonArray(sensor.rules), cameras: cameraLinks(sensor.cameras) };
      const next: SensorRow = {
        ...sensor,
        rules: body.rules ? JSON.stringify(body.rules) : sensor.rules,
        cameras: body.cameras ? JSON.stringify(body.cameras) : sensor.cameras,
      };
      const { lastValue: _v, lastTs: _t, state: _s, ...upsert } = next;
      await deps.sensorAdmin.save(upsert);
      await deps.sensorAdmin.reload?.(next);
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'rules.change',
        target: id,
        detail: { before, after: { rules: body.rules ?? before.rules, cameras: body.cameras ?? before.cameras } },
      });
      return sensorAdminView((await deps.sensors.get(id)) ?? next);
    },
  }),
];
