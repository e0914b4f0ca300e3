/**
 * Issue 18: GWANJE_CPU_NICE sets every thread of the center, the ones running at start and those
 * started after (inherited). Each case runs in a child process: a nice value, once lowered, is
 * not the test runner's to give back.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { loadSettings, type SettingsError } from '../src/settings.js';

const MODULE = new URL('../src/cpu-priority.ts', import.meta.url).pathname;

/** Applies `nice` in a fresh Node process, starts a worker after it, and reports every thread's nice value. */
function inChild(nice: number): { result: unknown; threads: number[] } {
  const script = `
    import { readdirSync } from 'node:fs';
    import { getPriority } from 'node:os';
    import { Worker } from 'node:worker_threads';
    const { applyCpuNice } = await import(${JSON.stringify(MODULE)});
    const result = applyCpuNice(${nice}) ?? null;
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((r) => worker.once('online', r));
    const threads = readdirSync('/proc/self/task').map((tid) => getPriority(Number(tid)));
    await worker.terminate();
    console.log(JSON.stringify({ result, threads }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

test('a positive nice value reaches every thread, including a worker started afterwards', () => {
  const { result, threads } = inChild(7);
  assert.deepEqual({ ...(result as object), threads: undefined }, { nice: 7, threads: undefined });
  assert.ok(threads.length >= 5, `a Node process has several threads (${threads.length})`);
  assert.deepEqual(new Set(threads), new Set([7]));
});

test('a negative nice value as root is set on every thread; 0 changes nothing', {
  skip: process.getuid?.() !== 0,
}, () => {
  const lowered = inChild(-5);
  assert.deepEqual(new Set(lowered.threads), new Set([-5]));
  const unchanged = inChild(0);
  assert.equal(unchanged.result, null);
  assert.deepEqual(new Set(unchanged.threads), new Set([0]));
});

test('GWANJE_CPU_NICE is a nice value: -20 to 19, 0 by default, a bad one names itself', () => {
  assert.equal(loadSettings({}).cpuNice, 0);
  assert.equal(loadSettings({ GWANJE_CPU_NICE: '-10' }).cpuNice, -10);
  assert.throws(
    () => loadSettings({ GWANJE_CPU_NICE: '-25' }),
    (e: SettingsError) => e.errors.some((x) => /^GWANJE_CPU_NICE: must be an integer from -20 to 19/.test(x)),
  );
});
