/**
 * docker-compose.yml (no container engine here: `docker-compose config` validates offline):
 * valid, no default password, TLS by default (issue 16 F13), the defects of issue 17 fixed, and
 * the environment of every process test/production-set.test.ts runs is exactly what compose
 * passes that service, up to the localization support/compose.ts documents.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { composeConfig, localize } from './support/compose.js';
import { planTopology, SECRETS } from './support/topology.js';

const root = new URL('..', import.meta.url).pathname;
const vars = { ...SECRETS, GWANJE_TLS_DIR: '/etc/gwanje/tls', GWANJE_PUBLIC_HOST: 'gwanje.gg.example' };

describe('docker-compose.yml', () => {
  it('validates, and refuses to start without each secret and the public host', () => {
    const ok = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...vars },
    });
    assert.equal(ok.status, 0, ok.stderr.toString());
    for (const missing of Object.keys(vars)) {
      const env: Record<string, string | undefined> = { PATH: process.env.PATH, ...vars, [missing]: undefined };
      const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: root, env });
      assert.notEqual(r.status, 0, `compose must refuse to start without ${missing}`);
      assert.match(r.stderr.toString(), new RegExp(`set ${missing}`));
    }
  });

  it('has the production set; only HTTPS and MQTTS are published (TLS by default, F13)', () => {
    const c = composeConfig(vars);
    assert.deepEqual(Object.keys(c.services).sort(), [
      'control-api',
      'edge-agent-sim',
      'influxdb',
      'mosquitto',
      'postgres',
    ]);
    const published = Object.entries(c.services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p.published}->${p.target}`),
    );
    assert.deepEqual(published.sort(), ['control-api 8443->8443', 'mosquitto 8883->8883']);
    const center = c.services['control-api'].environment ?? {};
    assert.equal(center.GWANJE_PUBLIC_URL, 'https://gwanje.gg.example:8443');
    assert.equal(center.GWANJE_MQTT_PUBLIC_URL, 'mqtts://gwanje.gg.example:8883');
    assert.equal(center.GWANJE_TLS_CERT, '/tls/server.crt');
    const conf = readFileSync(`${root}/deploy/mosquitto/mosquitto.conf`, 'utf8');
    assert.match(
      conf,
      /^listener 8883\ncertfile \/mosquitto\/tls\/server\.crt\nkeyfile \/mosquitto\/tls\/server\.key$/m,
    );
  });

  it('#17 the agent knows only the public URL (it used to push video to itself at localhost)', () => {
    const c = composeConfig(vars);
    const agent = c.services['edge-agent-sim'];
    for (const [k, v] of Object.entries(agent.environment ?? {})) {
      assert.doesNotMatch(String(v), /localhost|control-api|mosquitto:|influxdb|postgres:/, `${k}=${v}`);
    }
    assert.equal(agent.environment?.GWANJE_PUBLIC_URL, 'https://gwanje.gg.example:8443');
    assert.deepEqual(agent.extra_hosts, ['gwanje.gg.example:host-gateway']);
    // Without GWANJE_PUBLIC_HOST there is no default to fall back to.
    assert.doesNotMatch(readFileSync(`${root}/docker-compose.yml`, 'utf8'), /GWANJE_PUBLIC_URL:-|localhost:8080/);
  });

  it('#17 the data volumes belong to the user the services run as', () => {
    const file = readFileSync(`${root}/Dockerfile`, 'utf8');
    const runtime = file.slice(file.lastIndexOf('FROM '));
    const chown = runtime.search(/RUN mkdir -p \/data && chown node:node \/data/);
    assert.ok(chown > 0, 'the runtime stage makes /data owned by node');
    assert.ok(
      chown < runtime.indexOf('VOLUME /data') && runtime.indexOf('VOLUME /data') < runtime.indexOf('USER node'),
    );
  });

  it('#17 the healthcheck asks /healthz, which answers 503 when a store is down', () => {
    const c = composeConfig(vars);
    assert.deepEqual(c.services['control-api'].healthcheck?.test, [
      'CMD',
      'node',
      'deploy/healthcheck.mjs',
      'https://127.0.0.1:8443/healthz',
    ]);
    // Nothing listens there: the check fails (exit 1), it does not pass by default.
    const r = spawnSync(process.execPath, ['deploy/healthcheck.mjs', 'https://127.0.0.1:1/healthz'], { cwd: root });
    assert.equal(r.status, 1);
  });
});

describe('the process test runs what compose passes', () => {
  it('every service: the same variables, values differing only by localized hosts, ports and paths', () => {
    // The plan test/production-set.test.ts starts its processes with (here with made-up places).
    const plan = planTopology({
      dir: '/tmp/gwanje-prod-x',
      tls: '/tmp/gwanje-prod-x/tls',
      ports: { https: 40443, mqtts: 40883, mqtt: 41883, agentHealth: 49720, influx: 48086 },
      fieldUrl: 'mqtt://127.0.0.1:42883',
      pgUrl: `postgres://gwanje:${SECRETS.GWANJE_POSTGRES_PASSWORD}@127.0.0.1:45432/gwanje`,
      pgPort: 45432,
    });
    for (const [service, env] of [
      ['control-api', plan.env.center],
      ['edge-agent-sim', plan.env.agent],
      ['mosquitto', plan.env.mosquitto],
    ] as const) {
      assert.deepEqual(env, localize(plan.compose.services[service], plan.local), service);
    }
  });
});
