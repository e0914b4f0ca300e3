/**
 * Telemetry de-duplication by (agentId, seq). CONTRACT: `seq` rises by one per message per agent
 * and survives agent restarts; a QoS 1 redelivery (MQTT 3.1.1 section 4.3.2: "at least once")
 * or a store-and-forward replay carries a seq already seen and is dropped. Pure: the owner
 * loads and saves the map.
 */
export class SeqTracker {
  private readonly last = new Map<string, number>();
  private readonly dirty = new Set<string>();

  load(seqs: Map<string, number>): void {
    for (const [agentId, seq] of seqs) this.last.set(agentId, seq);
  }

  /** True when the message is new (seq above the last accepted one) and records it. */
  accept(agentId: string, seq: number): boolean {
    const prev = this.last.get(agentId);
    if (prev !== undefined && seq <= prev) return false;
    this.last.set(agentId, seq);
    this.dirty.add(agentId);
    return true;
  }

  lastSeq(agentId: string): number | undefined {
    return this.last.get(agentId);
  }

  /** Forgets an agent (credentials re-issued: a fresh agent starts again at seq 0). */
  forget(agentId: string): void {
    this.last.delete(agentId);
    this.dirty.add(agentId);
  }

  /** Seqs changed since the last call. */
  takeDirty(): Map<string, number> {
    const out = new Map<string, number>();
    for (const agentId of this.dirty) out.set(agentId, this.last.get(agentId) ?? -1);
    this.dirty.clear();
    return out;
  }
}
