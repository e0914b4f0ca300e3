/**
 * The one decode point per way in (HOUSE_STYLE "The contract"): `decode(topic, bytes)` validates
 * and returns a typed message, or throws DecodeError whose `reason` the single caller counts
 * (`gwanje_rejected_messages_total{reason}`) and logs before dropping the message.
 */
import type { TSchema } from '@sinclair/typebox';
import { DecodeError, parseJson } from './json.js';
import { SensorReport, type SensorReport as SensorReportT } from './schemas/sensor-config.js';
import type {
  AgentEvent as AgentEventT,
  AgentStatus as AgentStatusT,
  CameraInventory as CameraInventoryT,
  CommandResult as CommandResultT,
  Command as CommandT,
  FieldReading as FieldReadingT,
  SignedConfig as SignedConfigT,
  Telemetry as TelemetryT,
} from './schemas/wire.js';
import {
  AgentEvent,
  AgentStatus,
  CameraInventory,
  Command,
  CommandResult,
  FieldReading,
  SignedConfig,
  Telemetry,
} from './schemas/wire.js';
import { type AgentTopicKind, parseTopic } from './topics.js';
import { compiled, formatErrors } from './validate.js';

interface AgentMsg<K extends AgentTopicKind, P> {
  scope: 'agent';
  kind: K;
  siteId: string;
  agentId: string;
  payload: P;
}

export type AgentMessage =
  | AgentMsg<'telemetry', TelemetryT>
  | AgentMsg<'status', AgentStatusT>
  | AgentMsg<'cameras', CameraInventoryT>
  | AgentMsg<'sensors', SensorReportT>
  | AgentMsg<'events', AgentEventT>
  | AgentMsg<'cmdResult', CommandResultT>
  | AgentMsg<'config', SignedConfigT>
  | AgentMsg<'cmd', CommandT>;

export interface FieldMessage {
  scope: 'field';
  kind: 'sensor';
  sensorId: string;
  payload: FieldReadingT;
}

export type DecodedMessage = AgentMessage | FieldMessage;

const SCHEMAS: Record<AgentTopicKind | 'sensor', TSchema> = {
  telemetry: Telemetry,
  status: AgentStatus,
  cameras: CameraInventory,
  sensors: SensorReport,
  events: AgentEvent,
  cmdResult: CommandResult,
  config: SignedConfig,
  cmd: Command,
  sensor: FieldReading,
};

/** Size caps per kind: telemetry batches are the largest legitimate payloads. */
const MAX_BYTES: Partial<Record<AgentTopicKind | 'sensor', number>> = {
  telemetry: 1024 * 1024,
  sensors: 512 * 1024,
  config: 512 * 1024,
  sensor: 4 * 1024,
  status: 16 * 1024,
};

function validated(kind: AgentTopicKind | 'sensor', value: unknown): void {
  const fn = compiled(SCHEMAS[kind]);
  if (!fn(value)) throw new DecodeError('schema', formatErrors(fn.errors).slice(0, 5).join('; '));
}

/** Decodes an empty payload on a retained topic (a cleared retained message) as `undefined`. */
export function decode(topic: string, bytes: Uint8Array | string): DecodedMessage {
  const parsed = parseTopic(topic);
  if (!parsed) throw new DecodeError('topic', `not a contract topic: ${topic.slice(0, 200)}`);
  const value = parseJson(bytes, MAX_BYTES[parsed.kind] ?? 256 * 1024);
  validated(parsed.kind, value);
  if (parsed.scope === 'field') {
    return { scope: 'field', kind: 'sensor', sensorId: parsed.sensorId, payload: value as FieldReadingT };
  }
  // CONTRACT: "The topic names the sender: a payload whose agentId differs from the topic's is invalid."
  if ((parsed.kind === 'telemetry' || parsed.kind === 'sensors') && (value as TelemetryT).agentId !== parsed.agentId) {
    throw new DecodeError('agent-mismatch', `payload agentId does not match topic agent ${parsed.agentId}`);
  }
  return { ...parsed, payload: value } as AgentMessage;
}

/** Encodes a payload for a topic after validating it: nothing invalid leaves a Gwanje process. */
export function encode(topic: string, payload: unknown): Buffer {
  const parsed = parseTopic(topic);
  if (!parsed) throw new DecodeError('topic', `not a contract topic: ${topic}`);
  validated(parsed.kind, payload);
  return Buffer.from(JSON.stringify(payload));
}
