/**
 * A small CONTRACT-shaped center for the console's browser test while the real one is being
 * built: serves web-console/dist, the `/api/v1` routes the console calls, Socket.IO `/live` and
 * `/video` (fake-video.ts). State is in memory; alarm actions follow ISA-18.2 transitions closely
 * enough for the UI (ack: unack->acked, rtn-unack->normal; reset: latched->normal).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { Server } from 'socket.io';
import { createExtras, extrasRoute, type FakeExtras, readJson, settingsOf } from './fake-extras.js';
import { attachFakeVideo, type FakeVideo } from './fake-video.js';

interface FakeAlarm {
  id: string;
  siteId: string;
  sourceId: string;
  sourceKind: 'sensor' | 'camera';
  type: string;
  priority: 1 | 2 | 3 | 4;
  state: string;
  raisedAt: number;
  ackedAt?: number;
  ackedBy?: string;
  value?: number;
  threshold?: number;
  message: string;
  cameras: string[];
  updatedAt: number;
  latency?: Record<string, number>;
  advisory?: boolean;
  /** Issue 23: the video detector's evidence on a flame/smoke alarm. */
  confirmedOnCamera?: { cameraId: string; at: number; score: number };
}

export interface FakeCenter {
  url: string;
  alarms: Map<string, FakeAlarm>;
  actions: { id: string; action: string; actor: string; body: unknown }[];
  raise(a: Partial<FakeAlarm> & { id: string; siteId: string }): FakeAlarm;
  reading(sensorId: string, siteId: string, value: number, ts: number): void;
  cameraIds(): string[];
  sessions(): number;
  addClip(alarmId: string, cameraId: string): void;
  /** Server-side disconnect of every /live socket; `silentMs` drops reconnects for that long. */
  kick(silentMs: number): void;
  flood(f: { siteId: string; active: boolean; firstOutAlarmId?: string; count: number }): void;
  video: FakeVideo;
  extras: FakeExtras;
  stop(): Promise<void>;
}

