/**
 * The two control-API calls the tool makes (CONTRACT "HTTP: control API"):
 * POST /api/v1/agents (register, get broker credentials, admin) and
 * POST /api/v1/agents/{agentId}/config (push a signed config; the center publishes it retained
 * on the agent's `config` topic and answers 202).
 */
import { AgentCredentials, check, type SignedConfig } from '@gwanje/protocol';

export interface ApiTarget {
  /** Center base URL, e.g. http://center:8080 (with or without /api/v1). */
  api: string;
  token: string;
}

export class CenterApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`center: ${message}`);
    this.name = 'CenterApiError';
  }
}

function endpoint(api: string, path: string): string {
  const base = api.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${base}/api/v1${path}`;
}

async function post(target: ApiTarget, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const url = endpoint(target.api, path);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new CenterApiError(0, 'unreachable', `POST ${url}: ${cause}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's HTML error page): keep the text for the message below.
    parsed = text.slice(0, 200);
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new CenterApiError(
      res.status,
      e?.code ?? String(res.status),
      `POST ${url}: ${res.status} ${e?.message ?? (typeof parsed === 'string' ? parsed : res.statusText)}`,
    );
  }
  return { status: res.status, body: parsed };
}

/** Registers the agent; the password in the answer is shown once by the center. */
export async function registerAgent(
  target: ApiTarget,
  agent: { agentId: string; siteId: string; name?: string },
): Promise<AgentCredentials> {
  const res = await post(target, '/agents', agent);
  try {
    return check(AgentCredentials, res.body);
  } catch (err) {
    throw new CenterApiError(
      res.status,
      'bad-response',
      `POST /api/v1/agents answered an unexpected body: ${(err as Error).message}`,
    );
  }
}

/** Pushes a signed config; resolves with the center's answer (202 accepted). */
export async function pushConfig(
  target: ApiTarget,
  envelope: SignedConfig,
): Promise<{ status: number; body: unknown }> {
  const agentId = (envelope.document as { agentId?: unknown }).agentId;
  if (typeof agentId !== 'string') throw new CenterApiError(0, 'bad-config', 'document.agentId: required');
  return post(target, `/agents/${encodeURIComponent(agentId)}/config`, envelope);
}
