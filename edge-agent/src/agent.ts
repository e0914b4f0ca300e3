/**
 * EdgeAgent: one site box (issue 5). Entry wiring only; every module below has start()/stop()
 * and receives its dependencies. Data path of a reading:
 *   driver -> normalize -> local fail-safe (sync) -> StoreAndForwardQueue.append (accepted)
 *          -> TelemetryUplink batch -> central broker PUBACK -> queue commit (forwarded)
 */
import { join } from 'node:path';
import type { AgentConfig, SensorConfig } from '@gwanje/firmware-config';
import {
  type AgentStatus,
  type Command,
  type CommandResult,
  Reading,
  type SignedConfig,
  validate,
} from '@gwanje/protocol';
import pino, { type Logger } from 'pino';
import { CameraService } from './cameras/service.js';
import type { FfmpegUse } from './cameras/stream.js';
import { CentralLink } from './central.js';
import { resolveConfig } from './config.js';
import { RecentReadings, readingKey } from './dedupe.js';
import { type SensorDescription, SensorDiscovery } from './discovery.js';
import { createDrivers } from './drivers/index.js';
import type { FieldDriver } from './drivers/types.js';
import { EventUplink } from './events.js';
import { LocalFailSafe } from './failsafe.js';
import { FieldOutputs } from './field.js';
import { normalize, type RawReading } from './normalize.js';
import { StoreAndForwardQueue } from './queue/queue.js';
import { sensorReport } from './report.js';
import { type Redactor, redactorFor } from './secrets.js';
import { TelemetryUplink } from './uplink.js';
import { AGENT_VERSION } from './version.js';

export interface AgentStats {
  accepted: number;
  forwarded: number;
  buffered: number;
  dropped: number;
  seq: number;
  /** Field messages recognised as redeliveries of readings already accepted (dedupe.ts). */
  duplicates: number;
  /** Undeclared field sensors adopted from their own description (discovery.ts). */
  discovered: number;
}

export interface AgentHealth {
  uptimeS: number;
  centralConnected: boolean;
  drivers: Array<{ id: string; connected: boolean; rejected: Record<string, number> }>;
  stats: AgentStats;
  localAlarms: number;
  localTrips: number;
}

export interface EdgeAgentOptions {
  log?: Logger;
  now?: () => number;
  /** Period of the `status` heartbeat (buffered count); default 30 s. */
  statusEveryMs?: number;
  /** A signed config arrived on the `config` topic (AgentSupervisor verifies and applies it). */
  onConfig?: (cfg: SignedConfig) => void;
  /** The `config` part of `status` (firmware-config ConfigApplier.status()). */
  configStatus?: () => AgentStatus['config'] | undefined;
  /**
   * `--strict`: no default field driver and no adoption of undeclared sensors (the behaviour
   * before issue 17). Default: both (CONTRACT "Edge agent").
   */
  strict?: boolean;
  /** The ffmpeg video pushes run (default `ffmpeg` on PATH). */
  ffmpeg?: FfmpegUse;
}

export class EdgeAgent {
  readonly config: AgentConfig;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly queue: StoreAndForwardQueue;
  private readonly central: CentralLink;
  private readonly uplink: TelemetryUplink;
  private readonly eventQueue: StoreAndForwardQueue;
  private readonly events: EventUplink;
  private readonly failsafe: LocalFailSafe;
  private readonly cameras: CameraService;
  private outputs: FieldOutputs | undefined;
  private drivers: FieldDriver[] = [];
  private statusTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private accepted = 0;
  private invalid = 0;
  private duplicates = 0;
  private readonly recent = new RecentReadings();
  private readonly discovery: SensorDiscovery | undefined;
  private readonly redact: Redactor;