/** Fake users are named after their role and share the test password. */
const ROLES = ['admin', 'operator', 'viewer'] as const;

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function startFakeCenter(o: { distDir: string; seedFile: string; password: string }): Promise<FakeCenter> {
  const seed = JSON.parse(readFileSync(o.seedFile, 'utf8')) as {
    sites: { siteId: string; name: string; nameKo: string; lat: number; lon: number }[];
  };
  const tokens = new Map<string, { username: string; role: (typeof ROLES)[number]; sites: string[] }>();
  const tickets = new Map<string, { scope: string; expiresAt: number }>();
  const ticketOk = (ticket: string | null, scope: string) => {
    const t = ticket ? tickets.get(ticket) : undefined;
    return t !== undefined && t.scope === scope && t.expiresAt > Date.now();
  };
  const alarms = new Map<string, FakeAlarm>();
  const journal: { alarmId: string; ts: number; action: string; actor: string; toState?: string }[] = [];
  const actions: FakeCenter['actions'] = [];
  const extras = createExtras();
  const siteIds = seed.sites.map((s) => s.siteId);
  const clips = new Map<string, { clipId: string; cameraId: string; url: string }[]>();
  const sensorsOf = (siteId: string) =>
    (
      [
        ['ch4', 'gas', 'CH4', '%LEL'],
        ['co', 'gas', 'CO', 'ppm'],
        ['h2s', 'gas', 'H2S', 'ppm'],
        ['flame', 'flame', undefined, 'bool'],
        ['temp', 'temperature', undefined, 'C'],
      ] as const
    ).map(([k, metric, gas, unit]) => ({
      sensorId: `${siteId}-${k}-1`,
      siteId,
      agentId: `${siteId}-agent`,
      metric,
      ...(gas ? { gas } : {}),
      unit,
      last: { value: 1, ts: Date.now() },
      state: 'normal',
      ...settingsOf(extras, `${siteId}-${k}-1`),
    }));
  const cameras = seed.sites.map((s) => ({
    cameraId: `${s.siteId}-cam-1`,
    siteId: s.siteId,
    agentId: `${s.siteId}-agent`,
    name: `${s.name} CCTV 1`,
    ptz: false,
    state: 'idle',
  }));

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: http.ServerResponse, status: number, code: string) =>
    send(res, status, { error: { code, message: `fake-center: ${code}` } });

  let io: Server | null = null;
  const emitAlarm = (a: FakeAlarm) => io?.of('/live').emit('alarm', a);

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    const clipFile = /^\/video\/clips\/([^/]+)\/([^/]+)\.mp4$/.exec(p);
    if (clipFile) {
      const ok = ticketOk(url.searchParams.get('ticket'), `clip:${clipFile[1]}/${clipFile[2]}`);
      res.writeHead(ok ? 200 : 401, { 'content-type': ok ? 'video/mp4' : 'text/plain', 'cache-control': 'no-store' });
      return res.end(ok ? Buffer.alloc(16) : 'ticket required');
    }
    if (!p.startsWith('/api/v1/')) {
      const file = normalize(join(o.distDir, p === '/' ? 'index.html' : p));
      if (!file.startsWith(o.distDir)) return fail(res, 403, 'forbidden');
      try {
        const data = readFileSync(file);
        res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
        return res.end(data);
      } catch {
        return fail(res, 404, 'not-found');
      }
    }
    if (p === '/api/v1/auth/login' && req.method === 'POST') {
      const b = await readJson(req);
      const role = ROLES.find((r) => r === b.username);
      if (!role || b.password !== o.password) return fail(res, 401, 'bad-credentials');
      const token = randomBytes(16).toString('hex');
      const user = { username: role, role, sites: ['*'] };
      tokens.set(token, user);
      return send(res, 200, { token, user });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return fail(res, 401, 'unauthorized');
    if (p === '/api/v1/auth/logout' && req.method === 'POST') {
      tokens.delete((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      res.writeHead(204).end();
      return;
    }
    const siteId = url.searchParams.get('siteId');
    const readingsOf = /^\/api\/v1\/sensors\/([^/]+)\/readings$/.exec(p);
    const alarmOf = /^\/api\/v1\/alarms\/([^/]+)$/.exec(p);
    const clipsOf = /^\/api\/v1\/alarms\/([^/]+)\/clips$/.exec(p);
    const actOn = /^\/api\/v1\/alarms\/([^/]+)\/(ack|shelve|unshelve|reset|comment)$/.exec(p);
    if (p === '/api/v1/sites') {
      return send(
        res,
        200,
        seed.sites.map((s) => ({
          ...s,
          agents: 1,
          sensors: 5,
          cameras: 1,
          activeAlarms: [...alarms.values()].filter((a) => a.siteId === s.siteId).length,
        })),
      );
    }
    if (p === '/api/v1/sensors') {
      return send(
        res,
        200,
        seed.sites.filter((s) => !siteId || s.siteId === siteId).flatMap((s) => sensorsOf(s.siteId)),
      );
    }
    if (readingsOf) {
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      const step = Number(url.searchParams.get('step')) || 60_000;
      const points: [number, number, number, number][] = [];
      for (let ts = from; ts <= to && points.length < 2000; ts += step) {
        const mean = 5 + 4 * Math.sin(ts / 600_000);
        points.push([ts, mean - 1, mean, mean + 1.5]);
      }
      return send(res, 200, { points });
    }
    if (p === '/api/v1/cameras')
      return send(
        res,
        200,
        cameras.filter((c) => !siteId || c.siteId === siteId),
      );
    const extra = extrasRoute(extras, p, siteIds, siteId);
    if (extra) return send(res, extra.status, extra.body);
    if (p === '/api/v1/users')
      return send(
        res,
        200,
        [...new Set([...tokens.values()].map((u) => u.username))].map((n) => ({ username: n, role: n, sites: ['*'] })),
      );
    if (p === '/api/v1/audit')
      return send(
        res,
        200,
        actions.map((a, i) => ({ id: i, ts: Date.now(), actor: a.actor, action: a.action, target: a.id })),
      );
    if (p === '/api/v1/alarms')
      return send(
        res,
        200,
        [...alarms.values()].sort((a, b) => b.raisedAt - a.raisedAt),
      );
    if (alarmOf) {
      const a = alarms.get(decodeURIComponent(alarmOf[1]));
      return a
        ? send(res, 200, { alarm: a, journal: journal.filter((j) => j.alarmId === a.id) })
        : fail(res, 404, 'no-alarm');
    }
    if (clipsOf) return send(res, 200, clips.get(decodeURIComponent(clipsOf[1])) ?? []);
    // CONTRACT video tickets: one camera or one clip, 60 s (the console never puts its token in a URL).
    if (p === '/api/v1/video/tickets' && req.method === 'POST') {
      const b = (await readJson(req)) as { cameraId?: string; alarmId?: string; clipId?: string };
      const ticket = randomBytes(12).toString('hex');
      const expiresAt = Date.now() + 60_000;
      if (b.cameraId) {
        tickets.set(ticket, { scope: `camera:${b.cameraId}`, expiresAt });
        return send(res, 200, { ticket, expiresAt });
      }
      const clip = clips.get(b.alarmId ?? '')?.find((c) => c.clipId === b.clipId);
      if (!clip) return fail(res, 404, 'no-clip');
      tickets.set(ticket, { scope: `clip:${b.alarmId}/${b.clipId}`, expiresAt });
      return send(res, 200, { ticket, expiresAt, url: `${clip.url}?ticket=${ticket}` });
    }
    if (actOn && req.method === 'POST') {
      const a = alarms.get(decodeURIComponent(actOn[1]));
      if (!a) return fail(res, 404, 'no-alarm');
      const action = actOn[2];
      const body = await readJson(req);
      actions.push({ id: a.id, action, actor: user.username, body });
      const next: Record<string, Record<string, string>> = {
        ack: { unack: 'acked', 'rtn-unack': 'normal' },
        reset: { latched: 'normal' },
        unshelve: { shelved: 'unack' },
      };
      if (action === 'shelve') a.state = 'shelved';
      else if (action !== 'comment') {
        const to = next[action]?.[a.state];
        if (!to) return fail(res, 409, 'invalid-transition');
        a.state = to;
      }
      if (action === 'ack') Object.assign(a, { ackedAt: Date.now(), ackedBy: user.username });
      a.updatedAt = Date.now();
      journal.push({ alarmId: a.id, ts: a.updatedAt, action, actor: user.username, toState: a.state });
      emitAlarm(a);
      return send(res, 200, a);
    }
    return fail(res, 404, 'no-route');
  });

  io = new Server(server, { path: '/socket.io', destroyUpgrade: false });
  let refuseUntil = 0;
  io.of('/live').use((socket, next) => {
    if (Date.now() < refuseUntil) return next(new Error('fake-center: restarting'));
    const token = (socket.handshake.auth as { token?: string }).token;
    next(token && tokens.has(token) ? undefined : new Error('unauthorized'));
  });
  io.of('/live').on('connection', (socket) => {
    socket.emit('alarms:snapshot', [...alarms.values()]);
  });
  const video = attachFakeVideo(server, (q, cameraId) => ticketOk(q.get('ticket'), `camera:${cameraId}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    alarms,
    actions,
    video,
    extras,
    raise(partial) {
      const now = Date.now();
      const a: FakeAlarm = {
        sourceId: `${partial.siteId}-ch4-1`,
        sourceKind: 'sensor',
        type: 'gas-high',
        priority: 1,
        state: 'unack',
        raisedAt: now,
        value: 60,
        threshold: 25,
        message: 'CH4 60 %LEL >= 25',
        cameras: [`${partial.siteId}-cam-1`],
        updatedAt: now,
        latency: { sensorTs: now - 40, receivedAt: now - 30, evaluatedAt: now - 20, emittedAt: now },
        ...partial,
      };
      alarms.set(a.id, a);
      journal.push({ alarmId: a.id, ts: now, action: 'raise', actor: 'system', toState: a.state });
      emitAlarm(a);
      return a;
    },
    reading(sensorId, siteId, value, ts) {
      io?.of('/live').emit('reading', { sensorId, siteId, value, ts, state: 'normal' });
    },
    sessions: () => tokens.size,
    addClip: (alarmId, cameraId) =>
      clips.set(alarmId, [{ clipId: `${cameraId}-1`, cameraId, url: `/video/clips/${alarmId}/${cameraId}-1.mp4` }]),
    kick(silentMs) {
      refuseUntil = Date.now() + silentMs;
      io?.of('/live').disconnectSockets();
    },
    cameraIds: () => cameras.map((c) => c.cameraId),
    flood(f) {
      io?.of('/live').emit('flood', f);
    },
    async stop() {
      video.stop();
      await new Promise<void>((resolve) => io?.close(() => resolve()) ?? resolve());
      server.closeAllConnections();
    },
  };
}
