/**
 * Authorization matrix (issue 9 "Hostile input"): every mounted route x every role x inside /
 * outside the caller's sites -> the expected status, all generated from ONE table below. The
 * table states policy independently of src/auth/permissions.ts; a route mounted without a row
 * (or a row without a route) fails the first test, so a new route cannot be forgotten.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_GET_ROUTES, API_MUTATIONS } from '@gwanje/protocol';
import type { Express } from 'express';
import { makePng } from '../plans/images.js';
import { createHarness, type Harness } from './harness.js';

type Role = 'viewer' | 'operator' | 'supervisor' | 'admin';
const ROLES: Role[] = ['viewer', 'operator', 'supervisor', 'admin'];
const IN = 'suwon';
const OUT = 'seongnam';
const PASSWORD = 'correct horse battery staple';

interface Row {
  /** 'public' no token; 'any' any signed-in user; else the lowest role allowed. */
  min: 'public' | 'any' | Role;
  ok: number;
  /** Status for a caller limited to IN asking about OUT; absent: the route has no site dimension. */
  out?: number;
  /** Only callers whose grant is every site ('*'). */
  allSitesOnly?: boolean;
  /** Machine callbacks (SMS gateways) answer a bare status: no JSON error body to check. */
  bareStatus?: boolean;
  /** The call lets the token (or all the user's tokens) go: use a throwaway login. */
  endsSession?: 'this' | 'all';
  req(h: Harness, site: string, n: number): Promise<Req> | Req;
}

