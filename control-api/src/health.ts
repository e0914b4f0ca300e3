/**
 * `/healthz` that can say no (CONTRACT "GET /healthz", issue 17): each store is really asked on
 * every probe (a database query, a time-series ping, the MQTT connection), in parallel and
 * bounded by a timeout, so a load balancer or the compose healthcheck sees a dead dependency.
 * 200 `{"status":"ok",...}` only when all answer; otherwise 503 `{"status":"down","failing":[...]}`
 * naming each failing one (`database`, `timeseries`, `broker`).
 */
import type { HealthReport } from './http/deps.js';

export interface HealthProbe {
  name: string;
  /** Resolves when the dependency answers; throws (or times out) when it does not. */
  check(): Promise<void>;
}

export interface HealthCheckOptions {
  probes: HealthProbe[];
  /** A probe slower than this counts as failing (a hung database is down for its users). */
  timeoutMs?: number;
  /** Extra fields for the report (time-series backlog, database dialect). */
  details?: () => Record<string, unknown>;
}

export interface ProbeResult {
  ok: boolean;
  ms: number;
  error?: string;
}

function withTimeout(p: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class HealthCheck {
  constructor(private readonly opts: HealthCheckOptions) {}

  async report(): Promise<HealthReport> {
    const timeoutMs = this.opts.timeoutMs ?? 2000;
    const checks: Record<string, ProbeResult> = {};
    await Promise.all(
      this.opts.probes.map(async (p) => {
        const started = performance.now();
        try {
          await withTimeout(
            Promise.resolve().then(() => p.check()),
            timeoutMs,
            p.name,
          );
          checks[p.name] = { ok: true, ms: Math.round(performance.now() - started) };
        } catch (err) {
          // The message is the dependency's own error (no credentials: URLs are never included).
          const error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
          checks[p.name] = { ok: false, ms: Math.round(performance.now() - started), error };
        }
      }),
    );
    const failing = this.opts.probes.map((p) => p.name).filter((n) => !checks[n].ok);
    return {
      status: failing.length === 0 ? 'ok' : 'down',
      ...(failing.length > 0 ? { failing } : {}),
      checks,
      ...this.opts.details?.(),
    };
  }
}
