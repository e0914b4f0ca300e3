/**
 * Issue 19: `GET /api/v1/cluster` (admin): the live center instances, the sites each owns (only
 * those the caller's grant covers: per-site scoping) and since when. On a single instance it lists
 * that one instance owning every site, with `clustered: false`.
 */
import type { ClusterView } from '@gwanje/protocol';
import { maySee } from '../../auth/permissions.js';
import { HttpError } from '../errors.js';
import { type RouteSpec, route } from '../route.js';

export const clusterRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/cluster',
    access: 'cluster',
    async handle({ deps, principal }): Promise<ClusterView> {
      const c = deps.cluster;
      if (!c) throw new HttpError(503, 'unavailable', 'cluster: not wired in this center');
      return {
        clustered: c.clustered,
        instances: c.instances().map((i) => ({
          instanceId: i.instanceId,
          publicUrl: i.publicUrl,
          startedAt: i.startedAt,
          heartbeatAt: i.heartbeatAt,
          self: i.self,
          sites: i.sites.filter((x) => maySee(principal, x.siteId)).map(({ siteId, since }) => ({ siteId, since })),
        })),
      };
    },
  }),
];
