/** Capped exponential backoff with jitter, shared by the live socket and video tiles. */
export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 15_000;

/** Delay before reconnect attempt `attempt` (1-based): base·2^(n-1) capped, scaled by 0.5..1.5 jitter. */
export const backoffDelay = (attempt: number, rand = Math.random()): number =>
  Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1)) * (0.5 + rand);
