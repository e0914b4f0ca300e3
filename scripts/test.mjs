#!/usr/bin/env node
// `npm test`: lint, type check, then every */test/**/*.test.ts under node:test (with tsx).
// `npm test -- <substring>` runs only the test files whose path contains the substring (no lint).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const packages = [
  'protocol',
  'detection',
  'escalation',
  'vision',
  'firmware-config',
  'media',
  'edge-agent',
  'gateway',
  'control-api',
  'web-console',
];
const testDirs = ['test', ...packages.map((p) => join(p, 'test'))];

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function run(cmd, args) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status ?? 1;
}

let status = 0;
if (filters.length === 0) {
  status |= run('npx', ['biome', 'check', '.']);
  status |= run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  for (const project of ['web-console/tsconfig.json', 'web-console/test/tsconfig.json']) {
    if (existsSync(join(root, project))) status |= run('npx', ['tsc', '-p', project, '--noEmit']);
  }
}
const files = testDirs
  .flatMap((d) => walk(join(root, d), []))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .map((f) => f.slice(root.length));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.GWANJE_TEST_CONCURRENCY ?? '2';
status |= run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  ...files,
]);
process.exit(status ? 1 : 0);
