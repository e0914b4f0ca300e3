/**
 * Setpoints drawn on trends: the CONTRACT "Default alarm rules" for a sensor's gas and unit.
 * Combustibles in %LEL: 10 / 25. Toxics in ppm: low at the Korean 8-h TWA, high at the STEL or
 * ceiling (고용노동부 고시 「화학물질 및 물리적인자의 노출기준」 별표 1). O2 %vol: 19.5 / 23.5.
 * These are display defaults; per-sensor overrides live on the server.
 */
export interface Setpoints {
  low?: number;
  high?: number;
}

const TOXIC: Record<string, Setpoints> = {
  CO: { low: 30, high: 200 },
  H2S: { low: 10, high: 15 },
  NH3: { low: 25, high: 35 },
  CL2: { low: 0.5, high: 1 },
  SO2: { low: 2, high: 5 },
  NO2: { low: 3, high: 5 },
  HCN: { high: 4.7 },
  HCL: { low: 1, high: 2 },
  CO2: { low: 5000, high: 30000 },
};

export function defaultSetpoints(s: { metric: string; gas?: string; unit: string }): Setpoints {
  if (s.metric !== 'gas') return {};
  if (s.unit === '%LEL') return { low: 10, high: 25 };
  const gas = (s.gas ?? '').toUpperCase();
  if (gas === 'O2' && s.unit === '%vol') return { low: 19.5, high: 23.5 };
  if (s.unit === 'ppm') return TOXIC[gas] ?? {};
  return {};
}
