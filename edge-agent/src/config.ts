/**
 * Agent configuration: firmware-config's `AgentConfig` with its documented defaults filled in,
 * then validated by protocol's `check()` (every error as `path: message`). Ajv runs without
 * useDefaults, so the defaults the schema declares are applied here before checking.
 */
import { AgentConfig } from '@gwanje/firmware-config';
import { check, ValidationError } from '@gwanje/protocol';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const DRIVER_DEFAULTS: Record<string, Obj> = {
  'modbus-tcp': { port: 502, pollMs: 1000 },
  simulated: { periodMs: 2000, incidentEverySec: 0 },
  mqtt: {},
};

/**
 * With no driver declared, sensors are read from the field broker (CONTRACT "Edge agent": with only
 * the keys an operator must set, the agent reads every sensor that describes itself on field.url).
 */
export const DEFAULT_FIELD_DRIVER = { id: 'field', type: 'mqtt' } as const;

export interface ResolveOptions {
  /** `--strict`: no default driver (the behaviour before issue 17). */
  strict?: boolean;
}

/** Returns a validated copy of `input` with defaults; throws protocol's ValidationError. */
export function resolveConfig(input: unknown, opts: ResolveOptions = {}): AgentConfig {
  if (!isObj(input)) return check(AgentConfig, input);
  const c: Obj = structuredClone(input);
  for (const key of ['drivers', 'sensors', 'cameras', 'outputs']) c[key] ??= [];
  if (Array.isArray(c.drivers) && c.drivers.length === 0) {
    if (!opts.strict) c.drivers = [{ ...DEFAULT_FIELD_DRIVER }];
    else if (Array.isArray(c.sensors) && c.sensors.length > 0)
      throw new ValidationError(
        ['sensors.0.driver: no driver configured to read this sensor (--strict)'],
        'sensors.0.driver',
      );
  }
  c.buffer = { maxBytes: 256 * 1024 * 1024, flushMs: 250, batchSize: 500, ...(isObj(c.buffer) ? c.buffer : {}) };
  c.logging = { level: 'info', ...(isObj(c.logging) ? c.logging : {}) };
  if (Array.isArray(c.drivers)) {
    c.drivers = c.drivers.map((d) =>
      isObj(d) && typeof d.type === 'string' ? { ...DRIVER_DEFAULTS[d.type], ...d } : d,
    );
  }
  if (Array.isArray(c.sensors)) {
    c.sensors = c.sensors.map((s) =>
      isObj(s) && isObj(s.calibration) ? { ...s, calibration: { zero: 0, span: 1, ...s.calibration } } : s,
    );
  }
  return check(AgentConfig, c);
}
