/** docker-compose.yml is valid (docker-compose config -q, offline; no Docker engine here). */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('..', import.meta.url).pathname;
const secrets = {
  GWANJE_MQTT_ADMIN_PASSWORD: 'a-long-admin-secret',
  GWANJE_MQTT_CENTER_PASSWORD: 'a-long-center-secret',
  GWANJE_POSTGRES_PASSWORD: 'a-long-pg-secret',
  GWANJE_ADMIN_PASSWORD: 'a-long-console-secret',
};

describe('docker-compose.yml', () => {
  it('validates with docker-compose config -q', () => {
    execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: root,
      env: { ...process.env, ...secrets },
    });
  });

  it('has every service of the production set and no default password', () => {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services'], {
      cwd: root,
      env: { ...process.env, ...secrets },
    }).toString();
    assert.deepEqual(out.trim().split('\n').sort(), [
      'control-api',
      'edge-agent-sim',
      'influxdb',
      'mosquitto',
      'postgres',
    ]);
    const env = { ...process.env };
    for (const k of Object.keys(secrets)) delete env[k];
    const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: root, env });
    assert.notEqual(r.status, 0, 'compose must refuse to start without secrets');
    assert.match(r.stderr.toString(), /set GWANJE_/);
  });

  it('the images it builds exist as Dockerfiles', () => {
    assert.match(readFileSync(`${root}/Dockerfile`, 'utf8'), /FROM node:20/);
  });
});
