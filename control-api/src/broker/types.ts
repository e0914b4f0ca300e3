/** What the broker needs from the security module (AgentCredentials.verifyBroker). */
export interface AgentIdentity {
  agentId: string;
  siteId: string;
}

export interface BrokerAuthenticator {
  /**
   * Resolves the agent for broker credentials, or null when they are wrong, revoked or
   * throttled. `source` is the client's address, for the per-address failure throttle (F9).
   */
  verifyBroker(username: string, password: string, source?: string): Promise<AgentIdentity | null>;
}

/** The center's own broker login: random per process for the embedded broker. */
export interface ServiceCredentials {
  username: string;
  password: string;
}

/**
 * MQTT client id of the center's own client on the embedded broker. The underscore keeps it out
 * of the identifier pattern agents are named by (`^[a-z0-9][a-z0-9-]{0,62}$`), so no agent can
 * ever be issued an id equal to it (security review F2).
 */
export const EMBEDDED_SERVICE_CLIENT_ID = 'gwanje_center';

/** Every client id of the center's own logins starts so (never an agentId: `_` is outside its pattern). */
export const SERVICE_CLIENT_ID_PREFIX = 'gwanje_';
