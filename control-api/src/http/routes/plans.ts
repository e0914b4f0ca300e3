/**
 * Issue 21: site plans and where devices sit on them.
 * - `GET /api/v1/sites/{siteId}/layout` (watch): the plan's info and every placed sensor and camera.
 * - `GET /api/v1/sites/{siteId}/plan` (watch): the image, with a CSP that runs nothing.
 * - `PUT /api/v1/sites/{siteId}/plan[?page=N]` (plans: admin of the site): the image bytes, PNG,
 *   JPEG, SVG (sanitised) or a PDF page (rendered to PNG); type by magic bytes, at most 10 MiB.
 * - `DELETE /api/v1/sites/{siteId}/plan`.
 * - `PUT /api/v1/sites/{siteId}/link-radius` (plans) `{linkRadius}`: the site's camera link radius
 *   in plan widths (0.01..2), `null` for the center's default. Audited; alarm links follow at once.
 * - `PUT|DELETE /api/v1/{sensors|cameras}/{id}/position` (plans): `{x, y}`, cameras also
 *   `direction`, `fov`, `range` (protocol plan.ts). Audited; the alarm camera links follow at once.
 * A site or device outside the caller's sites is a 404 like one that does not exist.
 */
import { createHash } from 'node:crypto';
import { CameraPosition, LinkRadiusBody, PlanPosition, type SiteLayout } from '@gwanje/protocol';
import type { TSchema } from '@sinclair/typebox';
import type { AuditAction } from '../../auth/audit.js';
import { maySee, type Principal } from '../../auth/permissions.js';
import { PLAN_CSP, PLAN_MAX_BYTES, PlanImageError, readPlan } from '../../plans/image.js';
import type { HttpDeps } from '../deps.js';
import { notFound, refused } from '../errors.js';
import { pathId, qInt } from '../query.js';
import { Reply, type RouteSpec, route } from '../route.js';

type Plans = NonNullable<HttpDeps['plans']>;

function plansOf(deps: HttpDeps): Plans {
  if (!deps.plans)
    throw refused(503, 'unavailable', 'plans: site plans are not configured on this center', {
      reason: 'feature-unavailable',
    });
  return deps.plans;
}

async function siteIn(deps: HttpDeps, principal: Parameters<typeof maySee>[0], siteId: string): Promise<void> {
  if (!maySee(principal, siteId) || !(await deps.sites.get(siteId)))
    throw notFound(`site ${siteId}`, { reason: 'site-unknown', params: { siteId } });
}

/** After a change of a site's layout: the alarm camera links follow at once, and it is audited. */
async function layoutChanged(
  deps: HttpDeps,
  by: { principal: Principal; ip: string },
  siteId: string,
  action: AuditAction,
  target: string,
  detail: Record<string, unknown>,
): Promise<void> {
  plansOf(deps).linker.invalidate(siteId);
  await deps.audit.record({ actor: by.principal.username, ip: by.ip, action, target, detail });
}

const deviceUnknown = (kind: 'sensor' | 'camera', id: string) =>
  notFound(
    `${kind} ${id}`,
    kind === 'sensor'
      ? { reason: 'sensor-unknown', params: { sensorId: id } }
      : { reason: 'camera-unknown', params: { cameraId: id } },
  );

function positionRoutes(kind: 'sensor' | 'camera', schema: TSchema): RouteSpec[] {
  const device = async (deps: HttpDeps, id: string) =>
    kind === 'sensor' ? deps.sensors.get(id) : deps.cameras.get(id);
  return [
    route({
      method: 'put',
      path: `/api/v1/${kind}s/:id/position`,
      access: 'plans',
      body: schema,
      async handle({ deps, principal, req, body, ip }) {
        const plans = plansOf(deps);
        const id = pathId(req);
        const d = await device(deps, id);
        if (!d || !maySee(principal, d.siteId)) throw deviceUnknown(kind, id);
        const position = body as CameraPosition;
        await plans.store.setPosition(kind, id, d.siteId, position, principal.username, Date.now());
        await layoutChanged(deps, { principal, ip }, d.siteId, 'device.position', id, {
          kind,
          siteId: d.siteId,
          ...position,
        });
        return { [`${kind}Id`]: id, siteId: d.siteId, position };
      },
    }),
    route({
      method: 'delete',
      path: `/api/v1/${kind}s/:id/position`,
      access: 'plans',
      async handle({ deps, principal, req, ip }) {
        const plans = plansOf(deps);
        const id = pathId(req);
        const d = await device(deps, id);
        if (!d || !maySee(principal, d.siteId)) throw deviceUnknown(kind, id);
        if (!(await plans.store.deletePosition(kind, id)))
          throw notFound(`position of ${kind} ${id}`, { reason: 'position-unknown', params: { id } });
        await layoutChanged(deps, { principal, ip }, d.siteId, 'device.position', id, {
          kind,
          siteId: d.siteId,
          removed: true,
        });
        return new Reply(204);
      },
    }),
  ];
}

