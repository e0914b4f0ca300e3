/**
 * SiteIntake (issue 19, cluster throughput): the one queue between every site consumer of this
 * instance and ingest, and the one place their held acknowledgements are released.
 *
 * Why: a cluster member reads each site through its own MQTT connection (site-consumer.ts). Handled
 * as they arrive, each socket's 64 KiB chunk (hundreds of telemetry messages) was decoded, checked
 * and evaluated in one go, and with 31 busy sockets one turn of the event loop did 31 such chunks:
 * the loop stalled for up to a second under a flood, and an alarm, whose raise in a cluster waits
 * for PostgreSQL (one alarm id across instances) over a few round trips, waited that long at each.
 * Now a message is handed over through mqtt.js's `handleMessage(packet, done)`, and `done` is
 * called only when the message has been handled: mqtt.js takes the next packet of that connection
 * then and reads no more of the socket until the chunk is done (TCP backpressure: the broker keeps
 * the rest in the site's session). The queue is drained in slices of `sliceMs`, each followed by a
 * turn of the event loop (setImmediate), so database answers and timers wait at most a slice;
 * within a slice, sites take turns, one message each per round.
 *
 * Acknowledgements: every consumer's PUBACKs wait here, and one timer for all of them asks once
 * whether what they cover is stored (`durable`) and then sends them all, so a flush of the store
 * acknowledges many messages of many sites at once instead of each site polling on its own.
 */
import type { Logger } from '../logger.js';

export interface SiteIntakeOptions {
  /** `redelivered`: the broker's DUP flag. */
  handle(topic: string, payload: Buffer, redelivered: boolean): void;
  /** Resolves once everything handled before the call is durably stored. */
  durable(): Promise<void>;
  log: Logger;
  /** Longest run of handling before the event loop gets a turn. */
  sliceMs?: number;
  /** How often held acknowledgements are released (after one durability check for all). */
  ackEveryMs?: number;
}

interface Item {
  topic: string;
  payload: Buffer;
  redelivered: boolean;
  done: () => void;
}

/** A held acknowledgement: `send` puts it on its connection (a no-op once that connection is gone). */
export type HeldAck = () => void;

export class SiteIntake {
  private queue: Item[] = [];
  private head = 0;
  private scheduled = false;
  private pushed = 0;
  private handledCount = 0;
  private readonly waiters: { upTo: number; resolve: () => void }[] = [];
  private held: HeldAck[] = [];
  private releasing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private readonly sliceMs: number;

  constructor(private readonly o: SiteIntakeOptions) {
    this.sliceMs = o.sliceMs ?? 8;
    this.timer = setInterval(() => void this.releaseAcks(), o.ackEveryMs ?? 100);
    this.timer.unref();
  }

  /** Messages waiting to be handled (health, tests). */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** A message of a site; `done` (mqtt.js's) is called once it is handled. */
  push(topic: string, payload: Buffer, done: () => void, redelivered = false): void {
    this.queue.push({ topic, payload, done, redelivered });
    this.pushed++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Resolves once every message pushed before the call has been handled. */
  handled(): Promise<void> {
    if (this.handledCount >= this.pushed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo: this.pushed, resolve }));
  }

  /** Holds a PUBACK until the next release finds its message stored. */
  holdAck(send: HeldAck): void {
    this.held.push(send);
  }

  /**
   * Sends every held acknowledgement once what it covers is stored: handled here, past ingest,
   * written by the store. One check serves every site.
   */
  releaseAcks(): Promise<void> {
    if (this.releasing) return this.releasing.then(() => this.releaseAcks());
    if (this.held.length === 0) return Promise.resolve();
    const batch = this.held;
    this.held = [];
    this.releasing = this.handled()
      .then(() => this.o.durable())
      .then(() => {
        for (const send of batch) send();
      })
      .catch((err: Error) => {
        // Not stored yet: keep them for the next round; unacknowledged, the broker redelivers.
        this.held = [...batch, ...this.held];
        this.o.log.warn({ held: batch.length, err: err.message }, 'site intake: acks held, store not durable');
      })
      .finally(() => {
        this.releasing = undefined;
      });
    return this.releasing;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async drain(): Promise<void> {
    const end = performance.now() + this.sliceMs;
    for (;;) {
      // One round: what is queued now, at most one message per connection (mqtt.js hands over a
      // connection's next message only once this one is done).
      const upTo = this.queue.length;
      while (this.head < upTo && performance.now() < end) {
        const item = this.queue[this.head] as Item;
        this.queue[this.head] = undefined as unknown as Item;
        this.head++;
        try {
          this.o.handle(item.topic, item.payload, item.redelivered);
        } catch (err) {
          // ingest never throws; should it, the message is still done (counted as rejected or lost).
          this.o.log.error({ topic: item.topic, err: (err as Error).message }, 'site intake: handling failed');
        }
        this.handledCount++;
        item.done();
      }
      this.wake();
      if (performance.now() >= end) break;
      // mqtt.js pushes each connection's next message on process.nextTick: let it, then go on.
      await new Promise<void>((r) => process.nextTick(r));
      if (this.head >= this.queue.length) break;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length) setImmediate(() => void this.drain());
    else this.scheduled = false;
  }

  private wake(): void {
    while (this.waiters.length > 0 && (this.waiters[0]?.upTo ?? 0) <= this.handledCount)
      this.waiters.shift()?.resolve();
  }
}
