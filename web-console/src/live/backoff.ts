/** Capped exponential backoff with jitter, shared by the live socket and video tiles. */
export const BASE_DELAY_MS = 500;
export const MAX_DELAY_MS = 15_000;

/** Delay before reconnect attempt `attempt` (1-based): base·2^(n-1) capped, scaled by 0.5..1.5 jitter. */
export const backoffDelay = (attempt: number, rand = Math.random()): number =>
  Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1)) * (0.5 + rand);

export interface Retrier {
  /** Runs the task again after the next backoff delay; false when a retry is already waiting. */
  schedule(): boolean;
  /** It worked: the next failure starts from the shortest delay again. */
  succeeded(): void;
  cancel(): void;
}

/** One pending retry of `run` at a time, with `backoffDelay` growing per failure. */
export function retrier(run: () => void): Retrier {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    schedule() {
      if (timer) return false;
      attempt += 1;
      timer = setTimeout(() => {
        timer = null;
        run();
      }, backoffDelay(attempt));
      return true;
    },
    succeeded() {
      attempt = 0;
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
