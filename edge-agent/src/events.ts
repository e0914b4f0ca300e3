/**
 * EventUplink: `events` (local-alarm, camera-event, driver-error) kept on disk until the center
 * has them, like telemetry: a local trip during a WAN outage is still reported after the link
 * returns, even if the agent restarted meanwhile. One event in flight at a time (they are rare),
 * in order, committed on PUBACK; at-least-once (a crash between PUBACK and commit re-sends one
 * event, which carries its own sourceId and ts).
 */
import type { AgentEvent } from '@gwanje/protocol';
import type { Logger } from 'pino';
import type { StoreAndForwardQueue } from './queue/queue.js';

export interface EventUplinkDeps {
  queue: StoreAndForwardQueue;
  log: Logger;
  publish(ev: AgentEvent, done: (err?: Error) => void): void;
}

export class EventUplink {
  private connected = false;
  private inFlight = false;

  constructor(private readonly deps: EventUplinkDeps) {}

  /** Accepts an event (on disk when this returns) and sends it when the link is up. */
  send(ev: AgentEvent): void {
    try {
      this.deps.queue.append(Buffer.from(JSON.stringify(ev)));
    } catch (err) {
      this.deps.log.error({ type: ev.type, err: (err as Error).message }, 'events: not queued');
      return;
    }
    this.pump();
  }

  setConnected(up: boolean): void {
    this.connected = up;
    // After a reconnect mqtt.js re-sends the one in flight itself; its callback still fires.
    if (up) this.pump();
  }

  private pump(): void {
    const q = this.deps.queue;
    if (!this.connected || this.inFlight || q.buffered === 0) return;
    const { from, payloads } = q.read(q.committed, 1);
    if (payloads.length === 0) return;
    let ev: AgentEvent;
    try {
      ev = JSON.parse(payloads[0].toString('utf8')) as AgentEvent;
    } catch (err) {
      this.deps.log.error({ err: (err as Error).message }, 'events: unreadable record skipped');
      q.commit(from + 1);
      this.pump();
      return;
    }
    this.inFlight = true;
    this.deps.publish(ev, (err) => {
      this.inFlight = false;
      if (err) {
        this.deps.log.warn({ err: err.message }, 'events: publish not acknowledged');
        return;
      }
      q.commit(from + 1);
      this.pump();
    });
  }
}
