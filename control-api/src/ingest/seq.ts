/**
 * Telemetry de-duplication by (agentId, seq). CONTRACT: `seq` rises by one per message per agent
 * and survives agent restarts; a QoS 1 redelivery (MQTT 3.1.1 section 4.3.2: "at least once")
 * or a store-and-forward replay carries a seq already seen. Pure: the owner loads and saves the
 * map and passes the clock.
 *
 * Security review F7: one message with seq 2^53-1 used to make every later message of that agent
 * a "duplicate", silently and for good. Now:
 * - a seq beyond `now + MAX_SEQ_AHEAD` is impossible for an agent (a fresh one starts at its
 *   clock in ms and adds one per message) and is refused without being recorded (`ahead`);
 * - a seq at or below the last one is a `replay`: the pipeline keeps its readings that are newer
 *   than what is stored for their sensors (an agent whose sequence restarted, e.g. a re-imaged
 *   box) and drops the rest as duplicates; when something was new, the sequence is re-based there;
 * - new credentials (provision, re-issue) forget the agent's seq: until a message with new
 *   readings re-bases it, its messages are judged like replays, by their readings, so a restarted
 *   agent's in-flight resend is still not stored twice;
 * - an agent whose messages are all dropped as duplicates for a while is flagged (DuplicateWatch),
 *   so the silence is visible as a metric and a log line, never silent.
 */

/** Agents start seq at their clock in ms; a billion messages is decades of telemetry. */
export const MAX_SEQ_AHEAD = 1e9;

export type SeqVerdict = 'new' | 'replay' | 'ahead';

export class SeqTracker {
  private readonly last = new Map<string, number>();
  private readonly dirty = new Set<string>();
  /** Forgotten agents whose next seq is not known yet: judged by their readings until re-based. */
  private readonly rebasing = new Set<string>();

  /** Loads the persisted seqs; one already beyond the bound (stored before F7) is forgotten. */
  load(seqs: Map<string, number>, now: number = Date.now()): void {
    for (const [agentId, seq] of seqs) {
      if (seq > now + MAX_SEQ_AHEAD) this.forget(agentId);
      else this.last.set(agentId, seq);
    }
  }

  /** Judges a message's seq; a `new` one is recorded. */
  accept(agentId: string, seq: number, now: number): SeqVerdict {
    if (seq > now + MAX_SEQ_AHEAD) return 'ahead';
    if (this.rebasing.size > 0 && this.rebasing.has(agentId)) return 'replay';
    const prev = this.last.get(agentId);
    if (prev !== undefined && seq <= prev) return 'replay';
    this.record(agentId, seq);
    return 'new';
  }

  /** A replayed seq carried new readings: the agent's sequence restarted, continue from there. */
  rebase(agentId: string, seq: number): void {
    this.rebasing.delete(agentId);
    this.record(agentId, seq);
  }

  lastSeq(agentId: string): number | undefined {
    return this.last.get(agentId);
  }

  /** Forgets an agent (credentials issued or re-issued: a fresh agent starts a new sequence). */
  forget(agentId: string): void {
    this.last.delete(agentId);
    this.rebasing.add(agentId);
    this.dirty.add(agentId);
  }

  /** Seqs changed since the last call (-1 for a forgotten agent). */
  takeDirty(): Map<string, number> {
    const out = new Map<string, number>();
    for (const agentId of this.dirty) out.set(agentId, this.last.get(agentId) ?? -1);
    this.dirty.clear();
    return out;
  }

  private record(agentId: string, seq: number): void {
    this.last.set(agentId, seq);
    this.dirty.add(agentId);
  }
}

/**
 * Agents whose telemetry is being dropped whole as duplicates (F7: "a visible signal when an
 * agent's messages are all dropped as duplicates"). After `threshold` such messages in a row an
 * agent is flagged; its next accepted message clears the flag.
 */
export class DuplicateWatch {
  private readonly streak = new Map<string, number>();
  private readonly flagged = new Set<string>();

  constructor(private readonly threshold = 50) {}

  /** A message of the agent was dropped whole; true when the agent has just become flagged. */
  duplicate(agentId: string): boolean {
    const n = (this.streak.get(agentId) ?? 0) + 1;
    this.streak.set(agentId, n);
    if (n < this.threshold || this.flagged.has(agentId)) return false;
    this.flagged.add(agentId);
    return true;
  }

  /** A message of the agent was accepted; true when this clears its flag. */
  accepted(agentId: string): boolean {
    if (this.streak.size === 0) return false; // the hot path: nobody is dropping duplicates
    this.streak.delete(agentId);
    return this.flagged.delete(agentId);
  }

  /** Agents flagged now. */
  get count(): number {
    return this.flagged.size;
  }
}
