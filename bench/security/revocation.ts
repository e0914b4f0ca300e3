/**
 * How fast a revocation reaches open connections (security review F4/F5, issue 16: "within a
 * second"): against the center as `npm start` runs it (control-api/src/main.ts, one simulated site
 * so a real agent pushes its camera), a viewer opens a live video WebSocket with a ticket and a
 * Socket.IO /live socket; then
 *   - logout: ms from sending the logout to the video socket's close (4401) and to the
 *     Socket.IO disconnect, and
 *   - sites narrowed by an admin (PATCH /users): ms from sending the PATCH to the video close.
 * Prints p50/p95/max and writes bench/results/revocation.json (with the machine's load average).
 *   node --import tsx bench/security/revocation.ts    (BENCH_ROUNDS=12)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { spawnCenter } from '../../control-api/test/support/center.js';
import { jsonApi, waitFor } from '../../testkit/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const PASSWORD = 'bench-Control-r00m-7!';
const USER_PW = 'Night-Shift-Pass-77';

const dataDir = mkdtempSync(join(tmpdir(), 'gwanje-bench-revoke-'));
const started = await spawnCenter({
  password: PASSWORD,
  dataDir,
  env: { GWANJE_SIMULATE: '1', GWANJE_SIMULATE_INCIDENT_SEC: '0' },
});
const center = started.proc;
const base = started.base;
const api = jsonApi(() => base);

const login = async (username: string, password: string): Promise<string> => {
  // The login route allows 20 a minute per address: keep well under it.
  await new Promise((r) => setTimeout(r, 3200));
  const r = await api<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username, password });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return r.body.token;
};

interface Watch {
  closedAt: Promise<number>;
}

async function watchVideo(token: string, cameraId: string): Promise<Watch> {
  const t = await api<{ ticket: string }>('POST', '/api/v1/video/tickets', token, { cameraId });
  const ws = new WebSocket(
    `${base.replace('http', 'ws')}/video/${cameraId}?ticket=${encodeURIComponent(t.body.ticket)}`,
  );
  let bytes = 0;
  ws.on('message', (d: Buffer) => {
    bytes += d.length;
  });
  const closedAt = new Promise<number>((r) => ws.once('close', () => r(performance.now())));
  await waitFor(() => bytes > 188 * 20, 30_000);
  return { closedAt };
}

async function watchLive(token: string): Promise<Watch> {
  const s = io(`${base}/live`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const closedAt = new Promise<number>((r) => s.once('disconnect', () => r(performance.now())));
  await new Promise<void>((resolve, reject) => {
    s.once('alarms:snapshot', () => resolve());
    s.once('connect_error', reject);
  });
  return { closedAt };
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
  return { n: s.length, p50Ms: at(0.5), p95Ms: at(0.95), maxMs: Math.round(s[s.length - 1] * 10) / 10 };
};

try {
  const admin = await login('admin', PASSWORD);
  await waitFor(async () => (await api<unknown[]>('GET', '/api/v1/cameras', admin)).body.length > 0, 30_000);
  const cam = (await api<Array<{ cameraId: string; siteId: string }>>('GET', '/api/v1/cameras', admin)).body[0];
  const cameraId = cam.cameraId;
  const elsewhere = cam.siteId === 'gapyeong' ? 'yeoju' : 'gapyeong';
  await api('POST', '/api/v1/users', admin, {
    username: 'bench-viewer',
    password: USER_PW,
    role: 'viewer',
    sites: ['*'],
  });

  const logoutVideo: number[] = [];
  const logoutLive: number[] = [];
  const narrowVideo: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const token = await login('bench-viewer', USER_PW);
    const [video, live] = [await watchVideo(token, cameraId), await watchLive(token)];
    const t0 = performance.now();
    await api('POST', '/api/v1/auth/logout', token);
    logoutVideo.push((await video.closedAt) - t0);
    logoutLive.push((await live.closedAt) - t0);

    const kept = await login('bench-viewer', USER_PW);
    const v2 = await watchVideo(kept, cameraId);
    const t1 = performance.now();
    await api('PATCH', '/api/v1/users/bench-viewer', admin, { sites: [elsewhere] });
    narrowVideo.push((await v2.closedAt) - t1);
    await api('PATCH', '/api/v1/users/bench-viewer', admin, { sites: ['*'] });
    await api('POST', '/api/v1/auth/logout', kept);
    process.stdout.write(`round ${i + 1}/${ROUNDS}\n`);
  }
  const results = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    loadAvg1mAtEnd: Math.round(loadavg()[0] * 100) / 100,
    note: 'ms from sending the revoking call to the client seeing its connection closed; center as npm start, 1 simulated site',
    logoutToVideoClose: summary(logoutVideo),
    logoutToSocketIoDisconnect: summary(logoutLive),
    sitesNarrowedToVideoClose: summary(narrowVideo),
  };
  console.log(JSON.stringify(results, null, 2));
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/revocation.json'), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await center.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
