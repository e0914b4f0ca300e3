/** Reported in `status.version`; bump with edge-agent/package.json. */
export const AGENT_VERSION = '0.1.0';
