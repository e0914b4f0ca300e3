/**
 * Issue 17 "Start-up order that cannot lock anyone out", on the real center in this process:
 * a taken port fails the start before anything is created; the generated admin password is
 * kept (0600) and handed back at every start until someone logs in as admin; the embedded
 * broker's default port, when taken, is replaced by a free one and said so; `npm run admin --
 * reset-password` gives a working password.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort, jsonApi } from '../../../testkit/index.js';
import { startBanner } from '../../src/banner.js';
import { Center, type CenterStarted } from '../../src/center.js';
import { PortError } from '../../src/listen.js';
import { createLogger } from '../../src/logger.js';
import { loadSettings } from '../../src/settings.js';

const root = new URL('../../..', import.meta.url).pathname;

async function hold(port: number): Promise<Server> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
  return s;
}
const release = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

async function startCenter(env: Record<string, string>): Promise<{ center: Center; started: CenterStarted }> {
  const center = new Center(
    loadSettings({ GWANJE_HOST: '127.0.0.1', GWANJE_SIMULATE: '0', GWANJE_ML_SAMPLE_EVERY: '0', ...env }),
    createLogger('silent'),
  );
  try {
    return { center, started: await center.start() };
  } catch (err) {
    await center.stop();
    throw err;
  }
}

async function login(base: string, password: string): Promise<number> {
  return (await jsonApi(() => base)('POST', '/api/v1/auth/login', undefined, { username: 'admin', password })).status;
}

describe('first run (issue 17)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-first-run-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  let firstPassword = '';

  test('#17 a taken MQTT port stops the start before the admin exists; the next start prints a working password until it is used', async () => {
    const [httpPort, mqttPort] = await Promise.all([freePort(), freePort()]);
    const env = { GWANJE_DATA_DIR: dataDir, GWANJE_HTTP_PORT: String(httpPort), GWANJE_MQTT_PORT: String(mqttPort) };
    const holder = await hold(mqttPort);
    await assert.rejects(startCenter(env), (err: Error) => {
      assert.ok(err instanceof PortError);
      assert.match(err.message, new RegExp(`^GWANJE_MQTT_PORT: port ${mqttPort} is already in use`));
      return true;
    });
    await release(holder);

    // Freed: this start creates the admin and hands its password back, stored 0600.
    let { center, started } = await startCenter(env);
    const password = started.adminPassword;
    assert.match(password ?? '', /^[A-Za-z0-9_-]{32}$/);
    firstPassword = password as string;
    assert.equal(statSync(join(dataDir, 'initial-admin-password')).mode & 0o777, 0o600);
    assert.ok(startBanner(started).some((l) => l.includes(password as string)));
    await center.stop();

    // Restarted before anyone logged in: the same password again.
    ({ center, started } = await startCenter(env));
    assert.equal(started.adminPassword, password);
    assert.equal(await login(started.url, password as string), 200);
    await center.stop();

    // Logged in: it is no longer printed, and the banner names the reset command instead.
    ({ center, started } = await startCenter(env));
    assert.equal(started.adminPassword, undefined);
    assert.ok(startBanner(started).some((l) => l.includes('npm run admin -- reset-password')));
    await center.stop();
  });

  test('npm run admin -- reset-password gives a working password and ends the old one', async () => {
    const httpPort = await freePort();
    const env = { GWANJE_DATA_DIR: dataDir, GWANJE_HTTP_PORT: String(httpPort), GWANJE_MQTT_PORT: '0' };
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'admin', '--', 'reset-password'], {
      cwd: root,
      env: { ...process.env, ...env, GWANJE_LOG_LEVEL: 'warn' },
    });
    const fresh = /New password for admin: (\S+)/.exec(stdout)?.[1];
    assert.ok(fresh, stdout);
    const { center, started } = await startCenter(env);
    try {
      // Kept for the next start too, until someone logs in with it.
      assert.equal(started.adminPassword, fresh);
      assert.equal(await login(started.url, firstPassword), 401);
      assert.equal(await login(started.url, fresh), 200);
    } finally {
      await center.stop();
    }
  });

  test('the embedded broker takes a free port when its default one is taken, and the banner says which', async () => {
    const mqttPort = await freePort();
    const holder = await hold(mqttPort);
    const dir = mkdtempSync(join(tmpdir(), 'gwanje-first-run-'));
    // GWANJE_MQTT_PORT unset: the default port (here mqttPort, standing in for 1883) may move.
    const settings = loadSettings({
      GWANJE_HOST: '127.0.0.1',
      GWANJE_SIMULATE: '0',
      GWANJE_ML_SAMPLE_EVERY: '0',
      GWANJE_DATA_DIR: dir,
      GWANJE_HTTP_PORT: '0',
    });
    const center = new Center({ ...settings, mqttPort }, createLogger('silent'));
    try {
      const started = await center.start();
      assert.equal(started.mqttTakenPort, mqttPort);
      const actual = Number(new URL(started.mqttUrl).port);
      assert.notEqual(actual, mqttPort);
      const line = startBanner(started).find((l) => l.startsWith('MQTT broker'));
      assert.match(line ?? '', new RegExp(`port ${mqttPort} is taken .* listens on ${actual} instead`));
    } finally {
      await center.stop();
      await release(holder);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
