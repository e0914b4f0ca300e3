/**
 * Config push (issue 10, the center side; contract in firmware-config/README.md): an admin posts
 * a signed `SignedConfig` envelope for one agent; the center checks it names that agent and
 * site, verifies the signature when a public key is pinned, records the desired version,
 * publishes the envelope as-is QoS 1 RETAINED on `gwanje/v1/{siteId}/{agentId}/config` and
 * answers 202. The agent reports the applied version in `status.config` (ingest records it).
 */
import { ConfigVerifyError, verifySignedConfig } from '@gwanje/firmware-config';
import { maskSecrets, SignedConfig } from '@gwanje/protocol';
import type { AgentConfigDetail } from '@gwanje/protocol/schemas/escalation.js';
import { maySee } from '../../auth/permissions.js';
import type { AgentRow } from '../../store/types.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { pathId } from '../query.js';
import { Reply, type RouteSpec, route } from '../route.js';

const agentUnknown = (agentId: string) =>
  notFound(`agent ${agentId}`, { reason: 'agent-unknown', params: { agentId } });

/** What ingest stores in `configApplied`: the agent's `status.config` as JSON. */
export interface AppliedConfig {
  version: string;
  outcome: string;
  error?: string;
}

export function parseApplied(text: string | null): AppliedConfig | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && typeof (v as AppliedConfig).version === 'string') return v as AppliedConfig;
  } catch {
    // A bare version string written by an older center: it was applied.
    return { version: text, outcome: 'applied' };
  }
  return { version: text, outcome: 'applied' };
}

/** `GET /agents` per-agent view: desired vs applied (as the agent reported it); drift when they differ. */
export function configView(a: Pick<AgentRow, 'configDesired' | 'configApplied'>) {
  const applied = parseApplied(a.configApplied);
  const desired = a.configDesired ?? null;
  return {
    desired,
    applied: applied?.version ?? null,
    outcome: applied?.outcome ?? null,
    ...(applied?.error ? { error: applied.error } : {}),
    drift: desired !== null && desired !== (applied?.version ?? null),
  };
}

export const configRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/api/v1/agents/:id/config',
    access: 'rosters',
    async handle({ deps, principal, req }): Promise<AgentConfigDetail> {
      // Issue 21: desired vs reported config of one agent, with both documents when this center
      // pushed them (secrets masked), for the supervisor's drift view.
      const id = pathId(req);
      const agent = await deps.agents.get(id);
      if (!agent || !maySee(principal, agent.siteId)) throw agentUnknown(id);
      const view = configView(agent);
      const pushes = (await deps.configPushes?.history(agent.agentId)) ?? [];
      const doc = async (v: string | null) =>
        v === null ? null : ((await deps.configPushes?.get(agent.agentId, v))?.document ?? null);
      return {
        agentId: agent.agentId,
        siteId: agent.siteId,
        ...view,
        desiredDocument: await doc(view.desired),
        appliedDocument: await doc(view.applied),
        pushes: pushes.map(({ version, keyId, pushedAt, pushedBy }) => ({ version, keyId, pushedAt, pushedBy })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/api/v1/agents/:id/config',
    access: 'config',
    body: SignedConfig,
    async handle({ deps, principal, req, body, ip }) {
      const id = pathId(req);
      const agent = await deps.agents.get(id);
      // Out of scope answers like unknown: an agent elsewhere is not the caller's business.
      if (!agent || agent.revoked || !maySee(principal, agent.siteId)) throw agentUnknown(id);
      const doc = body.document;
      if (doc.agentId !== agent.agentId)
        throw badRequest('document.agentId', `must be ${agent.agentId} (the agent in the path)`, {
          reason: 'config-agent-mismatch',
          params: { expected: agent.agentId },
        });
      if (doc.siteId !== agent.siteId)
        throw badRequest('document.siteId', `must be ${agent.siteId} (the site the agent is registered for)`, {
          reason: 'config-site-mismatch',
          params: { expected: agent.siteId },
        });
      // Security review F20: an envelope nobody verified would replace the agent's retained config
      // (and the agent, without a pinned key, ignores remote config anyway); refuse unless allowed.
      if (!deps.configPublicKeyPem && !deps.allowUnsignedConfig)
        throw new HttpError(
          503,
          'config-unverifiable',
          'config: set GWANJE_CONFIG_PUBLIC_KEY (the key gwanje-config signs with) to push configs; GWANJE_CONFIG_ALLOW_UNSIGNED=1 allows unverified pushes on a test bench',
        );
      if (deps.configPublicKeyPem) {
        try {
          verifySignedConfig(body, deps.configPublicKeyPem, { agentId: agent.agentId, siteId: agent.siteId });
        } catch (err) {
          if (err instanceof ConfigVerifyError) {
            const field = err.reason === 'document' ? 'document' : err.reason === 'version' ? 'version' : 'signature';
            const detail = [err.message, ...err.errors].join('; ').slice(0, 500);
            throw badRequest(field, `${err.reason}: ${detail}`, { reason: 'config-invalid', params: { detail } });
          }
          throw err;
        }
      }
      if (!deps.agentConfig || !deps.commands.publishConfig)
        throw new HttpError(503, 'unavailable', 'config: config push is not wired in this center');
      // Desired first: if the publish fails the drift shows it and a retry republishes.
      await deps.agentConfig.setConfig(agent.agentId, { desired: body.version });
      await deps.commands.publishConfig(agent.siteId, agent.agentId, body);
      // Issue 21: kept (secrets masked) so the console can diff desired against reported config.
      await deps.configPushes?.record({
        agentId: agent.agentId,
        version: body.version,
        siteId: agent.siteId,
        keyId: body.keyId,
        document: maskSecrets(body.document),
        pushedAt: deps.auth.now(),
        pushedBy: principal.username,
      });
      await deps.audit.record({
        actor: principal.username,
        ip,
        action: 'config.push',
        target: agent.agentId,
        detail: { siteId: agent.siteId, version: body.version, keyId: body.keyId },
      });
      return new Reply(202, { agentId: agent.agentId, version: body.version });
    },
  }),
];
