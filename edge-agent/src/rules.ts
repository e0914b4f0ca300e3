/**
 * The rules the agent enforces locally (pure; issue 5 "Local fail-safe", issue 15 "one rule
 * vocabulary"): the sensor's rules resolved from protocol's safety table exactly as the center
 * resolves them (defaults per metric / gas / unit, then the sensor's `rules` overrides from the
 * signed config), keeping the types the table marks `local` (gas-high, o2-low, o2-high, flame,
 * smoke). No copy of a gas, limit or rule name lives here.
 */
import type { SensorConfig } from '@gwanje/firmware-config';
import { LOCAL_RULE_TYPES, type RuleSpec, resolveRules, ruleTypeInfo } from '@gwanje/protocol';

/** The enabled local rules of a sensor (empty for a temperature sensor or an unknown gas). */
export function localRules(sensor: SensorConfig): RuleSpec[] {
  let rules: RuleSpec[];
  try {
    rules = resolveRules(sensor, sensor.rules ?? []);
  } catch {
    // validateConfig rejects such a config; should one slip through, the defaults still protect.
    rules = resolveRules(sensor, []);
  }
  return rules.filter((r) => r.enabled && ruleTypeInfo(r.type)?.local === true);
}

/** Rule types that switch an output on when the output does not list its own (`outputs[].on`). */
export const DEFAULT_OUTPUT_TYPES: readonly string[] = LOCAL_RULE_TYPES;
