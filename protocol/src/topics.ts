/**
 * CONTRACT MQTT topic map. Pure: builds and parses topic strings, no I/O.
 * Central broker: `gwanje/v1/{siteId}/{agentId}/{suffix}`; field broker: `sensors/{sensorId}`.
 */
import { ID_REGEX } from './schemas/common.js';

export const TOPIC_ROOT = 'gwanje/v1';

export const AGENT_TOPICS = {
  telemetry: { suffix: 'telemetry', dir: 'up', qos: 1, retain: false },
  status: { suffix: 'status', dir: 'up', qos: 1, retain: true },
  cameras: { suffix: 'cameras', dir: 'up', qos: 1, retain: true },
  /** Extension (issue 15): the agent's sensors with range, calibration and rules. */
  sensors: { suffix: 'sensors', dir: 'up', qos: 1, retain: true },
  events: { suffix: 'events', dir: 'up', qos: 1, retain: false },
  cmdResult: { suffix: 'cmd/result', dir: 'up', qos: 1, retain: false },
  config: { suffix: 'config', dir: 'down', qos: 1, retain: true },
  cmd: { suffix: 'cmd', dir: 'down', qos: 1, retain: false },
} as const;

export type AgentTopicKind = keyof typeof AGENT_TOPICS;
const KIND_BY_SUFFIX = new Map<string, AgentTopicKind>(
  Object.entries(AGENT_TOPICS).map(([k, v]) => [v.suffix, k as AgentTopicKind]),
);

export const agentPrefix = (siteId: string, agentId: string): string => `${TOPIC_ROOT}/${siteId}/${agentId}/`;

export const agentTopic = (siteId: string, agentId: string, kind: AgentTopicKind): string =>
  agentPrefix(siteId, agentId) + AGENT_TOPICS[kind].suffix;

export const fieldTopic = (sensorId: string): string => `sensors/${sensorId}`;

export interface ParsedAgentTopic {
  scope: 'agent';
  kind: AgentTopicKind;
  siteId: string;
  agentId: string;
}
export interface ParsedFieldTopic {
  scope: 'field';
  kind: 'sensor';
  sensorId: string;
}
export type ParsedTopic = ParsedAgentTopic | ParsedFieldTopic;

/** Parses a topic of the contract, or returns undefined for anything else. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (topic.startsWith('sensors/')) {
    const sensorId = topic.slice(8);
    return ID_REGEX.test(sensorId) ? { scope: 'field', kind: 'sensor', sensorId } : undefined;
  }
  if (!topic.startsWith(`${TOPIC_ROOT}/`)) return undefined;
  const rest = topic.slice(TOPIC_ROOT.length + 1).split('/');
  if (rest.length < 3 || rest.length > 4) return undefined;
  const [siteId, agentId, ...suffixParts] = rest;
  const kind = KIND_BY_SUFFIX.get(suffixParts.join('/'));
  if (!kind || !ID_REGEX.test(siteId) || !ID_REGEX.test(agentId)) return undefined;
  return { scope: 'agent', kind, siteId, agentId };
}

/** Subscription filters the center uses for agents' uplink topics. */
export const CENTER_UPLINK_FILTERS: Record<Exclude<AgentTopicKind, 'config' | 'cmd'>, string> = {
  telemetry: `${TOPIC_ROOT}/+/+/telemetry`,
  status: `${TOPIC_ROOT}/+/+/status`,
  cameras: `${TOPIC_ROOT}/+/+/cameras`,
  sensors: `${TOPIC_ROOT}/+/+/sensors`,
  events: `${TOPIC_ROOT}/+/+/events`,
  cmdResult: `${TOPIC_ROOT}/+/+/cmd/result`,
};

/**
 * Issue 19: one site's uplink as its owner consumes it through the site's durable session
 * (everything but command results, which go to whichever center sent the command).
 */
export const siteUplinkFilters = (siteId: string): string[] =>
  (['telemetry', 'status', 'cameras', 'sensors', 'events'] as const).map((k) => `${TOPIC_ROOT}/${siteId}/+/${k}`);

/** MQTT 5 / Mosquitto 2 shared subscription ($share/{group}/{filter}), MQTT v5 spec 4.8.2. */
export const sharedFilter = (group: string, filter: string): string => `$share/${group}/${filter}`;

/**
 * Whether an agent may use a topic: only its own prefix; it publishes uplink kinds and
 * subscribes to downlink kinds (cmd, config). Used by the embedded broker's auth hooks and
 * mirrored into Mosquitto ACLs.
 */
export function agentMayUse(siteId: string, agentId: string, topic: string, op: 'publish' | 'subscribe'): boolean {
  const prefix = agentPrefix(siteId, agentId);
  if (!topic.startsWith(prefix)) return false;
  const parsed = parseTopic(topic);
  if (parsed?.scope !== 'agent') return false;
  const dir = AGENT_TOPICS[parsed.kind].dir;
  return op === 'publish' ? dir === 'up' : dir === 'down';
}
