/**
 * Local fail-safe (issue 5): the gas-high and flame rules run on the agent itself, so a leak
 * sounds the site's siren within 500 ms whether or not the WAN is up. `evaluate` is synchronous
 * and runs before the reading is queued; a trip publishes an `events` `local-alarm` and drives
 * every configured output (an MQTT topic on the field broker for a siren/beacon relay, payload
 * {on, reason, sensorId, ts}). An output stays on while any of its trips is active; a trip
 * clears below setpoint - deadband (ISA-18.2 deadband, so a hovering value cannot chatter).
 */
import type { AgentConfig, SensorConfig } from '@gwanje/firmware-config';
import type { Reading } from '@gwanje/protocol';
import type { Logger } from 'pino';
import { type LocalRule, localRule } from './rules.js';

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
  alarm: LocalRule['type'];
  state: 'active' | 'cleared';
  value: number;
  setpoint: number;
  outputs: string[];
};

export interface FailSafeDeps {
  log: Logger;
  /** Publishes on the field broker (QoS 1); must not wait for the WAN. */
  publishOutput(topic: string, cmd: OutputCommand): void;
  /** Sends an `events` message upstream (buffered by the uplink while offline). */
  publishEvent(ev: LocalAlarmEvent): void;
}

interface Trip {
  rule: LocalRule;
  since: number;
}

export class LocalFailSafe {
  private readonly rules = new Map<string, LocalRule>();
  private readonly trips = new Map<string, Trip>();
  /** Output id -> sensors currently holding it on. */
  private readonly holders = new Map<string, Set<string>>();
  tripsTotal = 0;

  constructor(
    private readonly config: Pick<AgentConfig, 'sensors' | 'outputs'>,
    private readonly deps: FailSafeDeps,
  ) {
    for (const s of config.sensors) this.adopt(s);
  }

  /** Sets the local rule of a sensor (declared, or adopted at run time: discovery.ts). */
  adopt(sensor: SensorConfig): void {
    const r = localRule(sensor);
    if (r) this.rules.set(sensor.sensorId, r);
  }

  /** Active local trips, by sensor. */
  active(): Array<{ sensorId: string; type: LocalRule['type']; since: number }> {
    return [...this.trips].map(([sensorId, t]) => ({ sensorId, type: t.rule.type, since: t.since }));
  }

  evaluate(reading: Reading, now: number): void {
    const rule = this.rules.get(reading.sensorId);
    // A faulted detector's value is not evidence; its fault alarm is the center's business.
    if (!rule || reading.quality === 'fault') return;
    const tripped = this.trips.get(reading.sensorId);
    if (!tripped && reading.value >= rule.setpoint) {
      this.trips.set(reading.sensorId, { rule, since: now });
      this.tripsTotal += 1;
      this.drive(reading, rule, true, now);
    } else if (tripped && reading.value < rule.setpoint - rule.deadband) {
      this.trips.delete(reading.sensorId);
      this.drive(reading, rule, false, now);
    }
  }

  private outputsFor(type: LocalRule['type']): AgentConfig['outputs'] {
    return this.config.outputs.filter((o) => (o.on ?? ['gas-high', 'flame']).includes(type));
  }

  private drive(reading: Reading, rule: LocalRule, on: boolean, now: number): void {
    const outs = this.outputsFor(rule.type);
    for (const o of outs) {
      const set = this.holders.get(o.id) ?? new Set<string>();
      const wasOn = set.size > 0;
      if (on) set.add(reading.sensorId);
      else set.delete(reading.sensorId);
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
      { sensorId: reading.sensorId, alarm: rule.type, value: reading.value, on },
      on ? 'failsafe: local alarm tripped' : 'failsafe: local alarm cleared',
    );
    this.deps.publishEvent({
      type: 'local-alarm',
      sourceId: reading.sensorId,
      ts: now,
      alarm: rule.type,
      state: on ? 'active' : 'cleared',
      value: reading.value,
      setpoint: rule.setpoint,
      outputs: outs.map((o) => o.id),
    });
  }
}
