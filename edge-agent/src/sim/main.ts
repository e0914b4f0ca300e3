/**
 * The simulated province's process (issue 18), which `npm start` (scripts/launch.mjs) runs beside
 * the center when GWANJE_SIMULATE is above 0. It reads the same environment as the center:
 * GWANJE_DATA_DIR (where the center left the provisioning token), GWANJE_SIMULATE_INCIDENT_SEC,
 * GWANJE_FFMPEG and GWANJE_LOG_LEVEL; the number of sites is the center's to decide.
 */
import { resolveFfmpeg } from '@gwanje/media';
import pino from 'pino';
import { ProvinceRunner } from './province-runner.js';

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`gwanje-sim: ${name}: must be a whole number of seconds, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

const log = pino({ level: process.env.GWANJE_LOG_LEVEL || 'info', name: 'gwanje-sim' });
const runner = new ProvinceRunner({
  log,
  dataDir: process.env.GWANJE_DATA_DIR || './data',
  incidentEverySec: seconds('GWANJE_SIMULATE_INCIDENT_SEC', 600),
  ffmpeg: { path: resolveFfmpeg(process.env.GWANJE_FFMPEG || undefined).path },
  // A first start may migrate a database and encode the test clip on a loaded machine: be patient.
  waitMs: 600_000,
});
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await runner.stop();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
try {
  await runner.start();
} catch (err) {
  process.stderr.write(`gwanje-sim: ${(err as Error).message}\n`);
  await shutdown(1);
}
