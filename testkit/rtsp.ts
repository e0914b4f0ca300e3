/**
 * A real RTSP camera for tests and the demo: GStreamer's RTSP server (RECIPES "RTSP camera for
 * tests") run with /usr/bin/python3 (the PATH python lacks GObject bindings), serving an H.264
 * test pattern (640x360, 15 fps, GOP 1 s) on a free port. `url` is ready for
 * `ffmpeg -rtsp_transport tcp -i <url>` or ffprobe.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './ports.js';
import { spawnServer } from './process.js';

export interface RtspServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./rtsp-server.py', import.meta.url));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface RtspServerOptions {
  path?: string;
  port?: number;
  /** A GStreamer launch line (ending in `rtph264pay name=pay0`) instead of the test pattern. */
  launch?: string;
  /** The camera demands this authentication; `url` then carries no credentials. */
  auth?: { method: 'basic' | 'digest'; username: string; password: string };
}

export async function startRtspServer(opts: RtspServerOptions = {}): Promise<RtspServer> {
  const path = (opts.path ?? 'cam').replace(/^\/+/, '');
  const port = opts.port ?? (await freePort());
  const auth = opts.auth ? [opts.auth.method, opts.auth.username, opts.auth.password] : [];
  const server = spawnServer(
    '/usr/bin/python3',
    [SCRIPT, String(port), path, ...auth],
    opts.launch ? { ...process.env, GWANJE_RTSP_LAUNCH: opts.launch } : undefined,
  );
  await waitFor(() => server.output().includes('READY') && portOpen(port), 15_000).catch(async (err: Error) => {
    await server.stop('SIGKILL');
    throw new Error(`rtsp: server did not start: ${err.message}\n${server.output()}`);
  });
  return {
    url: `rtsp://127.0.0.1:${port}/${path}`,
    port,
    stop: () => server.stop(),
  };
}

/**
 * Established TCP connections the camera on `port` has accepted (its RTSP sessions over TCP),
 * from /proc/net/tcp{,6}: how many upstreams a relay really opened, whatever client it runs.
 */
export function rtspConnections(port: number): number {
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const localPort = Number.parseInt(cols[1].split(':')[1] ?? '', 16);
      if (localPort === port && cols[3] === '01') n++;
    }
  }
  return n;
}
