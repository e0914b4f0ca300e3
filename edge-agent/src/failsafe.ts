/**
 * Local fail-safe (issue 5): the sensor's local rules (rules.ts: gas-high, o2-low, o2-high,
 * flame, smoke from protocol's safety table) run on the agent itself, so a leak sounds the
 * site's siren within 500 ms whether or not the WAN is up. `evaluate` is synchronous and runs
 * before the reading is queued; a trip publishes an `events` `local-alarm` and drives every
 * configured output (an MQTT topic on the field broker for a siren/beacon relay, payload
 * {on, reason, sensorId, ts}). An output stays on while any of its trips is active.
 *
 * What a reading says to a rule is protocol's `classifyReading` / `judgedValue`, the same the
 * center's detection uses (issue 15): an over-range gas reading (beyond the range, an
 * over-range code, a Modbus count above span) is above every high setpoint and trips the siren;
 * under-range is below every low one (O2); any other fault or a stale reading neither trips
 * nor clears. A trip clears once the value leaves the deadband (setpoint and deadband as at the
 * center). Unlike the center's alarms there is no on/off delay: the siren must sound at once.
 */
import type { AgentConfig, SensorConfig } from '@gwanje/firmware-config';
import {
  classifyReading,
  holds,
  judgedValue,
  outOfRange,
  type Reading,
  type ReadingClass,
  type RuleSpec,
  trips,
} from '@gwanje/protocol';
import type { Logger } from 'pino';
import { DEFAULT_OUTPUT_TYPES, localRules } from './rules.js';

export interface OutputCommand {
  on: boolean;
  reason: string;
  sensorId: string;
  ts: number;
}

export type LocalAlarmEvent = {
  type: 'local-alarm';
  sourceId: string;
  ts: number;
  /** The rule type that tripped (protocol safety RULE_TYPES). */
  alarm: string;
  state: 'active' | 'cleared';
  value: number;
  setpoint: number;
  outputs: string[];
  /** Set when the reading was not a plain measurement (over-range, under-range). */
  code?: string;
};

export interface FailSafeDeps {
  log: Logger;
  /** Publishes on the field broker (QoS 1); must not wait for the WAN. */
  publishOutput(topic: string, cmd: OutputCommand): void;
  /** Sends an `events` message upstream (buffered by the uplink while offline). */
  publishEvent(ev: LocalAlarmEvent): void;
}

interface Guarded {
  sensor: SensorConfig;
  rules: RuleSpec[];
}

export class LocalFailSafe {
  private readonly sensors = new Map<string, Guarded>();
  /** Active trips by `${sensorId}\0${type}`. */
  private readonly trips = new Map<string, { sensorId: string; rule: RuleSpec; since: number }>();
  /** Output id -> trips currently holding it on. */
  private readonly holders = new Map<string, Set<string>>();
  tripsTotal = 0;

  constructor(
    private readonly config: Pick<AgentConfig, 'sensors' | 'outputs'>,
    private readonly deps: FailSafeDeps,
  ) {
    for (const s of config.sensors) this.guard(s);
  }

  /** Guards a sensor with its local rules (every declared sensor; an adopted one the same way). */
  guard(sensor: SensorConfig): void {
    const rules = localRules(sensor);
    if (rules.length > 0) this.sensors.set(sensor.sensorId, { sensor, rules });
    else this.sensors.delete(sensor.sensorId);
  }

  /** Active local trips. */
  active(): Array<{ sensorId: string; type: string; since: number }> {
    return [...this.trips.values()].map((t) => ({ sensorId: t.sensorId, type: t.rule.type, since: t.since }));
  }

  evaluate(reading: Reading, now: number): void {
    const g = this.sensors.get(reading.sensorId);
    if (!g) return;
    const cls = classifyReading(g.sensor, reading);
    for (const rule of g.rules) {
      const v = judgedValue(rule, cls, reading.value);
      if (v === undefined) continue; // no evidence: a fault never trips nor clears
      const key = `${reading.sensorId}\u0000${rule.type}`;
      const tripped = this.trips.has(key);
      if (!tripped && trips(rule, v)) {
        this.trips.set(key, { sensorId: reading.sensorId, rule, since: now });
        this.tripsTotal += 1;
        this.drive(reading, rule, key, true, now, cls);
      } else if (tripped && !holds(rule, v)) {
        this.trips.delete(key);
        this.drive(reading, rule, key, false, now, cls);
      }
    }
  }

  private outputsFor(type: string): AgentConfig['outputs'] {
    return this.config.outputs.filter((o) => (o.on ?? DEFAULT_OUTPUT_TYPES).includes(type));
  }

  private drive(reading: Reading, rule: RuleSpec, key: string, on: boolean, now: number, cls: ReadingClass): void {
    const outs = this.outputsFor(rule.type);
    for (const o of outs) {
      const set = this.holders.get(o.id) ?? new Set<string>();
      const wasOn = set.size > 0;
      if (on) set.add(key);
      else set.delete(key);
      this.holders.set(o.id, set);
      // Switch on at every new trip (a new reason); off only when nothing holds the output.
      if (on || (wasOn && set.size === 0)) {
        try {
          this.deps.publishOutput(o.topic, { on, reason: rule.type, sensorId: reading.sensorId, ts: now });
        } catch (err) {
          this.deps.log.error({ output: o.id, err: (err as Error).message }, 'failsafe: output not driven');
        }
      }
    }
    this.deps.log.warn(
      { sensorId: reading.sensorId, alarm: rule.type, value: reading.value, on, reading: cls },
      on ? 'failsafe: local alarm tripped' : 'failsafe: local alarm cleared',
    );
    const ev: LocalAlarmEvent = {
      type: 'local-alarm',
      sourceId: reading.sensorId,
      ts: now,
      alarm: rule.type,
      state: on ? 'active' : 'cleared',
      value: reading.value,
      setpoint: rule.setpoint,
      outputs: outs.map((o) => o.id),
    };
    if (outOfRange(cls)) ev.code = cls;
    this.deps.publishEvent(ev);
  }
}
