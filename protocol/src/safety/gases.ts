/**
 * Gases: the one table of gas facts for the center, the edge agent and the console (issue 15).
 * Browser-safe: plain constants, no schema library, no Node modules.
 *
 * Exposure limits (ppm): 고용노동부 고시 「화학물질 및 물리적인자의 노출기준」 (Ministry of
 * Employment and Labor notice on exposure limits for chemical substances and physical agents,
 * 제2020-48호 as amended), 별표 1. TWA = 8-hour time-weighted average (시간가중평균노출기준),
 * STEL = 15-minute short-term exposure limit (단시간노출기준), ceiling = 최고노출기준 (never to
 * be exceeded). Lower explosive limits (%vol): IEC 60079-20-1 (LPG: the usual propane/butane
 * mix figure). Oxygen: CONTRACT "Default alarm rules" (below 19.5, above 23.5 %vol).
 * Every value is a default an admin can override per sensor; check against the current notice
 * before commissioning a plant.
 */

export type GasKind = 'combustible' | 'toxic' | 'oxygen';

export interface GasInfo {
  /** Canonical formula as written on the wire (CONTRACT: CH4, LPG, H2, CO, H2S, NH3, Cl2, O2). */
  formula: string;
  /** Other names a transmitter may send (matched case-insensitively, like the formula). */
  aliases: readonly string[];
  kind: GasKind;
  nameKo: string;
  nameEn: string;
  /** Lower explosive limit in %vol (100 %LEL), where the gas burns. */
  lelVol?: number;
  /** 8-hour TWA in ppm. */
  twa?: number;
  /** 15-minute STEL in ppm. */
  stel?: number;
  /** Ceiling in ppm. */
  ceiling?: number;
  /** Oxygen only: the deficiency and enrichment lines in %vol. */
  o2?: { low: number; high: number };
}

const combustible = (formula: string, nameKo: string, nameEn: string, lelVol: number, aliases: string[] = []) =>
  ({ formula, aliases, kind: 'combustible', nameKo, nameEn, lelVol }) as const satisfies GasInfo;

const toxic = (
  formula: string,
  nameKo: string,
  nameEn: string,
  limits: { twa?: number; stel?: number; ceiling?: number; lelVol?: number },
  aliases: string[] = [],
) => ({ formula, aliases, kind: 'toxic', nameKo, nameEn, ...limits }) as const satisfies GasInfo;

/** Keyed by canonical formula. */
export const GASES = {
  CH4: combustible('CH4', '메탄', 'methane', 4.4, ['METHANE', 'LNG']),
  LPG: combustible('LPG', '액화석유가스', 'liquefied petroleum gas', 1.8),
  C3H8: combustible('C3H8', '프로판', 'propane', 1.7, ['PROPANE']),
  C4H10: combustible('C4H10', '부탄', 'butane', 1.4, ['BUTANE']),
  H2: combustible('H2', '수소', 'hydrogen', 4.0, ['HYDROGEN']),
  C2H2: combustible('C2H2', '아세틸렌', 'acetylene', 2.3, ['ACETYLENE']),
  C2H4: combustible('C2H4', '에틸렌', 'ethylene', 2.3, ['ETHYLENE']),
  CO: toxic('CO', '일산화탄소', 'carbon monoxide', { twa: 30, stel: 200, lelVol: 10.9 }),
  H2S: toxic('H2S', '황화수소', 'hydrogen sulfide', { twa: 10, stel: 15, lelVol: 4.0 }),
  NH3: toxic('NH3', '암모니아', 'ammonia', { twa: 25, stel: 35, lelVol: 15 }),
  Cl2: toxic('Cl2', '염소', 'chlorine', { twa: 0.5, stel: 1 }),
  SO2: toxic('SO2', '이산화황', 'sulfur dioxide', { twa: 2, stel: 5 }),
  NO2: toxic('NO2', '이산화질소', 'nitrogen dioxide', { twa: 3, stel: 5 }),
  NO: toxic('NO', '일산화질소', 'nitric oxide', { twa: 25 }),
  HCN: toxic('HCN', '시안화수소', 'hydrogen cyanide', { ceiling: 4.7, lelVol: 5.4 }),
  HCl: toxic('HCl', '염화수소', 'hydrogen chloride', { twa: 1, stel: 2 }),
  O3: toxic('O3', '오존', 'ozone', { twa: 0.08, stel: 0.2 }),
  PH3: toxic('PH3', '포스핀', 'phosphine', { twa: 0.3, stel: 1 }),
  COCl2: toxic('COCl2', '포스겐', 'phosgene', { twa: 0.1 }, ['PHOSGENE']),
  CO2: toxic('CO2', '이산화탄소', 'carbon dioxide', { twa: 5000, stel: 30000 }),
  C6H6: toxic('C6H6', '벤젠', 'benzene', { twa: 0.5, stel: 2.5, lelVol: 1.2 }, ['BENZENE']),
  O2: {
    formula: 'O2',
    aliases: ['OXYGEN'],
    kind: 'oxygen',
    nameKo: '산소',
    nameEn: 'oxygen',
    o2: { low: 19.5, high: 23.5 },
  },
} as const satisfies Record<string, GasInfo>;

export type GasFormula = keyof typeof GASES;

const BY_NAME: ReadonlyMap<string, GasInfo> = (() => {
  const m = new Map<string, GasInfo>();
  for (const g of Object.values(GASES) as GasInfo[]) {
    for (const name of [g.formula, ...g.aliases]) {
      const key = name.toUpperCase();
      if (m.has(key)) throw new Error(`protocol: gas name ${name} is defined twice`);
      m.set(key, g);
    }
  }
  return m;
})();

/**
 * The table entry for a gas name as a transmitter sends it: the formula or an alias, in any
 * letter case ("Cl2", "CL2" and "cl2" are one gas; "LNG" is methane). Undefined for a gas the
 * table does not know.
 */
export function gasInfo(name: string | undefined): GasInfo | undefined {
  return name === undefined ? undefined : BY_NAME.get(name.toUpperCase());
}
