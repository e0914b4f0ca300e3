/**
 * `POST /api/v1/simulator/agents` (issue 18; an addition to CONTRACT): the simulator beside the
 * center presents the one-time provisioning token from `${GWANJE_DATA_DIR}/simulator-token` as
 * `Authorization: Bearer` and gets 201 `{"agents":[{agentId,siteId,mqtt}]}`, the broker
 * credentials of the simulated agents of the first GWANJE_SIMULATE seeded sites (shown once). A
 * user's API token is no provisioning token: without a valid, unspent one the answer is 401.
 */
import type { SimulatorAgentsResponse } from '@gwanje/protocol';
import { AuthError } from '../auth/errors.js';
import { bearer, Reply, type RouteSpec, route } from '../http/route.js';
import type { SimulatorAccess } from './access.js';

export function simulatorRoutes(access: () => SimulatorAccess | undefined): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/api/v1/simulator/agents',
      // Not a user's token: the handler checks the provisioning token itself.
      access: 'public',
      async handle({ req, ip }) {
        const a = access();
        if (!a) throw new AuthError('unauthorized', 'simulator: no simulation is running (GWANJE_SIMULATE=0)');
        const agents = await a.provision(bearer(req), ip);
        const out: SimulatorAgentsResponse = { agents };
        return new Reply(201, out);
      },
    }),
  ];
}
