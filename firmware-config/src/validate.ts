/**
 * `validateConfig`: the one check every consumer runs (edge agent, CLI, console). Schema errors
 * come from the compiled TypeBox/Ajv validator; the semantic checks below cover what JSON Schema
 * cannot say (cross references, uniqueness, unit fits metric). Every problem is reported, each as
 * `path: message` (HOUSE_STYLE "Configuration"), so a field engineer fixes a file in one pass.
 */
import {
  checkRules,
  compiled,
  formatErrors,
  gasInfo,
  inspectTree,
  type RuleOverrideLike,
  type SensorDescription,
  UNITS_BY_METRIC,
} from '@gwanje/protocol';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { ErrorObject } from 'ajv';
import { AgentConfig, ModbusDriver, MqttDriver, SimulatedDriver } from './schema.js';

const DRIVER_BRANCHES: Record<string, TSchema> = {
  mqtt: MqttDriver,
  'modbus-tcp': ModbusDriver,
  simulated: SimulatedDriver,
};

export type ValidateResult = { ok: true; value: AgentConfig } | { ok: false; errors: string[] };

/** Units a metric may be reported in (CONTRACT "MQTT: field sensor -> edge agent"): the safety table's. */
export { UNITS_BY_METRIC };

/**
 * The JSON Schema of the document as a person writes it, for the console's forms and editors.
 * A property with a default is not required here (validateConfig fills it in), so a standalone
 * validator accepts exactly what validateConfig accepts. A deep copy: safe to mutate.
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = JSON.parse(JSON.stringify(AgentConfig as TSchema)) as Record<string, unknown>;
  const relax = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) relax(item);
      return;
    }
    if (!isRec(node)) return;
    if (isRec(node.properties) && Array.isArray(node.required)) {
      const props = node.properties;
      node.required = node.required.filter((k) => !(isRec(props[k]) && 'default' in props[k]));
    }
    for (const v of Object.values(node)) relax(v);
  };
  relax(schema);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gwanje.dev/schemas/agent-config.json',
    title: 'Gwanje edge agent configuration',
    ...schema,
  };
}

/** Validates a document; on success `value` is a copy with schema defaults applied. */
export function validateConfig(doc: unknown): ValidateResult {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, errors: ['(root): must be object'] };
  }
  try {
    inspectTree(doc);
  } catch (err) {
    return { ok: false, errors: [`(root): ${(err as Error).message}`] };
  }
  const copy = structuredClone(doc) as Rec;
  // Default each driver by its own `type` first: TypeBox defaults a union only when a branch
  // already validates, so one typo would otherwise also hide the defaulted port/pollMs.
  if (Array.isArray(copy.drivers)) {
    copy.drivers = copy.drivers.map((d: unknown) => {
      const branch = isRec(d) ? DRIVER_BRANCHES[String(d.type)] : undefined;
      return branch ? Value.Default(branch, d) : d;
    });
  }
  const value = Value.Default(AgentConfig, copy) as unknown;
  const fn = compiled(AgentConfig);
  const errors = fn(value) ? [] : formatErrors(narrowDriverErrors(value, fn.errors ?? []));
  // Semantic checks run on whatever parsed, so one pass shows schema and cross-reference errors.
  errors.push(...semanticErrors(value));
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, value: value as AgentConfig };
}

/**
 * `drivers` is a union discriminated by `type`; Ajv reports every branch's complaints. Keep only
 * the branch the document asked for, so `drivers.0.hots: unknown key` is not buried under the
 * other driver kinds' required properties.
 */
function narrowDriverErrors(value: unknown, errors: ErrorObject[]): ErrorObject[] {
  const drivers = (value as { drivers?: unknown }).drivers;
  const branchOf = (type: unknown): number => Object.keys(DRIVER_BRANCHES).indexOf(String(type));
  return errors
    .filter((e) => {
      const m = /^\/drivers\/(\d+)/.exec(e.instancePath);
      if (!m || !Array.isArray(drivers)) return true;
      const branch = branchOf((drivers[Number(m[1])] as { type?: unknown } | undefined)?.type);
      if (branch < 0) return e.instancePath === `/drivers/${m[1]}/type` || e.keyword === 'anyOf';
      if (e.keyword === 'anyOf') return false;
      const sm = /\/anyOf\/(\d+)\//.exec(e.schemaPath);
      return !sm || Number(sm[1]) === branch;
    })
    .map((e) => {
      if (e.keyword === 'required') return { ...e, message: 'required' };
      if (e.keyword === 'anyOf' && /^\/drivers\/\d+$/.test(e.instancePath)) {
        return {
          ...e,
          instancePath: `${e.instancePath}/type`,
          message: 'must be one of "mqtt", "modbus-tcp", "simulated"',
        };
      }
      return e;
    });
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRec) : []);

