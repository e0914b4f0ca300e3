/**
 * `npm start` -> `node --import tsx control-api/src/main.ts`: reads the GWANJE_* settings, starts
 * the center, prints the console URL (and a generated admin password, once), and shuts down
 * gracefully on SIGINT/SIGTERM.
 */
import { PORT_ERROR_HINT, startBanner } from './banner.js';
import { Center } from './center.js';
import { applyCpuNice } from './cpu-priority.js';
import { PortError } from './listen.js';
import { createLogger } from './logger.js';
import { loadSettings, SettingsError } from './settings.js';

async function main(): Promise<void> {
  // Everything the center writes (database, keys, clips, time series, spool) is its own: files
  // 0600 and directories 0700 (security review F17), whatever umask the shell had.
  process.umask(0o077);
  let settings: ReturnType<typeof loadSettings>;
  try {
    settings = loadSettings(process.env);
  } catch (err) {
    if (err instanceof SettingsError) {
      for (const w of err.warnings) process.stderr.write(`gwanje: warning: ${w}\n`);
      for (const e of err.errors) process.stderr.write(`gwanje: ${e}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(settings.logLevel);
  // A mistyped variable (GWANJE_MQTT_PRT) is named at start, with the setting it was probably meant to be.
  for (const w of settings.warnings) {
    process.stderr.write(`gwanje: warning: ${w}\n`);
    log.warn({ warning: w }, 'settings: unknown variable');
  }
  // Issue 18: before anything starts its threads, so they inherit it (cpu-priority.ts).
  const priority = applyCpuNice(settings.cpuNice);
  if (priority?.error)
    log.warn(
      { wanted: settings.cpuNice, nice: priority.nice, err: priority.error },
      'center: CPU priority not set (GWANJE_CPU_NICE below 0 needs root or CAP_SYS_NICE); running as started',
    );
  else if (priority) log.info({ nice: priority.nice, threads: priority.threads }, 'center: CPU priority set');
  const center = new Center(settings, log);
  const startedAt = performance.now();
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'center: shutting down');
    const force = setTimeout(() => {
      log.error('center: shutdown took over 15 s, exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    center.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'center: shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    const started = await center.start();
    const ms = Math.round(performance.now() - startedAt);
    log.info({ url: started.url, mqtt: started.mqttUrl, startupMs: ms }, 'center: ready');
    // Printed plainly (not only as a log line) so a newcomer sees where to go; the password is
    // never logged, only printed here, and only while nobody has logged in with it (issue 17).
    process.stdout.write(`${startBanner(started).join('\n')}\n`);
  } catch (err) {
    const message = err instanceof PortError ? err.message : ((err as Error).stack ?? String(err));
    process.stderr.write(`gwanje: ${message}\n`);
    // Ports are claimed before anything is created, so a port error leaves no half-made admin.
    if (err instanceof PortError) process.stderr.write(`gwanje: nothing was created; ${PORT_ERROR_HINT}\n`);
    await center.stop();
    process.exit(1);
  }
}

void main();