/** A JSON body, or `raw` bytes with their own content type (CSV import). */
interface Req {
  path: string;
  body?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** A direct camera (issue 20) in `site`, as POST /api/v1/cameras leaves it. */
async function directCamera(h: Harness, site: string, cameraId: string): Promise<string> {
  const camera = {
    cameraId,
    siteId: site,
    agentId: null,
    name: cameraId,
    ptz: false,
    profiles: [],
    state: 'idle' as const,
  };
  const source = {
    ...{ cameraId, kind: 'rtsp', url: 'rtsp://10.0.0.9/ch1', profileToken: null, secret: null },
    ...{ lat: null, lon: null, updatedAt: Date.now(), updatedBy: 'admin' },
  };
  await h.repos.cameraSources.insert([{ camera, source }]);
  return cameraId;
}

const ALARM_ACTION = (action: string, state: Parameters<Harness['newAlarm']>[1], body: unknown = {}): Row => ({
  min: ['ack', 'comment'].includes(action) ? 'operator' : 'supervisor',
  ok: 200,
  out: 404,
  req: async (h, site) => ({ path: `/api/v1/alarms/${await h.newAlarm(site, state)}/${action}`, body }),
});

const userBody = (site: string, n: number) => ({
  username: `u${n}-${site}`,
  password: PASSWORD,
  role: 'viewer',
  sites: [site],
});

const roster = (site: string, n: number) => ({
  id: `r${n}-${site}`,
  siteIds: [site],
  utcOffsetMin: 540,
  contacts: [{ id: 'kim', name: 'Kim', phone: '+821000000000', lang: 'ko' }],
  shifts: [{ role: 'supervisor', start: '2025-01-06T08:00', rrule: 'FREQ=DAILY', durationMin: 720, rotation: ['kim'] }],
  holidays: [],
  overrides: [],
});
const policy = (site: string, n: number) => ({
  id: `p${n}-${site}`,
  siteIds: [site],
  priorities: [1],
  tiers: [{ name: 'sms', delaySec: 60, recipients: [{ roster: `r-${site}`, role: 'supervisor' }] }],
});
/** A SignedConfig-shaped envelope (no key is pinned in the harness; signatures are tested in config.test.ts). */
const envelope = (site: string) => ({
  version: 'v1',
  issuedAt: 1_763_900_000_000,
  keyId: '0123456789abcdef',
  document: { siteId: site, agentId: `${site}-agent-1`, version: 'v1' },
  signature: 'c2lnbmF0dXJl',
});
const SMS_CALLBACK = (path: string): Row => ({
  // Anonymous by nature (a gateway cannot hold a token) but 403 without the key / signature.
  min: 'public',
  ok: 403,
  bareStatus: true,
  req: () => ({ path }),
});

/** THE table. Keys are `METHOD path` exactly as mounted. */
const TABLE: Record<string, Row> = {
  'GET /healthz': { min: 'public', ok: 200, req: () => ({ path: '/healthz' }) },
  'GET /metrics': { min: 'public', ok: 200, req: () => ({ path: '/metrics' }) },
  // Issue 18: the simulator's provisioning token is no user token; with GWANJE_SIMULATE=0 nobody gets in.
  'POST /api/v1/simulator/agents': {
    min: 'public',
    ok: 401,
    req: () => ({ path: '/api/v1/simulator/agents', body: {} }),
  },
  'POST /api/v1/auth/login': {
    min: 'public',
    ok: 200,
    req: () => ({ path: '/api/v1/auth/login', body: { username: 'viewer', password: PASSWORD } }),
  },
  'POST /api/v1/auth/logout': {
    min: 'any',
    ok: 204,
    endsSession: 'this',
    req: () => ({ path: '/api/v1/auth/logout' }),
  },
  'POST /api/v1/auth/logout-all': {
    min: 'any',
    ok: 204,
    endsSession: 'all',
    req: () => ({ path: '/api/v1/auth/logout-all' }),
  },
  'GET /api/v1/me': { min: 'any', ok: 200, req: () => ({ path: '/api/v1/me' }) },
  'POST /api/v1/me/password': {
    min: 'any',
    ok: 204,
    endsSession: 'all',
    req: () => ({ path: '/api/v1/me/password', body: { current: PASSWORD, password: PASSWORD } }),
  },
  'GET /api/v1/sites': { min: 'viewer', ok: 200, req: () => ({ path: '/api/v1/sites' }) },
  'GET /api/v1/sensors': {
    min: 'viewer',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/sensors?siteId=${s}` }),
  },
  'PATCH /api/v1/sensors/:id': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/sensors/${s}-ch4-1`, body: { rules: [{ type: 'gas-high', setpoint: 30 }] } }),
  },
  'GET /api/v1/discovered-sensors': {
    min: 'admin',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/discovered-sensors?siteId=${s}` }),
  },
  'POST /api/v1/discovered-sensors/:id/confirm': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/discovered-sensors/${s}-found-1/confirm` }),
  },
  'POST /api/v1/sensors/:id/out-of-service': {
    min: 'supervisor',
    ok: 200,
    out: 404,
    req: async (h, s, n) => ({
      path: `/api/v1/sensors/${await h.newSensor(s, n)}/out-of-service`,
      body: { reason: 'bump test' },
    }),
  },
  'POST /api/v1/sensors/:id/return-to-service': {
    min: 'supervisor',
    ok: 200,
    out: 404,
    req: async (h, s, n) => ({ path: `/api/v1/sensors/${await h.newSensor(s, n, true)}/return-to-service`, body: {} }),
  },
  'GET /api/v1/sensors/:id/readings': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/sensors/${s}-ch4-1/readings` }),
  },
  'GET /api/v1/cameras': {
    min: 'viewer',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/cameras?siteId=${s}` }),
  },
  'POST /api/v1/cameras/:id/ptz': {
    min: 'operator',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/cameras/${s}-cam-1/ptz`, body: { action: 'move', pan: 0.5 } }),
  },
  'GET /api/v1/fire/cameras': {
    min: 'viewer',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/fire/cameras?siteId=${s}` }),
  },
  'PUT /api/v1/cameras/:id/fire-watch': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/cameras/${s}-cam-1/fire-watch`, body: { enabled: true } }),
  },
  'GET /api/v1/alarms': { min: 'viewer', ok: 200, out: 403, req: (_h, s) => ({ path: `/api/v1/alarms?siteId=${s}` }) },
  'GET /api/v1/alarms/:id': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => ({ path: `/api/v1/alarms/${await h.newAlarm(s)}` }),
  },
  'GET /api/v1/alarms/:id/clips': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => ({ path: `/api/v1/alarms/${await h.newAlarm(s)}/clips` }),
  },
  'GET /video/clips/:id/:clip': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => {
      const id = await h.newAlarm(s);
      return { path: `/video/clips/${id}/${h.addClip(id, `${s}-cam-1`, Buffer.from('mp4'))}.mp4` };
    },
  },
  // Issue 20: each user's own wall; no site dimension (the path names no one else).
  'GET /api/v1/me/wall': { min: 'viewer', ok: 200, req: () => ({ path: '/api/v1/me/wall' }) },
  'PUT /api/v1/me/wall': {
    min: 'viewer',
    ok: 200,
    req: (_h, s) => ({
      path: '/api/v1/me/wall',
      body: {
        current: { name: 'yard', cols: 1, rows: 1, tiles: [`${s}-cam-1`] },
        saved: [],
        tour: { names: [], seconds: 30 },
      },
    }),
  },
  'POST /api/v1/video/tickets': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: '/api/v1/video/tickets', body: { cameraId: `${s}-cam-1` } }),
  },
  'POST /api/v1/alarms/:id/ack': ALARM_ACTION('ack', 'unack'),
  'POST /api/v1/alarms/:id/comment': ALARM_ACTION('comment', 'acked', { text: 'crew on the way' }),
  'POST /api/v1/alarms/:id/shelve': ALARM_ACTION('shelve', 'acked', { minutes: 30, reason: 'maintenance' }),
  'POST /api/v1/alarms/:id/unshelve': ALARM_ACTION('unshelve', 'shelved'),
  'POST /api/v1/alarms/:id/reset': ALARM_ACTION('reset', 'latched'),
  'POST /api/v1/alarms/:id/out-of-service': ALARM_ACTION('out-of-service', 'acked', { reason: 'detector replaced' }),
  'POST /api/v1/alarms/:id/return-to-service': ALARM_ACTION('return-to-service', 'out-of-service'),
  // Issue 21: evidence bundles, CAP, CSV exports, the evidence public key.
  'GET /api/v1/alarms/:id/evidence': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => ({ path: `/api/v1/alarms/${await h.newAlarm(s)}/evidence` }),
  },
  'GET /api/v1/alarms/:id/cap': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => ({ path: `/api/v1/alarms/${await h.newAlarm(s)}/cap` }),
  },
  'GET /api/v1/export/readings.csv': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/export/readings.csv?sensorId=${s}-ch4-1` }),
  },
  'GET /api/v1/export/alarms.csv': {
    min: 'viewer',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/export/alarms.csv?siteId=${s}` }),
  },
  'GET /api/v1/evidence/public-key.pem': {
    min: 'any',
    ok: 200,
    req: () => ({ path: '/api/v1/evidence/public-key.pem' }),
  },
  'GET /api/v1/kpis': { min: 'viewer', ok: 200, out: 403, req: (_h, s) => ({ path: `/api/v1/kpis?siteId=${s}` }) },
  'POST /api/v1/agents': {
    min: 'admin',
    ok: 201,
    out: 403,
    req: (_h, s, n) => ({ path: '/api/v1/agents', body: { agentId: `${s}-agent-m${n}`, siteId: s } }),
  },
  'GET /api/v1/agents': { min: 'viewer', ok: 200, out: 403, req: (_h, s) => ({ path: `/api/v1/agents?siteId=${s}` }) },
  'DELETE /api/v1/agents/:id': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s, n) => {
      await h.agentCreds.provision(`${s}-agent-d${n}`, s);
      return { path: `/api/v1/agents/${s}-agent-d${n}` };
    },
  },
  'GET /api/v1/users': { min: 'admin', ok: 200, req: () => ({ path: '/api/v1/users' }) },
  // Issue 19: the center instances and what each owns (a site admin sees only their sites in it).
  'GET /api/v1/cluster': { min: 'admin', ok: 200, req: () => ({ path: '/api/v1/cluster' }) },
  'POST /api/v1/users': {
    min: 'admin',
    ok: 201,
    out: 403,
    req: (_h, s, n) => ({ path: '/api/v1/users', body: userBody(s, n) }),
  },
  'PATCH /api/v1/users/:username': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: async (h, s, n) => {
      const u = await h.auth.users.create(
        userBody(s, n) as Parameters<Harness['auth']['users']['create']>[0],
        'test',
        null,
      );
      return { path: `/api/v1/users/${u.username}`, body: { role: 'operator' } };
    },
  },
  'DELETE /api/v1/users/:username': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s, n) => {
      const u = await h.auth.users.create(
        userBody(s, n) as Parameters<Harness['auth']['users']['create']>[0],
        'test',
        null,
      );
      return { path: `/api/v1/users/${u.username}` };
    },
  },
  'POST /api/v1/agents/:id/config': {
    min: 'admin',
    ok: 202,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/agents/${s}-agent-1/config`, body: envelope(s) }),
  },
  'GET /api/v1/agents/:id/config': {
    min: 'supervisor',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/agents/${s}-agent-1/config` }),
  },
  'GET /api/v1/oncall': { min: 'viewer', ok: 200, out: 403, req: (_h, s) => ({ path: `/api/v1/oncall?siteId=${s}` }) },
  'GET /api/v1/escalation/policies': {
    min: 'supervisor',
    ok: 200,
    req: () => ({ path: '/api/v1/escalation/policies' }),
  },
  'PUT /api/v1/escalation/policies': {
    min: 'admin',
    ok: 200,
    out: 403,
    req: (_h, s, n) => ({ path: '/api/v1/escalation/policies', body: [policy(s, n)] }),
  },
  'GET /api/v1/escalation/rosters': { min: 'supervisor', ok: 200, req: () => ({ path: '/api/v1/escalation/rosters' }) },
  'PUT /api/v1/escalation/rosters': {
    min: 'supervisor',
    ok: 200,
    out: 403,
    req: (_h, s, n) => ({ path: '/api/v1/escalation/rosters', body: [roster(s, n)] }),
  },
  'GET /api/v1/alarms/:id/notifications': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => ({ path: `/api/v1/alarms/${await h.newAlarm(s)}/notifications` }),
  },
  'GET /api/v1/sms/kannel/mo': SMS_CALLBACK('/api/v1/sms/kannel/mo?from=%2B821000000000&text=ACK%201234'),
  'GET /api/v1/sms/kannel/dlr': SMS_CALLBACK('/api/v1/sms/kannel/dlr?ref=1&status=1'),
  'POST /api/v1/sms/twilio/status': SMS_CALLBACK('/api/v1/sms/twilio/status'),
  'POST /api/v1/sms/twilio/inbound': SMS_CALLBACK('/api/v1/sms/twilio/inbound'),
  // Issue 21: supervisors read the audit entries of their own sites; the whole trail (no siteId)
  // answers them too, narrowed to their sites (checked in supervisor.test.ts).
  'GET /api/v1/audit': {
    min: 'supervisor',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/audit?siteId=${s}&limit=5` }),
  },
  'GET /api/v1/escalation/shifts': {
    min: 'supervisor',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/escalation/shifts?siteId=${s}` }),
  },
  'GET /api/v1/notifications': {
    min: 'supervisor',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/notifications?siteId=${s}` }),
  },
  'GET /api/v1/reports/shift': {
    min: 'supervisor',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/reports/shift?siteId=${s}&lang=en` }),
  },
  // Security review F1, F8, F21: admin device ownership changes, agents' events.
  'DELETE /api/v1/sensors/:id': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s, n) => ({ path: `/api/v1/sensors/${await h.newSensor(s, `${s}-del-${n}`)}` }),
  },
  'PUT /api/v1/sensors/:id/owner': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: async (h, s, n) => ({
      path: `/api/v1/sensors/${await h.newSensor(s, `${s}-rh-${n}`)}/owner`,
      body: { agentId: `${s}-agent-1` },
    }),
  },
  'PUT /api/v1/cameras/:id/owner': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: async (h, s, n) => {
      const cameraId = `${s}-cam-rh${n}`;
      await h.repos.cameras.upsert({
        cameraId,
        siteId: s,
        agentId: `${s}-agent-1`,
        name: 'x',
        ptz: false,
        profiles: [],
      });
      return { path: `/api/v1/cameras/${cameraId}/owner`, body: { agentId: `${s}-agent-1` } };
    },
  },
  // Issue 21: site plans, device positions, SOP checklists and ticks.
  'GET /api/v1/sites/:id/layout': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/sites/${s}/layout` }),
  },
  'GET /api/v1/sites/:id/plan': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => {
      await h.putPlan(s);
      return { path: `/api/v1/sites/${s}/plan` };
    },
  },
  'PUT /api/v1/sites/:id/plan': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({
      path: `/api/v1/sites/${s}/plan`,
      raw: makePng(32, 32),
      headers: { 'content-type': 'image/png' },
    }),
  },
  'DELETE /api/v1/sites/:id/plan': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s) => {
      await h.putPlan(s);
      return { path: `/api/v1/sites/${s}/plan` };
    },
  },
  'PUT /api/v1/sensors/:id/position': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/sensors/${s}-ch4-1/position`, body: { x: 0.5, y: 0.25 } }),
  },
  'DELETE /api/v1/sensors/:id/position': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s) => {
      await h.planStore.setPosition('sensor', `${s}-ch4-1`, s, { x: 0.1, y: 0.1 }, 'test', h.clock.now());
      return { path: `/api/v1/sensors/${s}-ch4-1/position` };
    },
  },
  'PUT /api/v1/cameras/:id/position': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({
      path: `/api/v1/cameras/${s}-cam-1/position`,
      body: { x: 0.2, y: 0.8, direction: 45, fov: 90, range: 0.5 },
    }),
  },
  'DELETE /api/v1/cameras/:id/position': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s) => {
      await h.planStore.setPosition('camera', `${s}-cam-1`, s, { x: 0.1, y: 0.1 }, 'test', h.clock.now());
      return { path: `/api/v1/cameras/${s}-cam-1/position` };
    },
  },
  'PUT /api/v1/sites/:id/link-radius': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: (_h, s) => ({ path: `/api/v1/sites/${s}/link-radius`, body: { linkRadius: 0.3 } }),
  },
  'GET /api/v1/sops': { min: 'viewer', ok: 200, out: 403, req: (_h, s) => ({ path: `/api/v1/sops?siteId=${s}` }) },
  'PUT /api/v1/sops': {
    min: 'supervisor',
    ok: 200,
    out: 403,
    req: (_h, s) => ({
      path: '/api/v1/sops',
      body: { siteId: s, alarmType: 'gas-high', steps: [{ id: 'call-manager', text: 'Call the site manager' }] },
    }),
  },
  'GET /api/v1/alarms/:id/sop': {
    min: 'viewer',
    ok: 200,
    out: 404,
    req: async (h, s) => ({ path: `/api/v1/alarms/${await h.newAlarm(s)}/sop` }),
  },
  'POST /api/v1/alarms/:id/sop/:step': {
    min: 'operator',
    ok: 200,
    out: 404,
    req: async (h, s) => {
      await h.planStore.putSop(s, 'gas-high', [{ id: 'confirm', text: 'Confirm on camera' }], 'test', h.clock.now());
      return { path: `/api/v1/alarms/${await h.newAlarm(s)}/sop/confirm`, body: {} };
    },
  },
  'DELETE /api/v1/alarms/:id/sop/:step': {
    min: 'operator',
    ok: 200,
    out: 404,
    req: async (h, s) => {
      await h.planStore.putSop(s, 'gas-high', [{ id: 'confirm', text: 'Confirm on camera' }], 'test', h.clock.now());
      return { path: `/api/v1/alarms/${await h.newAlarm(s)}/sop/confirm` };
    },
  },
  // Issue 20: direct cameras, for an admin of the camera's site.
  'POST /api/v1/cameras': {
    min: 'admin',
    ok: 201,
    out: 403,
    req: (_h, s, n) => ({
      path: '/api/v1/cameras',
      body: { cameraId: `${s}-dc-${n}`, siteId: s, rtspUrl: 'rtsp://10.0.0.9/ch1', username: 'u', password: 'p' },
    }),
  },
  'PATCH /api/v1/cameras/:id': {
    min: 'admin',
    ok: 200,
    out: 404,
    req: async (h, s, n) => ({
      path: `/api/v1/cameras/${await directCamera(h, s, `${s}-dp-${n}`)}`,
      body: { name: 'y' },
    }),
  },
  'DELETE /api/v1/cameras/:id': {
    min: 'admin',
    ok: 204,
    out: 404,
    req: async (h, s, n) => ({ path: `/api/v1/cameras/${await directCamera(h, s, `${s}-dd-${n}`)}` }),
  },
  'POST /api/v1/cameras/import': {
    min: 'admin',
    ok: 201,
    out: 403,
    req: (_h, s, n) => ({
      path: `/api/v1/cameras/import?siteId=${s}`,
      raw: `cameraId,rtspUrl\n${s}-di-${n},rtsp://10.0.0.9/ch${n}\n`,
      headers: { 'content-type': 'text/csv' },
    }),
  },
  'GET /api/v1/agent-events': {
    min: 'viewer',
    ok: 200,
    out: 403,
    req: (_h, s) => ({ path: `/api/v1/agent-events?siteId=${s}` }),
  },
};

