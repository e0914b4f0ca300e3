/**
 * The center's typed event bus (issue 18; Zigbee2MQTT lib/eventBus.ts is the model, written
 * anew): one event map, listeners registered by owner (a module removes all of its own with
 * `off(owner)` when it stops), each listener wrapped so one that throws or rejects cannot break
 * the others or the emitter. A failing listener is logged with event and owner and counted in
 * `gwanje_bus_listener_errors_total{event,owner}`.
 *
 * Emits are synchronous: a listener runs before `emit` returns (the alarm push to consoles is on
 * the latency path of issue 4), and a listener with slow work starts it and returns a promise,
 * which the bus watches for rejection only.
 */
import type { Alarm, FloodState, LiveAgent, LiveCamera, LivePresetRecall, LiveReading } from '@gwanje/protocol';
import type { Logger } from './logger.js';
import type { SensorRow } from './store/types.js';

/** One alarm transition, whether or not it is announced. */
export interface AlarmChanged {
  alarm: Alarm;
  /** A new alarm (the first transition of its lifecycle). */
  raised: boolean;
  /**
   * false when chattering suppression (ISA-18.2 clause 10.5.2) records the change without
   * sounding it: consoles and clips ignore it, escalation still follows it (a chattering alarm that
   * returns to normal must stop its SMS steps).
   */
  announced: boolean;
}

/** Every event inside the center and its payload; the only place event names are written. */
export interface CenterEvents {
  /** Ingest accepted (validated, de-duplicated, evaluated) a reading; `state` is its display state. */
  'reading.accepted': LiveReading;
  /** The alarm service applied a transition (persisted in order, per alarm). */
  'alarm.changed': AlarmChanged;
  /** A site's flood mode (EEMUA 191 alarm flood) began or ended. */
  'flood.changed': FloodState;
  /** An agent's status message (online, offline, or its last will). */
  'agent.state': LiveAgent;
  /** A camera became live, idle or lost (gateway), or appeared in an agent's inventory (idle). */
  'camera.state': LiveCamera;
  /** A PTZ preset was recalled on a sensor's alarm (issue 20): shown on the camera's tiles. */
  'camera.preset': LivePresetRecall;
  /** A user's sessions changed: logout, password change, deletion, role or sites (security F4, F5). */
  'sessions.changed': { username: string; jti?: string };
  /** An agent's credentials were revoked: its connections, pushes and cached identity go. */
  'agent.revoked': { agentId: string };
  /** An admin saved a sensor's configuration (rules, cameras): detection reloads it at once. */
  'sensor.changed': { row: SensorRow };
  /** Issue 19: this instance took a site's lease and restored its state; it now consumes the site. */
  'site.owned': { siteId: string; instanceId: string; fencing: number; since: number };
  /** Issue 19: this instance stopped owning a site (rebalanced to another, lease lost, or stopping). */
  'site.released': { siteId: string; instanceId: string; reason: 'rebalance' | 'lost' | 'stopping' };
  /** Issue 19: a site changed holder anywhere in the cluster (`ownerId` null: free, being taken over). */
  'site.moved': { siteId: string; ownerId: string | null; publicUrl?: string; fencing: number };
}

export type EventName = keyof CenterEvents;
type Listener<P> = (payload: P) => unknown;

interface Registered<P> {
  owner: string;
  fn: Listener<P>;
}

export interface BusFailures {
  inc(labels: { event: string; owner: string }): void;
}

/** What a module that only announces needs (AlarmService, AuthService, ...). */
export interface EventSink<E = CenterEvents> {
  emit<K extends keyof E>(event: K, payload: E[K]): void;
}

export class EventBus<E = CenterEvents> implements EventSink<E> {
  private readonly listeners = new Map<keyof E, Registered<never>[]>();

  constructor(
    private readonly log: Pick<Logger, 'error'>,
    private readonly failures?: BusFailures,
  ) {}

  /** Registers `fn` for `event` under `owner` (a module name); `off(owner)` removes them all. */
  on<K extends keyof E>(owner: string, event: K, fn: Listener<E[K]>): void {
    const list = (this.listeners.get(event) ?? []) as Registered<E[K]>[];
    // Copy on write: an emit in progress keeps iterating the list it started with.
    this.listeners.set(event, [...list, { owner, fn }] as Registered<never>[]);
  }

  /** Removes every listener `owner` registered (a module's stop()). */
  off(owner: string): void {
    for (const [event, list] of this.listeners) {
      const kept = list.filter((l) => l.owner !== owner);
      if (kept.length === 0) this.listeners.delete(event);
      else this.listeners.set(event, kept);
    }
  }

  /** Owners listening to `event`, in registration order (tests, diagnostics). */
  owners(event: keyof E): string[] {
    return (this.listeners.get(event) ?? []).map((l) => l.owner);
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const list = this.listeners.get(event) as Registered<E[K]>[] | undefined;
    if (!list) return;
    for (const l of list) {
      try {
        const r = l.fn(payload);
        if (r && typeof (r as Promise<unknown>).then === 'function')
          (r as Promise<unknown>).then(undefined, (err: unknown) => this.failed(event, l.owner, err));
      } catch (err) {
        this.failed(event, l.owner, err);
      }
    }
  }

  private failed(event: keyof E, owner: string, err: unknown): void {
    this.failures?.inc({ event: String(event), owner });
    this.log.error(
      { event: String(event), owner, err: err instanceof Error ? err.message : String(err) },
      'bus: listener failed',
    );
  }
}
