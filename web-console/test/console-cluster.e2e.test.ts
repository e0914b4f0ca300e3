/**
 * Issue 19 in a real browser: the built console, loaded from the first of two center instances
 * (real processes on PostgreSQL, Mosquitto dynsec, InfluxDB and Redis, GWANJE_CENTER_URLS listing
 * both), shows which instance it is connected to; after `kill -9` of that instance it moves to the
 * other one by itself (the page stays, served by the dead one), and a gas alarm raised after the
 * kill appears in its alarm list: live events, the API resync (CORS) and the CSP all allow the
 * other instance.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MqttClient } from 'mqtt';
import type { Browser, BrowserContext } from 'playwright-core';
import { centerApi, connectAgent, type IssuedAgent } from '../../control-api/test/support/agents.js';
import { startTestCluster, type TestCluster } from '../../control-api/test/support/cluster.js';
import { waitFor } from '../../testkit/index.js';
import { launchChromium, openConsole } from './support/browser.js';

const root = new URL('../../', import.meta.url).pathname;
const PASSWORD = 'cluster-Console-r00m-7!';
let cluster: TestCluster;
let browser: Browser;
const contexts: BrowserContext[] = [];
let agent: IssuedAgent;
let mq: MqttClient;

before(async () => {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
  cluster = await startTestCluster({ password: PASSWORD, instances: 2, listCenters: true });
  const c = centerApi(() => cluster.centers[1].base);
  const token = await c.login('admin', PASSWORD);
  agent = await c.provision(token, 'cl-web-agent', 'suwon');
  mq = await connectAgent(agent);
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await mq?.endAsync();
  await cluster?.stop();
});

test('the console moves to the surviving instance after kill -9 of its own and shows the alarm raised meanwhile', async () => {
  const [a, b] = cluster.centers.map((c) => new URL(c.base).host);
  const page = await openConsole(browser, contexts, {
    url: cluster.centers[0].base,
    username: 'admin',
    password: PASSWORD,
    locale: 'en',
  });
  await page.waitForSelector(`[data-center="${a}"]`, { timeout: 10_000 });
  assert.match((await page.locator('[data-conn]').textContent()) ?? '', new RegExp(`via ${a}`));

  await cluster.kill9(0);
  const sensorId = 'suwon-web-ch4-1';
  let seq = 0;
  const row = page.locator(`[data-source="${sensorId}"][data-type=gas-high]`);
  // The transmitter reports every second, as a real one does, until the alarm shows.
  await waitFor(
    async () => {
      if ((await row.count()) > 0) return true;
      seq += 1;
      const reading = { sensorId, metric: 'gas', gas: 'CH4', value: 60, unit: '%LEL', ts: Date.now(), quality: 'good' };
      await mq.publishAsync(
        `gwanje/v1/suwon/${agent.agentId}/telemetry`,
        JSON.stringify({ agentId: agent.agentId, seq, readings: [reading] }),
        { qos: 1 },
      );
      return false;
    },
    60_000,
    1000,
  );
  await page.waitForSelector(`[data-conn=connected] [data-center="${b}"]`, { timeout: 30_000 });
  assert.equal(await row.count(), 1, 'the alarm raised after the kill is listed once');
});
