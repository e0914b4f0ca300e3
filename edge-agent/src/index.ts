export { type AgentStats, EdgeAgent, type EdgeAgentOptions } from './agent.js';
export { resolveConfig } from './config.js';
export { LocalFailSafe } from './failsafe.js';
export { convertUnit, normalize, type RawReading } from './normalize.js';
export { StoreAndForwardQueue } from './queue/queue.js';
export { localRules } from './rules.js';
export { simulatedAgentConfig } from './sim/province.js';
export { AGENT_VERSION } from './version.js';
