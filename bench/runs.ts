/**
 * Keeps every run of a bench in `<name>-runs.json` (issue 18: on a machine shared with other
 * work a single figure says little; the spread between runs and the load during each is part
 * of the result). A run is identified by its `date`; saving it again replaces it. Raw sample
 * arrays (`samplesMs`) are left out of the runs file; the latest run's own file keeps them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const withoutSamples = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(withoutSamples);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .filter(([k]) => k !== 'samplesMs')
      .map(([k, x]) => [k, withoutSamples(x)]),
  );
};

export function saveRun(path: string, run: { date: string }): void {
  let runs: Array<{ date: string }> = [];
  if (existsSync(path)) {
    try {
      runs = JSON.parse(readFileSync(path, 'utf8')) as Array<{ date: string }>;
    } catch (err) {
      console.warn(`bench: ${path} unreadable (${(err as Error).message}); starting it again`);
    }
  }
  runs = runs.filter((r) => r.date !== run.date);
  runs.push(withoutSamples(run) as { date: string });
  writeFileSync(path, `${JSON.stringify(runs, null, 2)}\n`);
}
