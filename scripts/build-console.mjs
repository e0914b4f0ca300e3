#!/usr/bin/env node
// Builds web-console/dist with Vite, only when its sources changed since the last build.
// Called by the root `npm start` before the center starts. The stamp is a SHA-256 over the
// paths and contents of every source file (cheap: the console is a few hundred kB of text), so
// a checkout, an edit or a `touch` with identical content is judged by content, not mtime.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const consoleDir = join(root, 'web-console');
const distDir = join(consoleDir, 'dist');
const stampFile = join(distDir, '.build-stamp');
const inputs = [
  join(consoleDir, 'src'),
  join(consoleDir, 'index.html'),
  join(consoleDir, 'vite.config.ts'),
  join(consoleDir, 'package.json'),
  join(root, 'protocol', 'src', 'socket.ts'),
  join(root, 'protocol', 'src', 'schemas'),
];

function files(p, out) {
  if (!existsSync(p)) return out;
  if (statSync(p).isDirectory()) {
    for (const name of readdirSync(p).sort()) files(join(p, name), out);
  } else {
    out.push(p);
  }
  return out;
}

function sourceHash() {
  const h = createHash('sha256');
  for (const f of inputs.flatMap((p) => files(p, []))) {
    h.update(relative(root, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

const started = Date.now();
const hash = sourceHash();
const force = process.argv.includes('--force');
const upToDate = () =>
  !force &&
  existsSync(join(distDir, 'index.html')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === hash;
if (upToDate()) {
  console.log(`web-console: up to date (${Date.now() - started} ms)`);
  process.exit(0);
}

// Two callers at once (parallel test files, `npm start` during a test) must not both write dist/:
// mkdir is atomic, so the directory is the lock; a lock older than 5 minutes is a crashed build.
const lockDir = join(consoleDir, '.build-lock');
for (;;) {
  try {
    mkdirSync(lockDir);
    break;
  } catch (err) {
    if (err?.code !== 'EEXIST') throw err;
    if (Date.now() - statSync(lockDir).mtimeMs > 300_000) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
process.on('exit', () => rmSync(lockDir, { recursive: true, force: true }));
if (upToDate()) {
  console.log(`web-console: up to date (built by another process, ${Date.now() - started} ms)`);
  process.exit(0);
}

console.log('web-console: sources changed, building with Vite...');
try {
  const { build } = await import('vite');
  await build({ configFile: join(consoleDir, 'vite.config.ts'), root: consoleDir, logLevel: 'warn' });
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`\nweb-console: BUILD FAILED: ${message}`);
  console.error('web-console: fix the error above, then run `npm run build:console` (or `npm start`) again.');
  process.exit(1);
}
writeFileSync(stampFile, `${hash}\n`);
console.log(`web-console: built ${relative(root, distDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
