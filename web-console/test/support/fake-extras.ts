/**
 * Fake-center routes added for issues 8 and 10, in the shapes the control-api owners agreed:
 * `GET /api/v1/oncall?siteId=` (who is on duty now) and `config` on `GET /api/v1/agents` items
 * (desired/applied versions, outcome, drift). Sites without a roster answer 404 like the center.
 */
import type { IncomingMessage } from 'node:http';

export interface FakeOnCall {
  roster: string;
  duty: {
    role: string;
    contacts: { id: string; name: string; phone: string; lang: string; username?: string }[];
    source: 'override' | 'holiday' | 'shift' | 'none';
    shift?: string;
    until?: number;
  }[];
}

export interface FakeExtras {
  oncall: Map<string, FakeOnCall[]>;
  /** Agent config state by agentId; agents not listed report none. */
  config: Map<
    string,
    { desired: string | null; applied: string | null; outcome?: string | null; error?: string; drift: boolean }
  >;
  /** Per-sensor admin settings saved by PATCH /api/v1/sensors/{id} (issue 4/7), and every PATCH body. */
  sensors: Map<string, { rules: unknown[]; cameras: { cameraId: string; preset?: string }[] }>;
  sensorPatches: { sensorId: string; body: Record<string, unknown> }[];
}

export const createExtras = (): FakeExtras => ({
  oncall: new Map(),
  config: new Map(),
  sensors: new Map(),
  sensorPatches: [],
});

/** A GET /sensors item with its saved rules and camera links (empty by default, like the center). */
export const settingsOf = (x: FakeExtras, sensorId: string) => x.sensors.get(sensorId) ?? { rules: [], cameras: [] };

/**
 * PATCH /api/v1/sensors/{id} as the center answers it: a camera of another site is a 400 naming
 * `cameras.N.cameraId`, a non-numeric setpoint a 400 naming `rules.N.setpoint`; else 200 with the view.
 */
/** A request's JSON body ({} when empty). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const c of req) text += c;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const DEFAULT_TYPES = ['gas-low', 'gas-high', 'rate-of-rise', 'over-range', 'stale', 'fault'];

export async function sensorPatchRoute(
  x: FakeExtras,
  req: IncomingMessage,
  p: string,
  {
    sensors,
    cameras,
  }: { sensors: { sensorId: string; siteId: string }[]; cameras: { cameraId: string; siteId: string }[] },
): Promise<{ status: number; body: unknown } | undefined> {
  const m = /^\/api\/v1\/sensors\/([^/]+)$/.exec(p);
  if (!m || req.method !== 'PATCH') return undefined;
  const sensor = sensors.find((s) => s.sensorId === decodeURIComponent(m[1]));
  const body = await readJson(req);
  const bad = (field: string, message: string) => ({
    status: 400,
    body: { error: { code: 'bad-request', message: `${field}: ${message}`, field } },
  });
  if (!sensor) return { status: 404, body: { error: { code: 'not-found', message: 'sensor not found' } } };
  x.sensorPatches.push({ sensorId: sensor.sensorId, body });
  const cur = x.sensors.get(sensor.sensorId) ?? { rules: [], cameras: [] };
  const rules = Array.isArray(body.rules) ? (body.rules as { setpoint?: unknown }[]) : cur.rules;
  const links = Array.isArray(body.cameras) ? (body.cameras as { cameraId: string; preset?: string }[]) : cur.cameras;
  for (const [i, r] of (rules as { type?: string; setpoint?: unknown }[]).entries()) {
    if (r.setpoint !== undefined && typeof r.setpoint !== 'number')
      return bad(`rules.${i}.setpoint`, 'Expected number');
    // As detection's resolveRules: a type with no default needs a setpoint.
    if (r.setpoint === undefined && !DEFAULT_TYPES.includes(r.type ?? ''))
      return bad(`rules.${i}.setpoint`, `rule override '${r.type}' needs a setpoint`);
  }
  for (const [i, c] of links.entries())
    if (!cameras.some((k) => k.cameraId === c.cameraId && k.siteId === sensor.siteId))
      return bad(`cameras.${i}.cameraId`, `no camera ${c.cameraId} in site ${sensor.siteId}`);
  const saved = { rules, cameras: links };
  x.sensors.set(sensor.sensorId, saved);
  return { status: 200, body: { ...sensor, ...saved } };
}

/** Answers an extras route, or returns undefined to let the caller continue. */
export function extrasRoute(
  x: FakeExtras,
  p: string,
  siteIds: string[],
  siteId: string | null,
): { status: number; body: unknown } | undefined {
  if (p === '/api/v1/oncall') {
    const sites = siteId ? [siteId] : siteIds;
    const rosters = sites.flatMap((s) => x.oncall.get(s) ?? []);
    if (siteId && rosters.length === 0)
      return { status: 404, body: { error: { code: 'no-roster', message: 'fake-center: no roster' } } };
    return { status: 200, body: rosters };
  }
  if (p === '/api/v1/agents') {
    return {
      status: 200,
      body: siteIds
        .filter((s) => !siteId || s === siteId)
        .map((s) => {
          const agentId = `${s}-agent`;
          const config = x.config.get(agentId);
          return { agentId, siteId: s, state: 'online', buffered: 0, ...(config ? { config } : {}) };
        }),
    };
  }
  return undefined;
}
