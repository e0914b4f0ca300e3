export { type AgentStats, EdgeAgent, type EdgeAgentOptions } from './agent.js';
export type { FfmpegUse } from './cameras/stream.js';
export { resolveConfig } from './config.js';
export { LocalFailSafe } from './failsafe.js';
export { convertUnit, normalize, type RawReading } from './normalize.js';
export { StoreAndForwardQueue } from './queue/queue.js';
export { localRule } from './rules.js';
export { simulatedAgentConfig } from './sim/province.js';
export { AGENT_VERSION } from './version.js';
