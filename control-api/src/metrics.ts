/**
 * Prometheus metrics of the center (CONTRACT "/metrics"). One registry per process (not the
 * prom-client global, so tests can run several centers in one process).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class CenterMetrics {
  readonly registry = new Registry();
  /** Readings stored, after de-duplication: a replayed reading is not counted twice. */
  readonly readings = new Counter({
    name: 'gwanje_readings_total',
    help: 'Readings accepted for storage after de-duplication',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'gwanje_rejected_messages_total',
    help: 'MQTT messages rejected at the decode point, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'gwanje_duplicate_messages_total',
    help: 'Telemetry messages dropped as duplicates by (agentId, seq)',
    registers: [this.registry],
  });
  readonly alarmsRaised = new Counter({
    name: 'gwanje_alarms_raised_total',
    help: 'Alarms raised, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  /** Reading ts (sensor clock) to the Socket.IO emit; buckets around the 20 ms goal of issue 4. */
  readonly alarmLatency = new Histogram({
    name: 'gwanje_alarm_latency_seconds',
    help: 'Latency from a reading ts to the Socket.IO alarm emit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  /** Security review F7: agents whose recent telemetry was all dropped as duplicates (a silenced agent shows here). */
  readonly agentsDuplicatesOnly = new Gauge({
    name: 'gwanje_agents_duplicates_only',
    help: 'Edge agents whose last telemetry messages were all dropped as duplicates',
    registers: [this.registry],
  });
  readonly messages = new Counter({
    name: 'gwanje_mqtt_messages_total',
    help: 'MQTT messages received by the center, by topic kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly agentsOnline = new Gauge({
    name: 'gwanje_agents_online',
    help: 'Edge agents whose last status is online',
    registers: [this.registry],
  });
  /** Security review F3/F2/F9: broker connections closed before or at login, by reason. */
  readonly brokerRefused = new Counter({
    name: 'gwanje_broker_refused_total',
    help: 'Embedded broker connections refused before or at login, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Security review F9: agent logins (MQTT CONNECT, video ingest Basic) refused, by reason. */
  readonly agentLoginRefused = new Counter({
    name: 'gwanje_agent_login_refused_total',
    help: 'Agent credential checks refused, by reason (bad-password, unknown-agent, cached-failure, throttled-address, throttled-agent)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** A bus listener threw or rejected (bus.ts): the others still ran; the log names the error. */
  readonly busListenerErrors = new Counter({
    name: 'gwanje_bus_listener_errors_total',
    help: 'Event bus listeners that failed, by event and owning module',
    labelNames: ['event', 'owner'] as const,
    registers: [this.registry],
  });
  /** Issue 18: a stored JSON column that did not decode, read as absent (store/stored-json.ts logs which row). */
  readonly storedJsonCorrupt = new Counter({
    name: 'gwanje_stored_json_corrupt_total',
    help: 'Stored JSON column values that failed to decode and were read as absent, by table and column',
    labelNames: ['table', 'column'] as const,
    registers: [this.registry],
  });
  readonly liveSockets = new Gauge({
    name: 'gwanje_live_sockets',
    help: 'Connected Socket.IO /live clients',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
