/**
 * Issue 19: docker-compose.cluster.yml on top of docker-compose.yml (validated offline with
 * `docker-compose config`): a second center and Redis; both centers on the same PostgreSQL,
 * broker, InfluxDB and Redis, each with its own public URL and data volume, both listed to
 * consoles and agents; Redis never published; and each center's environment is one the center
 * itself accepts (its settings schema), with the cluster settings in effect.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadSettings } from '../control-api/src/settings.js';
import { composeConfig } from './support/compose.js';
import { SECRETS } from './support/topology.js';

const root = new URL('..', import.meta.url).pathname;
const FILES = ['docker-compose.yml', 'docker-compose.cluster.yml'];
const vars = { ...SECRETS, GWANJE_TLS_DIR: '/etc/gwanje/tls', GWANJE_PUBLIC_HOST: 'gwanje.gg.example' };
const SHARED = [
  'GWANJE_DATABASE_URL',
  'GWANJE_MQTT_URL',
  'GWANJE_INFLUX_URL',
  'GWANJE_REDIS_URL',
  'GWANJE_CENTER_URLS',
];

describe('docker-compose.cluster.yml', () => {
  it('validates with the production set, and still refuses to start without the public host', () => {
    const args = [...FILES.flatMap((f) => ['-f', f]), 'config', '-q'];
    const ok = spawnSync('docker-compose', args, { cwd: root, env: { PATH: process.env.PATH, ...vars } });
    assert.equal(ok.status, 0, ok.stderr.toString());
    const env = { PATH: process.env.PATH, ...vars, GWANJE_PUBLIC_HOST: undefined };
    const r = spawnSync('docker-compose', args, { cwd: root, env });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr.toString(), /set GWANJE_PUBLIC_HOST/);
  });

  it('adds a second center and Redis on the shared stores; only the two HTTPS ports and MQTTS are published', () => {
    const c = composeConfig(vars, FILES);
    assert.ok(c.services.redis && c.services['control-api-2'], 'redis and control-api-2 services');
    const published = Object.entries(c.services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p.published}->${p.target}`),
    );
    assert.deepEqual(published.sort(), ['control-api 8443->8443', 'control-api-2 8444->8443', 'mosquitto 8883->8883']);
    const one = c.services['control-api'].environment ?? {};
    const two = c.services['control-api-2'].environment ?? {};
    for (const k of SHARED) assert.equal(two[k], one[k], `${k} is the same on both instances`);
    assert.equal(one.GWANJE_REDIS_URL, 'redis://redis:6379');
    assert.equal(one.GWANJE_PUBLIC_URL, 'https://gwanje.gg.example:8443');
    assert.equal(two.GWANJE_PUBLIC_URL, 'https://gwanje.gg.example:8444');
    assert.equal(one.GWANJE_CENTER_URLS, 'https://gwanje.gg.example:8443,https://gwanje.gg.example:8444');
    assert.equal(c.services['edge-agent-sim'].environment?.GWANJE_CENTER_URLS, one.GWANJE_CENTER_URLS);
    const dataOf = (s: string) => (c.services[s].volumes ?? []).map(String).find((v) => v.includes('/data'));
    assert.notEqual(dataOf('control-api'), dataOf('control-api-2'), 'each instance its own data directory');
    for (const name of ['control-api', 'control-api-2']) {
      // Peer video links go to the other instance's public https URL, certified by the province CA.
      assert.equal(c.services[name].environment?.NODE_EXTRA_CA_CERTS, '/tls/ca.crt', name);
      assert.ok(
        (c.services[name].volumes ?? []).map(String).some((v) => v.includes('/tls/ca.crt')),
        name,
      );
      // (`docker-compose config` writes extra_hosts as a mapping)
      assert.match(JSON.stringify(c.services[name].extra_hosts), /gwanje\.gg\.example"?:"?host-gateway/, name);
    }
  });

  it("each center's environment passes the center's own settings schema, clustered", () => {
    const c = composeConfig(vars, FILES);
    for (const name of ['control-api', 'control-api-2']) {
      const s = loadSettings(c.services[name].environment ?? {});
      assert.equal(s.redisUrl, 'redis://redis:6379', name);
      assert.deepEqual(s.centerUrls, ['https://gwanje.gg.example:8443', 'https://gwanje.gg.example:8444'], name);
      assert.ok(s.databaseUrl?.startsWith('postgres://') && s.mqttUrl && s.influxUrl, name);
      assert.deepEqual(s.warnings, [], name);
    }
  });
});
