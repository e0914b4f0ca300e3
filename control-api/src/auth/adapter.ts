/**
 * Binds the security ports to the store's `Repositories` (SQLite or PostgreSQL through Kysely),
 * so AuthService, AgentCredentials and AuditLog run on the same tables as everything else.
 */
import type { Repositories } from '../store/repositories.js';
import type { AuthPorts } from './ports.js';

export function authPortsFromRepositories(repos: Repositories): AuthPorts {
  return {
    users: {
      get: (u) => repos.users.get(u),
      list: () => repos.users.list(),
      create: async (row) => {
        if (!(await repos.users.create(row))) throw new Error(`auth: user ${row.username} already exists`);
      },
      update: async (u, patch) => {
        await repos.users.update(u, patch);
      },
      delete: (u) => repos.users.remove(u),
    },
    sessions: {
      create: ({ jti, username, issuedAt, expiresAt }) => repos.sessions.create({ jti, username, issuedAt, expiresAt }),
      get: (jti) => repos.sessions.get(jti),
      revoke: async (jti, at) => {
        await repos.sessions.revoke(jti, at);
      },
      revokeAll: async (u, at) => {
        await repos.sessions.revokeAllForUser(u, at);
      },
      purgeExpired: (before) => repos.sessions.purgeExpired(before),
    },
    audit: {
      append: async (row) => {
        await repos.audit.append(row);
      },
      list: (q) => repos.audit.list(q),
    },
    agents: {
      get: (id) => repos.agents.get(id),
      list: () => repos.agents.list('*'),
      upsertCredentials: async (row) => {
        const existing = await repos.agents.get(row.agentId);
        if (!existing) {
          await repos.agents.create({
            agentId: row.agentId,
            siteId: row.siteId,
            name: row.name,
            mqttPasswordHash: row.mqttPasswordHash,
            mqttPasswordCheck: row.mqttPasswordCheck,
            createdAt: row.createdAt,
          });
          return;
        }
        // Re-issue keeps the agent's identity; moving an agent to another site is a new agentId.
        if (existing.siteId !== row.siteId) {
          throw new Error(`auth: agent ${row.agentId} belongs to site ${existing.siteId}, not ${row.siteId}`);
        }
        await repos.agents.setPassword(row.agentId, row.mqttPasswordHash, row.mqttPasswordCheck ?? null);
      },
      setPasswordCheck: async (id, check) => {
        await repos.agents.setPasswordCheck(id, check);
      },
      revoke: async (id) => {
        await repos.agents.revoke(id);
      },
    },
    settings: {
      get: (k) => repos.settings.get(k),
      set: (k, v) => repos.settings.set(k, v),
      remove: (k) => repos.settings.remove(k),
    },
  };
}
