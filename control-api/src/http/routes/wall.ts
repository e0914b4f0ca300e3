/**
 * Issue 20: the caller's own video wall, stored on the server so it follows the operator to another
 * console. `GET /api/v1/me/wall` -> `{config, updatedAt}` (config null before the first save);
 * `PUT /api/v1/me/wall` with a WallConfig (unknown keys and bad grids are a 400 naming the field).
 * Only ever the caller's own row: the path has no username to tamper with.
 */
import { WallConfig } from '@gwanje/protocol';
import { HttpError } from '../errors.js';
import { type RouteSpec, route } from '../route.js';

const store = (deps: Parameters<RouteSpec['handle']>[0]['deps']) => {
  if (!deps.wallLayouts) throw new HttpError(503, 'unavailable', 'wall layouts are not stored on this center');
  return deps.wallLayouts;
};

export const wallRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/me/wall',
    access: 'watch',
    handle: async ({ deps, principal }) => store(deps).get(principal.username),
  }),
  route({
    method: 'put',
    path: '/api/v1/me/wall',
    access: 'watch',
    body: WallConfig,
    async handle({ deps, principal, body }) {
      const now = deps.auth.now();
      await store(deps).put(principal.username, body, now);
      return { updatedAt: now };
    },
  }),
];
