/** What the broker needs from the security module (AgentCredentials.verifyBroker). */
export interface AgentIdentity {
  agentId: string;
  siteId: string;
}

export interface BrokerAuthenticator {
  /** Resolves the agent for broker credentials, or null when they are wrong or revoked. */
  verifyBroker(username: string, password: string): Promise<AgentIdentity | null>;
}

/** The center's own broker login: random per process for the embedded broker. */
export interface ServiceCredentials {
  username: string;
  password: string;
}
