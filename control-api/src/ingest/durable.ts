/**
 * Issue 19: "everything accepted so far is written" as a watermark on the time-series store:
 * resolves once the store has written (or counted as dropped) as many readings as it had accepted
 * when asked. A busy store never reaches "nothing pending", so waiting for that would never end.
 * Used before a site's consumer acknowledges messages to the broker, and before ingest stores the
 * (agentId, seq) and newest timestamps that make a redelivered message count as already stored:
 * neither may run ahead of the readings themselves.
 */
import type { TimeSeriesStore } from '../store/types.js';

export async function writtenSoFar(
  ts: Pick<TimeSeriesStore, 'written' | 'pending' | 'dropped'>,
  timeoutMs = 10_000,
): Promise<void> {
  const target = ts.written() + ts.pending();
  const deadline = Date.now() + timeoutMs;
  while (ts.written() + ts.dropped() < target) {
    if (Date.now() > deadline) throw new Error(`timeseries: ${target - ts.written()} readings not yet written`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
