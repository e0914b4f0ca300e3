/**
 * The compose set's simulated edge agent, run as a site's agent would be: it knows only the
 * center's public URL (and the province CA), registers itself through the control API
 * (CONTRACT `POST /api/v1/agents`, admin credentials, first start only), keeps the credentials it
 * was issued in `${GWANJE_DATA_DIR}/<agentId>/credentials.json` (0600) so a restart is the same
 * agent with the same queue and seq, and runs the real EdgeAgent: simulated sensors and a virtual
 * camera, plus the self-describing sensors of a field broker when GWANJE_FIELD_URL is set, and
 * its /healthz and /metrics on GWANJE_EDGE_HEALTH_PORT. Delete credentials.json to re-register.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeAgent, HealthServer, simulatedAgentConfig } from '@gwanje/edge-agent';
import type { AgentCredentials, LoginResponse } from '@gwanje/protocol';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`edge-sim: ${name} is required`);
  return v;
};

async function api(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(new URL(path, env('GWANJE_PUBLIC_URL')), { ...init, headers });
}

/** Registers the agent (first start) or reads the credentials it was issued before. */
async function credentials(dir: string, siteId: string, agentId: string): Promise<AgentCredentials['mqtt']> {
  const file = join(dir, 'credentials.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AgentCredentials['mqtt'];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const login = await api('/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username: 'admin', password: env('GWANJE_ADMIN_PASSWORD') }),
  });
  if (!login.ok) throw new Error(`edge-sim: login failed (${login.status})`);
  const { token } = (await login.json()) as LoginResponse;
  // A leftover registration (data volume lost): revoke it, credentials are shown only once.
  await api(`/api/v1/agents/${agentId}`, { method: 'DELETE', token });
  const created = await api('/api/v1/agents', { method: 'POST', token, body: JSON.stringify({ agentId, siteId }) });
  if (created.status !== 201)
    throw new Error(`edge-sim: registration failed (${created.status}): ${await created.text()}`);
  const { mqtt } = (await created.json()) as AgentCredentials;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(mqtt), { mode: 0o600 });
  return mqtt;
}

async function main(): Promise<void> {
  const siteId = env('GWANJE_SITE_ID');
  const agentId = env('GWANJE_AGENT_ID');
  const publicUrl = env('GWANJE_PUBLIC_URL').replace(/\/$/, '');
  const dataDir = join(env('GWANJE_DATA_DIR'), agentId);
  const mqtt = await credentials(dataDir, siteId, agentId);
  const config = simulatedAgentConfig({
    siteId,
    agentId,
    brokerUrl: mqtt.url,
    username: mqtt.username,
    password: mqtt.password,
    videoUrl: publicUrl,
    dataDir,
    incidentEverySec: 600,
  });
  const caFile = process.env.GWANJE_CA_FILE;
  if (caFile) config.central.caFile = caFile;
  // Issue 19: in a cluster the owner of the site names itself in stream.start; accept every instance.
  const centers = (process.env.GWANJE_CENTER_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (centers.length > 0) config.central.videoUrls = centers;
  const fieldUrl = process.env.GWANJE_FIELD_URL;
  if (fieldUrl) {
    config.field = { url: fieldUrl };
    config.drivers.push({ id: 'field', type: 'mqtt' });
  }
  const agent = new EdgeAgent(config);
  await agent.start();
  const port = process.env.GWANJE_EDGE_HEALTH_PORT;
  const health = port
    ? new HealthServer({ host: '127.0.0.1', port: Number(port), health: () => agent.health() })
    : undefined;
  await health?.start();
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      void (async () => {
        await health?.stop();
        await agent.stop();
        process.exit(0);
      })();
    });
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
