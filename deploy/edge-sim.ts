/**
 * The compose set's simulated edge agent: registers itself through the control API (as an
 * integrator would, CONTRACT `POST /api/v1/agents`), then runs the real EdgeAgent with the
 * simulated field driver against the production Mosquitto.
 */
import { join } from 'node:path';
import { EdgeAgent, simulatedAgentConfig } from '@gwanje/edge-agent';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`edge-sim: ${name} is required`);
  return v;
};

async function api(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  return fetch(new URL(path, env('GWANJE_API_URL')), { ...init, headers });
}

async function main(): Promise<void> {
  const siteId = env('GWANJE_SITE_ID');
  const agentId = env('GWANJE_AGENT_ID');
  const login = await api('/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ username: 'admin', password: env('GWANJE_ADMIN_PASSWORD') }),
  });
  if (!login.ok) throw new Error(`edge-sim: login failed (${login.status})`);
  const { token } = (await login.json()) as { token: string };
  // Credentials are shown once: a restarted simulator re-registers to get fresh ones.
  await api(`/api/v1/agents/${agentId}`, { method: 'DELETE', token });
  const created = await api('/api/v1/agents', { method: 'POST', token, body: JSON.stringify({ agentId, siteId }) });
  if (created.status !== 201)
    throw new Error(`edge-sim: registration failed (${created.status}): ${await created.text()}`);
  const creds = (await created.json()) as { mqtt: { username: string; password: string } };
  const agent = new EdgeAgent(
    simulatedAgentConfig({
      siteId,
      agentId,
      brokerUrl: process.env.GWANJE_MQTT_AGENT_URL ?? env('GWANJE_API_URL').replace(/^http/, 'mqtt'),
      username: creds.mqtt.username,
      password: creds.mqtt.password,
      videoUrl: env('GWANJE_API_URL'),
      dataDir: join(env('GWANJE_DATA_DIR'), agentId),
      incidentEverySec: 600,
    }),
  );
  await agent.start();
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => void agent.stop().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
