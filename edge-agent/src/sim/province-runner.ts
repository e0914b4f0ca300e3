/**
 * The simulated province as a process beside the center (issue 18): it reads the one-time
 * provisioning token the center wrote into its data directory (`simulator-token`, 0600: `{url,
 * token}`), presents it once to `POST /api/v1/simulator/agents` for the broker credentials of the
 * simulated agents, then runs real EdgeAgent code for each of them, over TCP to the broker and
 * HTTP to /video like a field box. It holds no admin password and no other way in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentCredentials, SimulatorAgentsResponse } from '@gwanje/protocol';
import type { Logger } from 'pino';
import { EdgeAgent } from '../agent.js';
import type { FfmpegUse } from '../cameras/stream.js';
import { simulatedAgentConfig } from './province.js';

export const SIMULATOR_TOKEN_FILE = 'simulator-token';

export interface ProvinceRunnerOptions {
  log: Logger;
  /** The center's GWANJE_DATA_DIR: the token file is there, the agents' queues go under sim/. */
  dataDir: string;
  incidentEverySec: number;
  ffmpeg?: FfmpegUse;
  /** How long to wait for the center to answer (it may still be starting). */
  waitMs: number;
  retryMs?: number;
}

interface TokenFile {
  url: string;
  token: string;
}

function readTokenFile(file: string): TokenFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`simulator: cannot read ${file}: ${(err as Error).message}`);
  }
  const doc = JSON.parse(text) as Partial<TokenFile>;
  if (typeof doc.url !== 'string' || typeof doc.token !== 'string')
    throw new Error(`simulator: ${file} is not {"url","token"}`);
  return { url: doc.url, token: doc.token };
}

/** One provisioning attempt: the credentials, or why not (the center may still be starting). */
async function provision(t: TokenFile): Promise<{ agents: AgentCredentials[] } | { retry: string }> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/v1/simulator/agents', t.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
  } catch (err) {
    return { retry: `center not reachable: ${(err as Error).message}` };
  }
  if (res.status === 201) return (await res.json()) as SimulatorAgentsResponse;
  // 503 while the center starts; 401 for a token file left by an earlier start (a new one follows).
  return { retry: `center answered ${res.status}: ${(await res.text()).slice(0, 200)}` };
}

export class ProvinceRunner {
  private readonly agents: EdgeAgent[] = [];
  private stopped = false;

  constructor(private readonly o: ProvinceRunnerOptions) {}

  /** Waits for the center, provisions once, starts every simulated agent; resolves with their number. */
  async start(): Promise<number> {
    const { o } = this;
    const file = join(o.dataDir, SIMULATOR_TOKEN_FILE);
    const deadline = Date.now() + o.waitMs;
    let why = `no ${file} yet (is the center running with GWANJE_SIMULATE set?)`;
    for (;;) {
      if (this.stopped) return 0;
      const t = readTokenFile(file);
      if (t) {
        const r = await provision(t);
        if ('agents' in r) return this.run(r.agents, t.url);
        why = r.retry;
      }
      if (Date.now() > deadline) throw new Error(`simulator: gave up after ${o.waitMs} ms: ${why}`);
      o.log.debug({ why }, 'simulator: waiting for the center');
      await new Promise((r) => setTimeout(r, o.retryMs ?? 250));
    }
  }

  private async run(creds: AgentCredentials[], videoUrl: string): Promise<number> {
    const { o } = this;
    await Promise.all(
      creds.map(async ({ siteId, agentId, mqtt }, i) => {
        const config = simulatedAgentConfig({
          siteId,
          agentId,
          brokerUrl: mqtt.url,
          username: mqtt.username,
          password: mqtt.password,
          videoUrl,
          dataDir: join(o.dataDir, 'sim', agentId),
          incidentEverySec: o.incidentEverySec,
          seed: i + 1,
        });
        const agent = new EdgeAgent(config, { log: o.log.child({ siteId }), ffmpeg: o.ffmpeg });
        this.agents.push(agent);
        await agent.start();
      }),
    );
    o.log.info({ sites: creds.length }, 'simulator: simulated edge agents running');
    return creds.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.agents.splice(0).map((a) => a.stop()));
  }
}
