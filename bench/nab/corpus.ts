/** Loads a NAB corpus directory: data/<category>/<file>.csv and labels/combined_windows.json. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NabFile {
  /** `<category>/<file>.csv`, the key of combined_windows.json. */
  name: string;
  category: string;
  timestamps: number[];
  values: number[];
  /** The file's own text of each row (timestamp, value), for NAB-format results files. */
  rows: Array<[string, string]>;
  windows: Array<[number, number]>;
}

/** NAB timestamps are naive "YYYY-MM-DD HH:MM:SS[.ffffff]"; read them as UTC. */
export function parseNabTime(s: string): number {
  const t = Date.parse(`${s.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(t)) throw new Error(`nab: bad timestamp ${s}`);
  return t;
}

/** `dir` holds data/ and labels/ (NAB_DIR); a category filter keeps matching file names only. */
export function loadCorpus(dir: string, filter?: string): NabFile[] {
  const labelsPath = join(dir, 'labels', 'combined_windows.json');
  const labels = JSON.parse(readFileSync(labelsPath, 'utf8')) as Record<string, Array<[string, string]>>;
  const dataDir = join(dir, 'data');
  const files: NabFile[] = [];
  for (const category of readdirSync(dataDir).sort()) {
    const catDir = join(dataDir, category);
    if (!existsSync(catDir)) continue;
    for (const f of readdirSync(catDir).sort()) {
      if (!f.endsWith('.csv')) continue;
      const name = `${category}/${f}`;
      if (filter && !name.includes(filter)) continue;
      const rows = readFileSync(join(catDir, f), 'utf8').trim().split('\n').slice(1);
      const timestamps: number[] = [];
      const values: number[] = [];
      const text: Array<[string, string]> = [];
      for (const row of rows) {
        const comma = row.indexOf(',');
        const cells: [string, string] = [row.slice(0, comma).trim(), row.slice(comma + 1).trim()];
        text.push(cells);
        timestamps.push(parseNabTime(cells[0]));
        values.push(Number(cells[1]));
      }
      const w = labels[name];
      if (!w) throw new Error(`nab: no labels for ${name} in ${labelsPath}`);
      files.push({
        name,
        category,
        timestamps,
        values,
        rows: text,
        windows: w.map(([a, b]) => [parseNabTime(a), parseNabTime(b)]),
      });
    }
  }
  return files;
}
