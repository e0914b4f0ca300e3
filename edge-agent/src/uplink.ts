/**
 * TelemetryUplink: drains the StoreAndForwardQueue to the central broker as CONTRACT `telemetry`
 * batches (QoS 1), committing a batch only after its PUBACK (MQTT 3.1.1 section 4.3.2).
 *
 * Exactly-once in storage rests on replays being identical: before a batch is published its
 * seq and record range are persisted (queue state.json), so after a crash or kill -9 the agent
 * re-sends the same readings under the same seq and the center drops what it already has.
 * A fresh agent starts seq at the clock in ms, so a wiped data directory still yields seqs
 * above any the center has seen (the agent sends far fewer than 1000 batches per second).
 */
import type { Reading, Telemetry } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { StoreAndForwardQueue } from './queue/queue.js';

export interface Batch {
  seq: number;
  from: number;
  to: number;
}

interface UplinkState {
  nextSeq: number;
  inflight: Batch[];
}

export interface UplinkDeps {
  agentId: string;
  queue: StoreAndForwardQueue;
  log: Logger;
  now: () => number;
  batchSize: number;
  flushMs: number;
  /** Publishes at QoS 1 and calls back on PUBACK (mqtt.js publish callback). */
  publish(payload: Telemetry, done: (err?: Error) => void): void;
  /** Counts readings that could not be sent (unparseable or invalid records). */
  onInvalid(n: number): void;
}

/** Batches published but not yet acknowledged; beyond this the uplink waits for PUBACKs. */
const WINDOW = 8;

export class TelemetryUplink {
  private nextSeq = 0;
  private inflight: Array<Batch & { acked: boolean }> = [];
  private resend: Batch[] = [];
  private cursor = 0;
  private connected = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  forwarded = 0;

  constructor(private readonly deps: UplinkDeps) {}

  /** Restores seq and the batches in flight at the last stop or crash. */
  start(): void {
    const q = this.deps.queue;
    const st = q.uplinkState as Partial<UplinkState> | undefined;
    this.nextSeq = Number.isSafeInteger(st?.nextSeq) ? (st?.nextSeq as number) : this.deps.now();
    this.resend = (Array.isArray(st?.inflight) ? st.inflight : []).filter((b) => b.to > q.committed);
    this.cursor = q.committed;
    if (this.resend.length > 0) {
      this.deps.log.info({ batches: this.resend.length, fromSeq: this.resend[0].seq }, 'uplink: replaying in-flight');
    }
  }

  /** On shutdown: sends what is pending now and waits (bounded) for the PUBACKs. */
  async drain(timeoutMs: number): Promise<void> {
    // Real time, not the injected clock: this bounds how long a shutdown may take.
    const deadline = Date.now() + timeoutMs;
    while (this.connected && this.deps.queue.buffered > 0 && Date.now() < deadline) {
      if (this.flushTimer) clearTimeout(this.flushTimer);
      this.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.connected = false;
  }

  get seq(): number {
    return this.nextSeq;
  }

  setConnected(up: boolean): void {
    this.connected = up;
    if (up) this.pump();
  }

  /** Called after each append; sends full batches now and partial ones after flushMs. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.connected && this.inflight.length < WINDOW) {
        const batch = this.nextBatch(false);
        if (!batch) break;
        this.send(batch);
      }
    } finally {
      this.pumping = false;
    }
    if (this.connected && !this.flushTimer && this.deps.queue.nextIndex > this.cursor) {
      this.flushTimer = setTimeout(() => this.flush(), this.deps.flushMs);
    }
  }

  private flush(): void {
    this.flushTimer = undefined;
    while (this.connected && this.inflight.length < WINDOW) {
      const batch = this.nextBatch(true);
      if (!batch) break;
      this.send(batch);
    }
    this.pump();
  }

  private nextBatch(partial: boolean): Batch | undefined {
    const q = this.deps.queue;
    const replay = this.resend.shift();
    if (replay) {
      this.cursor = Math.max(this.cursor, replay.to);
      return replay;
    }
    this.cursor = Math.max(this.cursor, q.firstIndex);
    const available = q.nextIndex - this.cursor;
    if (available <= 0 || (!partial && available < this.deps.batchSize)) return undefined;
    const n = Math.min(available, this.deps.batchSize);
    const batch = { seq: this.nextSeq, from: this.cursor, to: this.cursor + n };
    this.nextSeq += 1;
    this.cursor = batch.to;
    return batch;
  }

  private send(batch: Batch): void {
    const q = this.deps.queue;
    const entry = { ...batch, acked: false };
    this.inflight.push(entry);
    // Persist before publishing: a replay after a crash must carry the same seq and readings.
    q.saveUplink(this.state());
    const { from, payloads } = q.read(batch.from, batch.to - batch.from);
    const readings: Reading[] = [];
    for (const p of payloads.slice(0, Math.max(0, batch.to - from))) {
      try {
        readings.push(JSON.parse(p.toString('utf8')) as Reading);
      } catch (err) {
        this.deps.onInvalid(1);
        this.deps.log.error({ err: (err as Error).message }, 'uplink: unreadable record skipped');
      }
    }
    if (readings.length === 0) {
      // Evicted while waiting (buffer full) or unreadable: nothing to send, the seq is skipped.
      this.ack(entry, 0);
      return;
    }
    this.deps.publish({ agentId: this.deps.agentId, seq: batch.seq, readings }, (err) => {
      if (err) {
        // mqtt.js keeps unacknowledged QoS 1 packets and re-sends them on reconnect; an error
        // here means the client was ended, and the persisted state re-sends after restart.
        this.deps.log.warn({ seq: batch.seq, err: err.message }, 'uplink: publish not acknowledged');
        return;
      }
      this.ack(entry, readings.length);
    });
  }

  private ack(entry: Batch & { acked: boolean }, n: number): void {
    entry.acked = true;
    this.forwarded += n;
    let upTo = -1;
    while (this.inflight.length > 0 && this.inflight[0].acked) {
      upTo = (this.inflight.shift() as Batch).to;
    }
    if (upTo >= 0) this.deps.queue.commit(upTo, this.state());
    this.pump();
  }

  private state(): UplinkState {
    return {
      nextSeq: this.nextSeq,
      inflight: [...this.resend, ...this.inflight.map(({ seq, from, to }) => ({ seq, from, to }))].sort(
        (a, b) => a.seq - b.seq,
      ),
    };
  }
}
