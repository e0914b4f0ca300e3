/** What `npm start` prints for a person (issue 17): where to go, how to log in, where agents connect. */
import { RESET_HINT } from './auth/first-admin.js';
import type { CenterStarted } from './center.js';

export const PORT_ERROR_HINT = `the admin password will be printed by the next start (forgotten later: ${RESET_HINT})`;

/** The lines `npm start` prints once the center is ready. */
export function startBanner(started: CenterStarted): string[] {
  const lines = [`\nGwanje is running: open ${started.url}`];
  if (started.adminPassword) {
    lines.push(`  user: admin   password: ${started.adminPassword}`);
    lines.push('  (generated; printed at every start until someone logs in as admin)');
  } else {
    lines.push(`  user: admin   (password as set before; forgotten? ${RESET_HINT})`);
  }
  const broker = `MQTT broker for edge agents: ${started.mqttUrl}`;
  lines.push(
    started.mqttTakenPort === undefined
      ? broker
      : `${broker}  (port ${started.mqttTakenPort} is taken by another program, so the embedded broker ` +
          `listens on ${new URL(started.mqttUrl).port} instead; set GWANJE_MQTT_PORT to choose)`,
  );
  return [...lines, ''];
}
