/**
 * Test harness: a plain node http server with a VideoGateway, deps that accept the token 'good'
 * and the Basic credentials cam-agent:secret, and a record of upstream start/stop calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { WebSocket } from 'ws';
import {
  type GatewayDeps,
  type GatewayOptions,
  UnknownCameraError,
  type Upstream,
  VideoGateway,
} from '../../src/index.js';

export const GOOD_TOKEN = 'good';
export const AGENT_AUTH = `Basic ${Buffer.from('cam-agent:secret').toString('base64')}`;

export interface Harness {
  gw: VideoGateway;
  server: Server;
  base: string;
  wsBase: string;
  dataDir: string;
  starts: string[];
  stops: string[];
  states: Array<[string, string]>;
  /** The gateway's log lines at warn and above (JSON), to check what operators would read. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * `upstreams` maps camera ids to what startUpstream answers; other ids are unknown cameras. With
 * `tls` the server is HTTPS (viewers on wss://, as a center with a certificate serves them).
 */
export async function startHarness(
  upstreams: Record<string, Upstream>,
  options: GatewayOptions = {},
  tls?: { cert: Buffer; key: Buffer },
  /** Replaces deps (viewer grants with an expiry, a re-check, a view recorder). */
  deps: Partial<GatewayDeps> = {},
): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gw-test-'));
  const starts: string[] = [];
  const stops: string[] = [];
  const states: Array<[string, string]> = [];
  const logs: string[] = [];
  const gw = new VideoGateway(
    {
      log: pino(
        { level: process.env.GW_TEST_LOG ?? 'warn' },
        {
          write: (line: string) => {
            logs.push(line);
            if (process.env.GW_TEST_LOG) process.stdout.write(line);
          },
        },
      ),
      authorizeViewer: async (c) => (c.token === GOOD_TOKEN ? { user: 'viewer' } : null),
      // The agent is the push's owner, so the per-owner push cap applies.
      authorizeIngest: async (header, cameraId) =>
        header === AGENT_AUTH && cameraId in upstreams ? { owner: 'cam-agent' } : false,
      startUpstream: async (cameraId) => {
        starts.push(cameraId);
        const up = upstreams[cameraId];
        if (!up) throw new UnknownCameraError(cameraId);
        return up;
      },
      stopUpstream: async (cameraId) => {
        stops.push(cameraId);
      },
      onCameraState: (cameraId, state) => states.push([cameraId, state]),
      ...deps,
    },
    { dataDir, ...options },
  );
  const handler: Parameters<typeof createServer>[1] = (req, res) => {
    if (!gw.handleHttp(req, res)) res.writeHead(404).end();
  };
  const server = tls ? createTlsServer(tls, handler) : createServer(handler);
  gw.attach(server);
  await gw.start();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    gw,
    server,
    base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    wsBase: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    dataDir,
    starts,
    stops,
    states,
    logs,
    close: async () => {
      await gw.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket viewer collecting every binary message. */
export interface TestViewer {
  ws: WebSocket;
  messages: Buffer[];
  bytes(): number;
  all(): Buffer;
  close(): Promise<void>;
}

export function openViewer(url: string, ca?: Buffer): Promise<TestViewer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ca ? { ca } : undefined);
    const messages: Buffer[] = [];
    ws.on('message', (d: Buffer) => messages.push(d));
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        bytes: () => messages.reduce((n, m) => n + m.length, 0),
        all: () => Buffer.concat(messages),
        close: () =>
          new Promise<void>((r) => {
            if (ws.readyState === ws.CLOSED) return r();
            ws.once('close', () => r());
            ws.close();
          }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** ffmpeg processes whose parent is this test process (the gateway's children). */
export function ffmpegChildrenOfThisProcess(): number {
  let n = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'ffmpeg' && ppid === process.pid) n++;
    } catch {
      // the process exited between readdir and read: not counted
    }
  }
  return n;
}
