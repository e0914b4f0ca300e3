/**
 * Setpoints drawn on trends: the warning and alarm levels of the rules the sensor runs (from the
 * center, `effectiveRules`), else the defaults of protocol's safety table for its gas and unit
 * (issue 15: no copy of a gas or limit in the console).
 */
import { defaultRules, type RuleSpec, trendSetpoints } from '@gwanje/protocol/safety';

export interface Setpoints {
  low?: number;
  high?: number;
}

export function setpointsOf(s: {
  metric: string;
  gas?: string;
  unit: string;
  range?: { min: number; max: number };
  effectiveRules?: readonly RuleSpec[];
}): Setpoints {
  return trendSetpoints(s.effectiveRules ?? defaultRules(s));
}