  /** Throws protocol's ValidationError (every `path: message`) for an invalid config. */
  constructor(config: AgentConfig | unknown, opts: EdgeAgentOptions = {}) {
    this.config = resolveConfig(config, { strict: opts.strict });
    const c = this.config;
    this.discovery = opts.strict ? undefined : new SensorDiscovery(c.dataDir);
    this.now = opts.now ?? Date.now;
    this.log = (opts.log ?? pino({ level: c.logging.level, name: 'gwanje-edge' })).child({ agentId: c.agentId });
    this.statusEveryMs = opts.statusEveryMs ?? 30_000;
    this.configStatus = opts.configStatus;
    this.redact = redactorFor(c);
    // 1. the on-disk queue: everything accepted lives here until the center acknowledges it
    this.queue = new StoreAndForwardQueue({
      dir: join(c.dataDir, 'queue'),
      maxBytes: c.buffer.maxBytes,
      log: this.log.child({ module: 'queue' }),
    });
    // 2. the central session and the telemetry uplink draining the queue through it
    this.central = new CentralLink(
      { ...c.central, siteId: c.siteId, agentId: c.agentId, version: AGENT_VERSION },
      {
        onConnect: () => this.onCentralUp(),
        onDisconnect: () => {
          this.uplink.setConnected(false);
          this.events.setConnected(false);
        },
        onCommand: (cmd) => void this.onCommand(cmd),
        onConfig: (cfg) => {
          this.log.info({ version: cfg.version }, 'agent: config document received');
          opts.onConfig?.(cfg);
        },
      },
      { log: this.log.child({ module: 'central' }), now: this.now },
    );
    this.uplink = new TelemetryUplink({
      agentId: c.agentId,
      queue: this.queue,
      log: this.log.child({ module: 'uplink' }),
      now: this.now,
      batchSize: c.buffer.batchSize,
      flushMs: c.buffer.flushMs,
      publish: (payload, done) => this.central.publish('telemetry', payload, done),
      onInvalid: (n) => {
        this.invalid += n;
      },
    });
    // 2b. events (local alarms, camera and driver events) are kept on disk the same way
    this.eventQueue = new StoreAndForwardQueue({
      dir: join(c.dataDir, 'events'),
      maxBytes: 4 * 1024 * 1024,
      log: this.log.child({ module: 'event-queue' }),
    });
    this.events = new EventUplink({
      queue: this.eventQueue,
      log: this.log.child({ module: 'events' }),
      publish: (ev, done) => this.central.publish('events', ev, done),
    });
    // 3. the local fail-safe, driving outputs on the field broker
    this.failsafe = new LocalFailSafe(c, {
      log: this.log.child({ module: 'failsafe' }),
      publishOutput: (topic, cmd) => this.outputs?.publish(topic, cmd),
      publishEvent: (ev) => this.events.send(ev),
    });
    // 4. cameras: ONVIF inventory, PTZ, stream pushes
    this.cameras = new CameraService(c, {
      log: this.log.child({ module: 'cameras' }),
      ffmpeg: opts.ffmpeg,
      now: this.now,
      publishEvent: (ev) => this.events.send(ev),
      publishInventory: (inv) => this.central.publish('cameras', inv),
      redact: this.redact,
    });
  }

  private readonly statusEveryMs: number;
  private readonly configStatus: EdgeAgentOptions['configStatus'];

