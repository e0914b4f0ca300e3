/**
 * A small local double of the control API's POST /api/v1/agents and
 * POST /api/v1/agents/{agentId}/config (CONTRACT "HTTP: control API"; the real center is another
 * package): registers agents with fixed issued credentials and publishes pushed configs retained
 * on a real broker, as the center does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AgentCreateBody, agentTopic, SignedConfig, validate } from '@gwanje/protocol';
import mqtt from 'mqtt';
import { freePort, type MosquittoInstance } from '../../../testkit/index.js';

export const TOKEN = 'admin-token';
export const AGENT_PASSWORD = 'issued-once-7f3a';
export const CENTER_PASSWORD = 'center-pw';

export interface FakeCenter {
  url: string;
  pushes: unknown[];
  server: Server;
}

async function body(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

export async function startFakeCenter(mosq: MosquittoInstance): Promise<FakeCenter> {
  const registered = new Map<string, string>();
  const pushes: unknown[] = [];
  const publisher = await mqtt.connectAsync(mosq.url, {
    username: 'center',
    password: CENTER_PASSWORD,
    clientId: 'fake-center',
  });
  const server = createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(res, 401, { error: { code: 'unauthorized', message: 'missing or invalid token' } });
    }
    const b = await body(req);
    if (req.method === 'POST' && req.url === '/api/v1/agents') {
      const r = validate(AgentCreateBody, b);
      if (!r.ok) return send(res, 400, { error: { code: 'bad-request', message: r.errors.join('; ') } });
      if (registered.has(r.value.agentId)) {
        return send(res, 409, { error: { code: 'conflict', message: `agent ${r.value.agentId} exists` } });
      }
      registered.set(r.value.agentId, r.value.siteId);
      return send(res, 201, {
        agentId: r.value.agentId,
        siteId: r.value.siteId,
        mqtt: { url: mosq.url, username: r.value.agentId, password: AGENT_PASSWORD },
      });
    }
    const m = /^\/api\/v1\/agents\/([a-z0-9-]+)\/config$/.exec(req.url ?? '');
    if (req.method === 'POST' && m) {
      const r = validate(SignedConfig, b);
      const siteId = registered.get(m[1]);
      if (!r.ok || !siteId) return send(res, 400, { error: { code: 'bad-request', message: 'not a signed config' } });
      pushes.push(b);
      // What the center does with it: retained on the agent's config topic (CONTRACT topic table).
      await publisher.publishAsync(agentTopic(siteId, m[1], 'config'), JSON.stringify(b), { qos: 1, retain: true });
      return send(res, 202, { agentId: m[1], version: r.value.version });
    }
    send(res, 404, { error: { code: 'not-found', message: 'no route' } });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  server.on('close', () => publisher.end(true));
  return { url: `http://127.0.0.1:${port}`, pushes, server };
}
