#!/usr/bin/env node
// `npm start`: the whole center with embedded defaults and a simulated province of 31 sites
// (GWANJE_SIMULATE defaults to 31 here; 0 disables). Builds the console when its sources
// changed, then runs launch.mjs: the center (control-api/src/main.ts) and the simulator process
// beside it (edge-agent/src/sim/main.ts), forwarding signals so Ctrl-C shuts both down cleanly.
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env };
if (env.GWANJE_SIMULATE === undefined || env.GWANJE_SIMULATE === '') env.GWANJE_SIMULATE = '31';

const build = spawnSync(process.execPath, ['scripts/build-console.mjs'], { cwd: root, stdio: 'inherit', env });
if (build.status !== 0) {
  console.error('start: the web console failed to build (see above); fix it or run `npm run build:console`.');
  process.exit(build.status ?? 1);
}
const child = spawn(process.execPath, ['scripts/launch.mjs'], {
  cwd: root,
  stdio: 'inherit',
  env,
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
