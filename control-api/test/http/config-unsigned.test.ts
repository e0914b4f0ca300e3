/**
 * Security review F20 against the real center: without a pinned config key
 * (GWANJE_CONFIG_PUBLIC_KEY) a config push cannot be verified, so it is refused (503 naming the
 * variable) instead of replacing the agent's retained config with whatever envelope was posted;
 * GWANJE_CONFIG_ALLOW_UNSIGNED=1 allows it explicitly (a test bench).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { centerApi } from '../support/agents.js';
import { startTestCenter, type TestCenter } from '../support/center.js';

const PASSWORD = 'f20-Control-r00m-7!';
const envelope = {
  version: 'x',
  issuedAt: 1_765_000_000_000,
  keyId: 'k',
  signature: 'AAAA',
  document: { agentId: 'f20-gw', siteId: 'suwon' },
};
const centers: TestCenter[] = [];
after(async () => {
  for (const c of centers) await c.stop();
});

async function pushUnsigned(env: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const center = await startTestCenter({ password: PASSWORD, env });
  centers.push(center);
  const c = centerApi(() => center.base);
  const admin = await c.login('admin', PASSWORD);
  await c.provision(admin, 'f20-gw', 'suwon');
  return c.api('POST', '/api/v1/agents/f20-gw/config', admin, envelope);
}

test('F20: an unsigned config push is refused when no config key is set', async () => {
  const r = await pushUnsigned({});
  assert.equal(r.status, 503);
  const err = (r.body as { error: { code: string; message: string } }).error;
  assert.equal(err.code, 'config-unverifiable');
  assert.match(err.message, /GWANJE_CONFIG_PUBLIC_KEY/);
});

test('F20: GWANJE_CONFIG_ALLOW_UNSIGNED=1 allows it explicitly', async () => {
  assert.equal((await pushUnsigned({ GWANJE_CONFIG_ALLOW_UNSIGNED: '1' })).status, 202);
});