  async start(): Promise<void> {
    const c = this.config;
    this.startedAt = this.now();
    this.queue.open();
    this.eventQueue.open();
    this.rememberTail();
    this.uplink.start();
    if (c.outputs.length > 0) {
      this.outputs = new FieldOutputs(c.field.url, `${c.agentId}-outputs`, this.log.child({ module: 'field-outputs' }));
      this.outputs.start();
    }
    this.central.start(this.status('offline'));
    const events = {
      error: (sourceId: string, message: string) =>
        this.events.send({ type: 'driver-error', sourceId, ts: this.now(), message: this.redact.text(message) }),
    };
    const problem = this.discovery?.load();
    if (problem) this.log.warn(problem);
    this.drivers = await createDrivers(c, (s, raw) => this.accept(s, raw), {
      log: this.log,
      now: this.now,
      events,
      adopt: this.discovery && ((driver, sensorId, d) => this.adopt(driver, sensorId, d)),
    });
    for (const d of this.drivers) await d.start();
    await this.cameras.start();
    this.statusTimer = setInterval(() => this.publishStatus(), this.statusEveryMs);
    this.statusTimer.unref();
    this.log.info(
      { sensors: c.sensors.length, drivers: this.drivers.length, cameras: c.cameras.length },
      'agent: started',
    );
  }

  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    for (const d of this.drivers) await d.stop();
    this.drivers = [];
    await this.cameras.stop();
    // Whatever is still queued stays on disk for the next start; a short drain just saves a replay.
    await this.uplink.drain(1000);
    this.uplink.stop();
    await this.central.stop(this.status('offline'));
    await this.outputs?.stop();
    this.queue.close();
    this.eventQueue.close();
    this.log.info(this.stats(), 'agent: stopped');
  }

  stats(): AgentStats {
    return {
      accepted: this.accepted,
      forwarded: this.uplink.forwarded,
      buffered: this.queue.buffered,
      dropped: this.queue.dropped + this.invalid,
      seq: this.uplink.seq,
      duplicates: this.duplicates,
      discovered: this.discovery?.list().length ?? 0,
    };
  }

  /**
   * An undeclared sensor described itself on the field broker (CONTRACT "Edge agent"): read it
   * with its description and the default rules (local fail-safe included), and tell the center
   * once (`events` `sensor-discovered`, kept on disk like every event).
   */
  private adopt(driver: string, sensorId: string, d: SensorDescription): SensorConfig | undefined {
    const a = this.discovery?.adopt(sensorId, d, driver);
    if (!a) return undefined;
    this.failsafe.guard(a.sensor);
    if (a.changed) {
      this.log.info({ sensorId, metric: d.metric, gas: d.gas, unit: d.unit }, 'agent: field sensor discovered');
      this.events.send({
        type: 'sensor-discovered',
        sourceId: sensorId,
        ts: this.now(),
        metric: d.metric,
        ...(d.gas ? { gas: d.gas } : {}),
        unit: d.unit,
        driver,
      });
      this.publishSensors();
    }
    return a.sensor;
  }

  /** What the agent's /healthz and /metrics report (health-server.ts). */
  health(): AgentHealth {
    return {
      uptimeS: this.startedAt ? Math.round((this.now() - this.startedAt) / 1000) : 0,
      centralConnected: this.central.connected,
      drivers: this.drivers.map((d) => ({
        id: d.id,
        connected: d.connected ?? true,
        rejected: Object.fromEntries(d.rejected ?? []),
      })),
      stats: this.stats(),
      localAlarms: this.failsafe.active().length,
      localTrips: this.failsafe.tripsTotal,
    };
  }

  /** Local trips currently active (fail-safe). */
  localAlarms(): ReturnType<LocalFailSafe['active']> {
    return this.failsafe.active();
  }

  /** The single way in for a reading from any driver. Synchronous: accepted means on disk. */
  accept(sensor: SensorConfig, raw: RawReading): void {
    const now = this.now();
    const reading = normalize(sensor, raw, { now });
    const ok = validate(Reading, reading);
    if (!ok.ok) {
      this.invalid += 1;
      this.log.warn({ sensorId: sensor.sensorId, errors: ok.errors }, 'agent: reading rejected');
      return;
    }
    if (raw.ts !== undefined) {
      const key = readingKey(reading);
      if (this.recent.has(key)) {
        this.duplicates += 1;
        return;
      }
      this.recent.add(key);
    }
    this.failsafe.evaluate(reading, now);
    this.queue.append(Buffer.from(JSON.stringify(reading)));
    this.accepted += 1;
    this.uplink.pump();
  }

  /** Seeds the duplicate filter from the newest queued readings (see dedupe.ts). */
  private rememberTail(): void {
    let from = Math.max(this.queue.firstIndex, this.queue.nextIndex - 8192);
    while (from < this.queue.nextIndex) {
      const { from: at, payloads } = this.queue.read(from, 1000);
      if (payloads.length === 0) break;
      for (const p of payloads) {
        try {
          this.recent.add(readingKey(JSON.parse(p.toString('utf8')) as Reading));
        } catch (err) {
          this.log.warn({ err: (err as Error).message }, 'agent: unreadable queued record ignored');
        }
      }
      from = at + payloads.length;
    }
  }

  private onCentralUp(): void {
    this.publishStatus();
    this.publishSensors();
    this.cameras.republish();
    this.uplink.setConnected(true);
    this.events.setConnected(true);
  }

  get centralConnected(): boolean {
    return this.central.connected;
  }

  private status(state: AgentStatus['state']): AgentStatus {
    const config = this.configStatus?.();
    return {
      ...(config ? { config } : {}),
      state,
      version: AGENT_VERSION,
      uptimeS: this.startedAt ? Math.round((this.now() - this.startedAt) / 1000) : 0,
      buffered: this.queue.buffered,
      dropped: this.queue.dropped,
      ts: this.now(),
    };
  }

  /**
   * Publishes the retained `sensors` report (issue 15): every sensor with its range, calibration,
   * interval and rules, so the center judges them as the agent does.
   */
  publishSensors(): void {
    if (!this.central.connected) return;
    // Declared sensors; an adopted (self-describing) one goes in the same list as 'discovered'.
    const list = [
      ...this.config.sensors.map((sensor) => ({ sensor, source: 'config' as const })),
      ...(this.discovery?.list() ?? []).map((sensor) => ({ sensor, source: 'discovered' as const })),
    ];
    this.central.publish('sensors', sensorReport(this.config.agentId, list, this.now(), this.config.version));
  }

  /** Publishes the retained `status` now (e.g. after a config decision). */
  publishStatus(): void {
    if (this.central.connected) this.central.publish('status', this.status('online'));
  }

  private async onCommand(cmd: Command): Promise<void> {
    let result: CommandResult;
    try {
      const data = cmd.action === 'siren' ? this.siren(cmd.args) : await this.cameras.command(cmd.action, cmd.args);
      result = { id: cmd.id, ok: true, ...(data === undefined ? {} : { data }) };
    } catch (err) {
      // A device error may quote a camera URL: no credential goes back up or into the log.
      result = { id: cmd.id, ok: false, error: this.redact.text((err as Error).message).slice(0, 2000) };
    }
    this.log.info({ id: cmd.id, action: cmd.action, ok: result.ok, error: result.error }, 'agent: command handled');
    this.central.publish('cmdResult', result);
  }

  /** `siren {on, outputId?}`: operator-driven output from the console. */
  private siren(args: Record<string, unknown>): { outputs: string[] } {
    if (typeof args.on !== 'boolean') throw new Error('siren: args.on must be a boolean');
    if (!this.outputs) throw new Error('siren: no outputs configured');
    const outs = this.config.outputs.filter((o) => args.outputId === undefined || o.id === args.outputId);
    for (const o of outs)
      this.outputs.publish(o.topic, { on: args.on, reason: 'operator', sensorId: '', ts: this.now() });
    return { outputs: outs.map((o) => o.id) };
  }
}
