/**
 * NAB-format results files, so the official scorer (numenta/NAB `python run.py -d null,gwanje
 * --optimize --score --normalize --resultsDir <dir>`) scores our detector as it is:
 * `<dir>/<detector>/<category>/<detector>_<file>.csv` with `timestamp,value,anomaly_score,label`
 * (NAB's detectDataSet layout; label is 1 inside a labelled window, as NAB's labeler writes it).
 * The `null` detector (constant 0.5, NAB's null_detector.py) is written beside it because the
 * official normalisation reads `<dir>/null/null_<profile>_scores.csv`, which its `--score` step
 * makes from those files. Detector names carry no '_': the official runner splits on it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NabFile } from './corpus.js';

export function writeResultsFiles(dir: string, detector: string, file: NabFile, scores: ArrayLike<number>): string {
  if (detector.includes('_')) throw new Error(`nab: detector name "${detector}" must not contain "_"`);
  const folder = join(dir, detector, file.category);
  mkdirSync(folder, { recursive: true });
  const lines = ['timestamp,value,anomaly_score,label'];
  let w = 0;
  for (let i = 0; i < file.rows.length; i++) {
    const t = file.timestamps[i];
    while (w < file.windows.length && file.windows[w][1] < t) w++;
    const label = w < file.windows.length && file.windows[w][0] <= t ? 1 : 0;
    // Full precision: NAB's optimiser sweeps the distinct scores, rounding would merge them.
    lines.push(`${file.rows[i][0]},${file.rows[i][1]},${scores[i]},${label}`);
  }
  const path = join(folder, `${detector}_${basename(file.name)}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The anomaly_score column of a results file, as the official scorer reads it (a round-trip check). */
export function readResultsScores(dir: string, detector: string, file: NabFile): number[] {
  const text = readFileSync(join(dir, detector, file.category, `${detector}_${basename(file.name)}`), 'utf8');
  const [header, ...rows] = text.trim().split('\n');
  const column = header.split(',').indexOf('anomaly_score');
  if (column < 0) throw new Error(`nab: no anomaly_score column in the ${detector} results for ${file.name}`);
  return rows.map((r) => Number(r.split(',')[column]));
}
