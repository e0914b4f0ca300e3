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
  /** Per-sensor admin settings shown by GET /sensors (the rules form is tested against the real center). */
  sensors: Map<string, { rules: unknown[]; cameras: { cameraId: string; preset?: string }[] }>;
}

export const createExtras = (): FakeExtras => ({
  oncall: new Map(),
  config: new Map(),
  sensors: new Map(),
});

/** A GET /sensors item with its saved rules and camera links (empty by default, like the center). */
export const settingsOf = (x: FakeExtras, sensorId: string) => x.sensors.get(sensorId) ?? { rules: [], cameras: [] };

/** A request's JSON body ({} when empty). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const c of req) text += c;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
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
