/**
 * What one edge agent may make the center hold (security review F8, F21): a bounded number of
 * sensors and cameras, and events at a bounded rate (a token bucket per agent), kept for a
 * bounded time. A compromised Pi can then fill only its own share. Pure: no I/O, clock injected.
 */

export interface AgentLimits {
  /** Sensors one agent may register (auto-registration from telemetry stops there). */
  maxSensorsPerAgent: number;
  /** Cameras one agent's inventory may hold. */
  maxCamerasPerAgent: number;
  /** Events per hour one agent may add to the agent-events table (steady rate)... */
  eventsPerHour: number;
  /** ...and how many at once (a box starting up reports its sensors together). */
  eventsBurst: number;
  /** Agent events are deleted after this long. */
  eventRetentionMs: number;
}

export const DEFAULT_AGENT_LIMITS: AgentLimits = {
  maxSensorsPerAgent: 1000,
  maxCamerasPerAgent: 64,
  eventsPerHour: 360,
  eventsBurst: 120,
  eventRetentionMs: 90 * 86_400_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Per-agent token bucket over events. */
export class AgentEventBudget {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: Pick<AgentLimits, 'eventsPerHour' | 'eventsBurst'>,
    private readonly now: () => number,
  ) {}

  /** true when the agent may add one more event now (and takes its token). */
  take(agentId: string): boolean {
    const t = this.now();
    const b = this.buckets.get(agentId) ?? { tokens: this.limits.eventsBurst, at: t };
    const refill = ((t - b.at) * this.limits.eventsPerHour) / 3_600_000;
    b.tokens = Math.min(this.limits.eventsBurst, b.tokens + refill);
    b.at = t;
    this.buckets.set(agentId, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
