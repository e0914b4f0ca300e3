/**
 * Fake-center routes added for issues 8 and 10, in the shapes the control-api owners agreed:
 * `GET /api/v1/oncall?siteId=` (who is on duty now) and `config` on `GET /api/v1/agents` items
 * (desired/applied versions, outcome, drift). Sites without a roster answer 404 like the center.
 */
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
}

export const createExtras = (): FakeExtras => ({ oncall: new Map(), config: new Map() });

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
