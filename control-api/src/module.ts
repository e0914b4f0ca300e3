/**
 * What every module of the center is (HOUSE_STYLE "each module has start()/stop() and receives its
 * dependencies; constructors only assign"; go2rtc internal/, Zigbee2MQTT lib/extension). center.ts
 * creates them in one ordered list, starts them in that order and stops them in reverse. A module
 * registers its own bus listeners in start() under its own name and `bus.off(name)` removes them.
 */
import type { ThrottleOptions } from './auth/throttle.js';
import type { EventBus } from './bus.js';
import type { Logger } from './logger.js';
import type { CenterMetrics } from './metrics.js';
import type { Settings } from './settings.js';

export interface CenterModule {
  /** Log child and bus owner name. */
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/** What every module receives first: settings, the logger, the metrics registry and the bus. */
export interface CenterContext {
  readonly settings: Settings;
  readonly log: Logger;
  readonly metrics: CenterMetrics;
  readonly bus: EventBus;
  /** Wall clock (tests inject one). */
  readonly now: () => number;
  /** Limits a test tightens or loosens (CenterOptions.tuning); production runs the defaults. */
  readonly tuning: CenterTuning;
}

/**
 * Limits with a production default that a test needs to move (a login throttle it can trip in a
 * few calls, a short token lifetime). Not settings: nobody deploys with them changed.
 */
export interface CenterTuning {
  tokenTtlMs?: number;
  throttle?: Partial<ThrottleOptions>;
  loginRateLimit?: { windowMs: number; limit: number };
  bodyLimitBytes?: number;
}

/** A value a module sets in start(): reading it earlier is a wiring mistake, said plainly. */
export function started<T>(module: string, what: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`${module}: ${what} read before the module started`);
  return value;
}
