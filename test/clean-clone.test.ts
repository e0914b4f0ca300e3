/**
 * Issue 17 as a newcomer meets it: the repository's files in a new directory (what a clone has:
 * tracked and not-ignored files, no data/, no build output), `npm install`, then `npm start`
 * with the README's defaults on a PATH that holds only node, npm and sh (no Debian ffmpeg, no
 * Mosquitto), while another program holds the MQTT port; then again once it is freed.
 *
 * Kept cheap for CI: node_modules is hard-linked from this checkout so `npm install --offline`
 * only checks the tree against the lockfile (no download, no native build), and the console
 * built by `scripts/build-console.mjs` is copied (its build is what console tests cover). The
 * simulated province is 2 sites instead of 31, for the CPU of a shared 2-core machine.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { freePort, jsonApi, waitFor } from '../testkit/index.js';

const repo = new URL('..', import.meta.url).pathname;
let clone = '';
let bin = '';

interface Run {
  proc: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Runs a command in the clone as its own process group, so stop() ends npm, start.mjs and the center. */
function run(cmd: string, args: string[], env: Record<string, string>): Run {
  const proc = spawn(cmd, args, {
    cwd: clone,
    env: { PATH: bin, HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  const keep = (b: Buffer) => {
    text = (text + b.toString()).slice(-200_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    out: () => text,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
      process.kill(-proc.pid, 'SIGTERM');
      const killer = setTimeout(() => proc.pid && process.kill(-proc.pid, 'SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

describe('clean clone: npm install && npm start (issue 17)', { timeout: 400_000 }, () => {
  before(() => {
    clone = mkdtempSync(join(tmpdir(), 'gwanje-clone-'));
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo });
    execFileSync('tar', ['--null', '-T', '-', '-cf', join(clone, '.files.tar')], { cwd: repo, input: files });
    execFileSync('tar', ['-xf', '.files.tar'], { cwd: clone });
    rmSync(join(clone, '.files.tar'));
    execFileSync('cp', ['-al', join(repo, 'node_modules'), join(clone, 'node_modules')]);
    execFileSync(process.execPath, [join(repo, 'scripts/build-console.mjs')], { stdio: 'pipe' });
    cpSync(join(repo, 'web-console/dist'), join(clone, 'web-console/dist'), { recursive: true });
    // A PATH with node, npm and the shell npm runs scripts with: no ffmpeg, no mosquitto.
    bin = join(clone, '.bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(execFileSync('which', ['npm']).toString().trim(), join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
  });
  after(() => {
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  test('npm install succeeds against the lockfile', async () => {
    const r = run('npm', ['install', '--offline', '--no-audit', '--no-fund'], {});
    const code = await r.exited;
    assert.equal(code, 0, r.out());
    assert.ok(!existsSync(join(bin, 'ffmpeg')));
  });

  test('#17 MQTT port taken: a clear error and nothing created; freed: a working password and live video without ffmpeg on PATH', async () => {
    const [httpPort, mqttPort] = await Promise.all([freePort(), freePort()]);
    const env = {
      GWANJE_HTTP_PORT: String(httpPort),
      GWANJE_MQTT_PORT: String(mqttPort),
      GWANJE_HOST: '127.0.0.1',
      GWANJE_SIMULATE: '2',
      GWANJE_SIMULATE_INCIDENT_SEC: '0',
    };
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(mqttPort, '127.0.0.1', resolve));
    const first = run('npm', ['start'], env);
    const code = await first.exited;
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    assert.equal(code, 1, first.out());
    assert.match(first.out(), new RegExp(`GWANJE_MQTT_PORT: port ${mqttPort} is already in use`));
    assert.match(first.out(), /nothing was created/);
    assert.ok(!existsSync(join(clone, 'data/initial-admin-password')), 'no admin was made with an unseen password');

    const second = run('npm', ['start'], env);
    try {
      await waitFor(() => /password: (\S+)/.test(second.out()), 120_000, 250).catch((e) => {
        throw new Error(`no password printed: ${e}\n${second.out()}`);
      });
      const password = /password: (\S+)/.exec(second.out())?.[1] ?? '';
      // Printed once, in the banner; never in a log line.
      assert.equal(second.out().split(password).length - 1, 1, 'the password appears only in the banner');
      const api = jsonApi(() => `http://127.0.0.1:${httpPort}`);
      const login = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, {
        username: 'admin',
        password,
      });
      assert.equal(login.status, 200);
      const token = login.body.token;
      // No ffmpeg on PATH: the center says it uses the one shipped in npm.
      assert.match(second.out(), /"source":"npm".*"msg":"video: ffmpeg"/);

      await waitFor(async () => (await api<unknown[]>('GET', '/api/v1/cameras', token)).body.length === 2, 30_000);
      const cams = (await api<Array<{ cameraId: string }>>('GET', '/api/v1/cameras', token)).body;
      const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/video/${cams[0].cameraId}?token=${token}`);
      const chunks: Buffer[] = [];
      ws.on('message', (d: Buffer) => chunks.push(d));
      try {
        await waitFor(() => chunks.reduce((n, c) => n + c.length, 0) > 188 * 100, 60_000, 100).catch((e) => {
          throw new Error(`no video bytes: ${e}\n${second.out().slice(-5000)}`);
        });
      } finally {
        ws.close();
      }
      assert.equal(Buffer.concat(chunks)[188], 0x47, 'MPEG-TS');
      const snap = await fetch(`http://127.0.0.1:${httpPort}/video/${cams[1].cameraId}/snapshot.jpg?token=${token}`);
      assert.equal(snap.status, 200);
      const jpeg = Buffer.from(await snap.arrayBuffer());
      assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
    } finally {
      await second.stop();
    }
  });
});
