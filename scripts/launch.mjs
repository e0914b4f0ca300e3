#!/usr/bin/env node
// The center and, beside it, the simulated province (issue 18): control-api/src/main.ts, then,
// when GWANJE_SIMULATE is above 0 (31 when unset, as in the center's settings), the simulator
// process edge-agent/src/sim/main.ts, which waits for the center's one-time provisioning token and
// talks MQTT and HTTP to it like any agent. Signals go to both; when the center ends, the simulator
// is stopped and this exits with the center's code. `npm start` (start.mjs) builds the console and
// runs this; tests that need the whole product as `npm start` runs it spawn this file.
import { spawn } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const tsx = (file) => [process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: 'inherit', env: process.env }];

const raw = process.env.GWANJE_SIMULATE;
const simulate = raw === undefined || raw === '' ? 31 : Number(raw);

/** The center's exit code once it has ended. */
let centerExit;
const center = spawn(...tsx('control-api/src/main.ts'));
// A malformed GWANJE_SIMULATE is the center's to report (it names the variable); no simulator then.
let sim = Number.isInteger(simulate) && simulate > 0 ? spawn(...tsx('edge-agent/src/sim/main.ts')) : undefined;

sim?.on('exit', (code, signal) => {
  if (code !== 0 && !centerExit)
    process.stderr.write(
      `gwanje: the simulator stopped (${signal ?? `exit ${code}`}); the center runs on without it\n`,
    );
  sim = undefined;
});

center.on('exit', (code, signal) => {
  centerExit = code ?? (signal ? 1 : 0);
  if (!sim) process.exit(centerExit);
  sim.once('exit', () => process.exit(centerExit));
  sim.kill('SIGTERM');
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    center.kill(sig);
    sim?.kill(sig);
  });
}
