/**
 * Issue 19, "embedded default unchanged": without PostgreSQL and an external broker the center is
 * one instance that owns every site, and a second one refuses to start with a clear error, on
 * SQLite (same data directory) and on PostgreSQL with the embedded broker (same database).
 * Centers start through the module table (`Center`), as `npm start` does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createTestDatabase, freePort, jsonApi } from '../../../testkit/index.js';
import { Center } from '../../src/center.js';
import { createLogger } from '../../src/logger.js';
import { loadSettings } from '../../src/settings.js';

const base = mkdtempSync(join(tmpdir(), 'gwanje-single-'));
after(() => rmSync(base, { recursive: true, force: true }));
const PASSWORD = 'Single-Center-Pw-9';

async function center(env: Record<string, string>): Promise<Center> {
  const [http, mqtt] = await Promise.all([freePort(), freePort()]);
  const c = new Center(
    loadSettings({
      GWANJE_HOST: '127.0.0.1',
      GWANJE_SIMULATE: '0',
      GWANJE_ML_SAMPLE_EVERY: '0',
      GWANJE_FIRE_DETECTOR: 'off',
      GWANJE_ADMIN_PASSWORD: PASSWORD,
      GWANJE_HTTP_PORT: String(http),
      GWANJE_MQTT_PORT: String(mqtt),
      ...env,
    }),
    createLogger('silent'),
  );
  try {
    await c.start();
    return c;
  } catch (err) {
    await c.stop();
    throw err;
  }
}

test('SQLite: one instance owns all 31 sites; a second on the same data directory refuses, naming the way to run several', async () => {
  const dataDir = join(base, 'sqlite');
  const first = await center({ GWANJE_DATA_DIR: dataDir });
  try {
    const api = jsonApi(() => first.http.url);
    const login = await api('POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
    const view = await api('GET', '/api/v1/cluster', (login.body as { token: string }).token);
    const body = view.body as { clustered: boolean; instances: { self: boolean; sites: unknown[] }[] };
    assert.equal(view.status, 200);
    assert.equal(body.clustered, false);
    assert.equal(body.instances.length, 1);
    assert.equal(body.instances[0].self, true);
    assert.equal(body.instances[0].sites.length, 31);
    await assert.rejects(
      center({ GWANJE_DATA_DIR: dataDir }),
      /^Error: cluster: another center \(.*\) already runs on the data directory .*; several center instances need GWANJE_DATABASE_URL=postgres:\/\/\.\.\., GWANJE_MQTT_URL/,
    );
  } finally {
    await first.stop();
  }
  // Stopped, it no longer holds the directory.
  const again = await center({ GWANJE_DATA_DIR: dataDir });
  await again.stop();
});

test('PostgreSQL with the embedded broker: a second instance on the same database refuses', async () => {
  const db = await createTestDatabase('gwanje_single');
  try {
    const first = await center({ GWANJE_DATA_DIR: join(base, 'pg-a'), GWANJE_DATABASE_URL: db.url });
    try {
      await assert.rejects(
        center({ GWANJE_DATA_DIR: join(base, 'pg-b'), GWANJE_DATABASE_URL: db.url }),
        /^Error: cluster: another center \(.*\) runs on this database; several center instances need/,
      );
    } finally {
      await first.stop();
    }
  } finally {
    await db.drop();
  }
});