function duplicates(items: unknown, key: string, path: string, what: string): string[] {
  const seen = new Map<unknown, number>();
  const out: string[] = [];
  if (!Array.isArray(items)) return out;
  items.forEach((item, i) => {
    if (!isRec(item) || typeof item[key] !== 'string') return;
    const first = seen.get(item[key]);
    if (first === undefined) seen.set(item[key], i);
    else out.push(`${path}.${i}.${key}: duplicate ${what} "${item[key]}" (also ${path}.${first})`);
  });
  return out;
}

function semanticErrors(value: unknown): string[] {
  if (!isRec(value)) return [];
  const errors = [
    ...duplicates(value.drivers, 'id', 'drivers', 'driver id'),
    ...duplicates(value.sensors, 'sensorId', 'sensors', 'sensorId'),
    ...duplicates(value.cameras, 'cameraId', 'cameras', 'cameraId'),
    ...duplicates(value.outputs, 'id', 'outputs', 'output id'),
  ];
  const drivers = new Map(list(value.drivers).map((d) => [d.id, d]));
  const cameraIds = new Set(list(value.cameras).map((c) => c.cameraId));
  const discovery = isRec(value.discovery) && value.discovery.onvif === true;
  const sensors = Array.isArray(value.sensors) ? value.sensors : [];
  sensors.forEach((s, i) => {
    if (!isRec(s)) return;
    const p = `sensors.${i}`;
    const metric = typeof s.metric === 'string' ? s.metric : undefined;
    if (metric === 'gas' && s.gas === undefined) errors.push(`${p}.gas: required when metric is gas`);
    if (metric !== undefined && metric !== 'gas' && s.gas !== undefined) {
      errors.push(`${p}.gas: only allowed when metric is gas`);
    }
    const units = metric ? (UNITS_BY_METRIC as Record<string, readonly string[]>)[metric] : undefined;
    if (units && typeof s.unit === 'string' && !units.includes(s.unit)) {
      errors.push(`${p}.unit: "${s.unit}" does not fit metric ${metric} (use ${units.join(', ')})`);
    }
    const gas = typeof s.gas === 'string' ? gasInfo(s.gas) : undefined;
    if (gas?.kind === 'oxygen' && s.unit !== undefined && s.unit !== '%vol') {
      errors.push(`${p}.unit: ${gas.formula} is measured in %vol`);
    }
    let rangeOk = true;
    if (isRec(s.range) && typeof s.range.min === 'number' && typeof s.range.max === 'number') {
      rangeOk = s.range.min < s.range.max;
      if (!rangeOk) errors.push(`${p}.range: min must be less than max`);
    }
    // Typed rules (issue 15): the protocol's checks, the same the center's API runs.
    if (rangeOk && metric && typeof s.unit === 'string' && Array.isArray(s.rules)) {
      const desc: SensorDescription = { metric, unit: s.unit, gas: typeof s.gas === 'string' ? s.gas : undefined };
      if (isRec(s.range)) desc.range = s.range as { min: number; max: number };
      const rules = s.rules.filter((r): r is RuleOverrideLike => isRec(r) && typeof r.type === 'string');
      for (const e of checkRules(desc, rules)) errors.push(`${p}.${e.path}: ${e.message}`);
    }
    const driver = driverOf(s, drivers, value.drivers);
    // With no drivers declared the agent reads its sensors with a default MQTT driver on field.url
    // (CONTRACT "Edge agent", issue 17); `gwanje-edge --strict` refuses that (edge-agent config.ts).
    if (s.driver !== undefined && !drivers.has(s.driver)) {
      errors.push(`${p}.driver: no driver with id "${String(s.driver)}"`);
    }
    const addr = isRec(s.address) ? s.address : undefined;
    if (addr && typeof addr.rawMin === 'number' && typeof addr.rawMax === 'number' && !(addr.rawMin < addr.rawMax)) {
      errors.push(`${p}.address: rawMin must be less than rawMax`);
    }
    if (addr && (addr.rawMin === undefined) !== (addr.rawMax === undefined)) {
      errors.push(`${p}.address: rawMin and rawMax go together`);
    }
    if (driver?.type === 'modbus-tcp') {
      if (addr?.register === undefined) errors.push(`${p}.address.register: required for a modbus-tcp driver`);
      if (addr?.rawMin !== undefined && !isRec(s.range)) errors.push(`${p}.range: required to scale rawMin/rawMax`);
    }
    list(s.cameras).forEach((c, j) => {
      if (!discovery && typeof c.cameraId === 'string' && !cameraIds.has(c.cameraId)) {
        errors.push(`${p}.cameras.${j}.cameraId: no camera with id "${c.cameraId}"`);
      }
    });
  });
  list(value.cameras).forEach((c, i) => {
    if (c.onvif === undefined && c.rtsp === undefined && c.testPattern !== true) {
      errors.push(`cameras.${i}: needs onvif, rtsp or testPattern`);
    }
  });
  return errors;
}

/** The driver that reads a sensor: `sensor.driver`, else the first driver (schema.ts). */
function driverOf(s: Rec, byId: Map<unknown, Rec>, drivers: unknown): Rec | undefined {
  if (s.driver !== undefined) return byId.get(s.driver);
  return list(drivers)[0];
}