/** Every `METHOD path` the express app has mounted (walks nested routers). */
export function mountedRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: unknown[]): void => {
    for (const layer of stack as {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: unknown[] };
    }[]) {
      if (layer.route) {
        for (const [m, on] of Object.entries(layer.route.methods))
          if (on) out.push(`${m.toUpperCase()} ${layer.route.path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: unknown[] } }).router.stack);
  return out.sort();
}

interface Caller {
  name: string;
  role: Role | null;
  allSites: boolean;
  username?: string;
}

const CALLERS: Caller[] = [
  { name: 'anonymous', role: null, allSites: false },
  // `admin` is the center's first admin (every site); the site-limited one is another user.
  ...ROLES.map((r) => ({ name: `${r}@${IN}`, role: r, allSites: false, username: r === 'admin' ? 'site-admin' : r })),
  { name: `admin@*`, role: 'admin' as Role, allSites: true, username: 'root' },
];

function expected(row: Row, c: Caller, site: string): number {
  if (row.min === 'public') return row.ok;
  if (c.role === null) return 401;
  if (row.min !== 'any' && ROLES.indexOf(c.role) < ROLES.indexOf(row.min)) return 403;
  if (row.allSitesOnly && !c.allSites) return 403;
  if (site === OUT && !c.allSites && row.out !== undefined) return row.out;
  return row.ok;
}

describe('authorization matrix', () => {
  let h: Harness;
  const tokens = new Map<string, string>();

  before(async () => {
    h = await createHarness();
    await h.seedDevices([IN, OUT]);
    // The cameras' agents are on the broker and answer commands (PTZ).
    await Promise.all([h.agent(IN), h.agent(OUT)]);
    for (const c of CALLERS) {
      if (!c.username || !c.role) continue;
      await h.auth.users.create(
        { username: c.username, password: PASSWORD, role: c.role, sites: c.allSites ? ['*'] : [IN] },
        'test',
        null,
      );
      tokens.set(c.name, await h.login(c.username, PASSWORD));
    }
  });
  after(() => h.close());

  test('every route of protocol ApiGetRoutes (the console data hook) is a mounted GET route (issue 18)', () => {
    const shape = (k: string) => k.replace(/:[A-Za-z]+/g, ':');
    const mounted = new Set(mountedRoutes(h.app).map(shape));
    const missing = API_GET_ROUTES.map((p) => `GET /api/v1${p}`).filter((k) => !mounted.has(shape(k)));
    assert.deepEqual(missing, []);
  });

  test('every route of protocol ApiMutations (the console mutate()) is a mounted route (issue 18)', () => {
    const shape = (k: string) => k.replace(/:[A-Za-z]+/g, ':');
    const mounted = new Set(mountedRoutes(h.app).map(shape));
    const missing = API_MUTATIONS.map((k) => k.replace(' /', ' /api/v1/')).filter((k) => !mounted.has(shape(k)));
    assert.deepEqual(missing, []);
  });

  test('the table has exactly one row per mounted route', () => {
    const mounted = mountedRoutes(h.app);
    assert.deepEqual(mounted, Object.keys(TABLE).sort(), 'a mounted route without a row, or a row without a route');
  });

  let n = 0;
  for (const [key, row] of Object.entries(TABLE)) {
    test(key, async () => {
      const [method] = key.split(' ');
      const failures: string[] = [];
      for (const c of CALLERS) {
        for (const site of [IN, OUT]) {
          n += 1;
          const { path, body, raw, headers } = await row.req(h, site, n);
          let token = tokens.get(c.name);
          if (row.endsSession && c.username) token = await h.login(c.username, PASSWORD);
          const r = await h.call(method, path, { token, body, raw, headers });
          const want = expected(row, c, site);
          if (r.status !== want) failures.push(`${c.name} ${site}: ${r.status} (want ${want}) ${r.text.slice(0, 120)}`);
          else if (r.status >= 400 && !row.bareStatus) {
            const err = (r.json as { error?: { code?: unknown; message?: unknown } })?.error;
            if (typeof err?.code !== 'string' || typeof err.message !== 'string')
              failures.push(`${c.name} ${site}: bad error body ${r.text}`);
          }
          if (row.endsSession === 'all' && c.username && r.status < 300)
            tokens.set(c.name, await h.login(c.username, PASSWORD));
        }
      }
      assert.deepEqual(failures, []);
    });
  }
});
