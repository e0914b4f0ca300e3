/**
 * Gas data behind the default rules (CONTRACT "Default alarm rules").
 *
 * Toxic limits: 고용노동부 고시 「화학물질 및 물리적인자의 노출기준」 (Ministry of Employment and
 * Labor notice on exposure limits for chemical substances and physical agents; 2020-48 as
 * amended), 별표 1. TWA = 8-hour time-weighted average (시간가중평균노출기준), STEL = 15-minute
 * short-term exposure limit (단시간노출기준), C = ceiling (최고노출기준, never to be exceeded).
 * Every value is a default an operator can override per sensor (firmware-config RuleOverride);
 * check against the current notice before commissioning a plant.
 */

export interface ToxicLimit {
  /** Korean name as in the notice, for messages and the README table. */
  nameKo: string;
  /** 8-hour TWA in ppm; absent for substances that only have a ceiling. */
  twa?: number;
  /** 15-minute STEL in ppm. */
  stel?: number;
  /** Ceiling in ppm (used as the gas-high setpoint when there is no STEL). */
  ceiling?: number;
}

/** Keys are upper-cased formulas, so "Cl2", "CL2" and "cl2" all match. */
export const TOXIC_LIMITS: Readonly<Record<string, ToxicLimit>> = {
  CO: { nameKo: '일산화탄소', twa: 30, stel: 200 },
  H2S: { nameKo: '황화수소', twa: 10, stel: 15 },
  NH3: { nameKo: '암모니아', twa: 25, stel: 35 },
  CL2: { nameKo: '염소', twa: 0.5, stel: 1 },
  SO2: { nameKo: '이산화황', twa: 2, stel: 5 },
  NO2: { nameKo: '이산화질소', twa: 3, stel: 5 },
  NO: { nameKo: '일산화질소', twa: 25 },
  HCN: { nameKo: '시안화수소', ceiling: 4.7 },
  HCL: { nameKo: '염화수소', twa: 1, stel: 2 },
  O3: { nameKo: '오존', twa: 0.08, stel: 0.2 },
  PH3: { nameKo: '포스핀', twa: 0.3, stel: 1 },
  COCL2: { nameKo: '포스겐', twa: 0.1 },
  CO2: { nameKo: '이산화탄소', twa: 5000, stel: 30000 },
  C6H6: { nameKo: '벤젠', twa: 0.5, stel: 2.5 },
};

/**
 * Combustible gases usually reported in %LEL. Any gas reported in %LEL is treated as
 * combustible (the unit says the transmitter is calibrated against a lower explosive limit);
 * this list only names the common ones for documentation and the README.
 */
export const COMBUSTIBLE_GASES: readonly string[] = ['CH4', 'LPG', 'LNG', 'H2', 'C3H8', 'C4H10', 'C2H2', 'C2H4', 'VOC'];

export function toxicLimit(gas: string | undefined): ToxicLimit | undefined {
  if (gas === undefined) return undefined;
  return Object.hasOwn(TOXIC_LIMITS, gas.toUpperCase()) ? TOXIC_LIMITS[gas.toUpperCase()] : undefined;
}
