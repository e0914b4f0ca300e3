/**
 * The center's side of an external Mosquitto with the dynamic-security plugin: the center's own
 * client is ensured with GWANJE_MQTT_CENTER_PASSWORD, and every agent credential issued or
 * revoked through the API is mirrored onto the broker (provision is awaited, so the agent can
 * connect with the password it was just given; revoke makes Mosquitto drop it at once).
 */
import type { AgentCredentials } from '../auth/agent-credentials.js';
import type { EventBus } from '../bus.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';
import { MosquittoDynsec } from './dynsec.js';

export const urlUser = (raw: string): string | undefined => decodeURIComponent(new URL(raw).username) || undefined;
export const urlPassword = (raw: string): string | undefined => decodeURIComponent(new URL(raw).password) || undefined;

export async function startDynsec(
  s: Pick<Settings, 'mqttUrl' | 'mqttAdminUrl' | 'mqttCenterPassword'>,
  agentCreds: Pick<AgentCredentials, 'onProvision'>,
  bus: Pick<EventBus, 'on'>,
  log: Logger,
  /** Agents with live credentials: their broker clients are bound to client id = agentId (F2). */
  liveAgents?: () => Promise<string[]>,
): Promise<MosquittoDynsec> {
  const dynsec = new MosquittoDynsec({ url: s.mqttAdminUrl as string, log });
  await dynsec.start();
  const user = s.mqttUrl ? urlUser(s.mqttUrl) : undefined;
  const password = s.mqttCenterPassword ?? (s.mqttUrl ? urlPassword(s.mqttUrl) : undefined);
  if (user && password) await dynsec.ensureCenter(user, password);
  else log.warn('dynsec: GWANJE_MQTT_URL names no user or no password; center client not ensured');
  if (liveAgents) {
    const bound = await dynsec.bindClientIds(await liveAgents());
    log.info({ bound }, 'dynsec: agent clients bound to their client ids');
  }
  agentCreds.onProvision((agentId, siteId, pw) => dynsec.provisionAgent(siteId, agentId, pw));
  bus.on('dynsec', 'agent.revoked', ({ agentId }) =>
    dynsec
      .revokeAgent(agentId)
      .catch((err: Error) => log.error({ agentId, err: err.message }, 'dynsec: agent not revoked on the broker')),
  );
  return dynsec;
}