export const planRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/sites/:id/layout',
    access: 'watch',
    async handle({ deps, principal, req }): Promise<SiteLayout> {
      const plans = plansOf(deps);
      const siteId = pathId(req);
      await siteIn(deps, principal, siteId);
      const [plan, pos] = await Promise.all([plans.store.info(siteId), plans.store.positions(siteId)]);
      return {
        siteId,
        plan: plan ?? null,
        linkRadius: await plans.linker.radiusOf(siteId),
        defaultLinkRadius: plans.linker.radius,
        sensors: [...pos.sensors].map(([sensorId, position]) => ({ sensorId, position })),
        cameras: [...pos.cameras].map(([cameraId, position]) => ({ cameraId, position })),
      };
    },
  }),
  route({
    method: 'get',
    path: '/api/v1/sites/:id/plan',
    access: 'watch',
    async handle({ deps, principal, req, res }) {
      const plans = plansOf(deps);
      const siteId = pathId(req);
      await siteIn(deps, principal, siteId);
      const img = await plans.store.image(siteId);
      if (!img) throw notFound(`plan of site ${siteId}`, { reason: 'plan-unknown', params: { siteId } });
      // An SVG opened on its own must not run anything (it was sanitised on upload, too).
      res.setHeader('Content-Security-Policy', PLAN_CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('ETag', `"${img.sha256}"`);
      if (req.headers['if-none-match'] === `"${img.sha256}"`) return void res.status(304).end();
      res.type(img.mime).send(img.image);
      return undefined;
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/sites/:id/plan',
    access: 'plans',
    query: ['page'],
    rawBodyLimit: PLAN_MAX_BYTES,
    async handle({ deps, principal, req, raw, ip }) {
      const plans = plansOf(deps);
      const siteId = pathId(req);
      await siteIn(deps, principal, siteId);
      const page = qInt(req, 'page', 1, 10_000);
      let plan: Awaited<ReturnType<typeof readPlan>>;
      try {
        plan = await readPlan(raw, { page, pdftoppm: plans.pdftoppm });
      } catch (err) {
        if (err instanceof PlanImageError) throw refused(err.status, err.code, `body: ${err.message}`, err.why);
        throw err;
      }
      const sha256 = createHash('sha256').update(plan.bytes).digest('hex');
      await plans.store.putPlan(siteId, plan, sha256, principal.username, Date.now());
      await layoutChanged(deps, { principal, ip }, siteId, 'site.plan', siteId, {
        mime: plan.mime,
        width: plan.width,
        height: plan.height,
        bytes: plan.bytes.length,
        sha256,
        page,
      });
      return plans.store.info(siteId);
    },
  }),
  route({
    method: 'delete',
    path: '/api/v1/sites/:id/plan',
    access: 'plans',
    async handle({ deps, principal, req, ip }) {
      const plans = plansOf(deps);
      const siteId = pathId(req);
      await siteIn(deps, principal, siteId);
      if (!(await plans.store.deletePlan(siteId)))
        throw notFound(`plan of site ${siteId}`, { reason: 'plan-unknown', params: { siteId } });
      await layoutChanged(deps, { principal, ip }, siteId, 'site.plan', siteId, { removed: true });
      return new Reply(204);
    },
  }),
  route({
    method: 'put',
    path: '/api/v1/sites/:id/link-radius',
    access: 'plans',
    body: LinkRadiusBody,
    async handle({ deps, principal, req, body, ip }) {
      const plans = plansOf(deps);
      const siteId = pathId(req);
      await siteIn(deps, principal, siteId);
      await plans.store.setLinkRadius(siteId, body.linkRadius, principal.username, Date.now());
      await layoutChanged(deps, { principal, ip }, siteId, 'site.link-radius', siteId, { linkRadius: body.linkRadius });
      return { siteId, linkRadius: await plans.linker.radiusOf(siteId), defaultLinkRadius: plans.linker.radius };
    },
  }),
  ...positionRoutes('sensor', PlanPosition),
  ...positionRoutes('camera', CameraPosition),
];
