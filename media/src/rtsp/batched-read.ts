/**
 * Reading many camera sockets in step. A camera sends each RTP packet as it is made, so a socket
 * read as data arrives wakes the gateway ~50 times a second per 1080p stream, and on this class of
 * machine (a VM on 2 cores) the wake-up costs more than the bytes: reading alone took ~0.004 core
 * per stream. While a camera plays, its socket is taken off the event loop (paused: libuv stops
 * polling it) and one timer reads every playing socket each `periodMs` with a non-blocking read(2)
 * of what the kernel buffered meanwhile (~10 KB per 20 ms at 4 Mbit/s): one wake-up per period for
 * all cameras. The price is up to `periodMs` more latency before a frame reaches the relay (half
 * that on average); the kernel's socket buffer holds the data in between, so nothing is lost.
 *
 * Reads land in a slab (../slab.ts): no Buffer per read, and the packets cut from it can be kept
 * (the depacketizer holds a frame's NAL units until the frame is complete).
 */

import { readSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { Slab } from '../slab.js';

/** Calls every registered poller each `periodMs`, on one timer per period. */
class Ticker {
  private readonly pollers = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly periodMs: number) {}

  add(poll: () => void): void {
    this.pollers.add(poll);
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const p of this.pollers) p();
      }, this.periodMs);
      // Kept referenced: the playing sockets are paused (this timer reads them), so it is what
      // keeps a process whose only work is relaying cameras alive; it is cleared with its last poller.
    }
  }

  delete(poll: () => void): void {
    this.pollers.delete(poll);
    if (this.pollers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

const tickers = new Map<number, Ticker>();

export function ticker(periodMs: number): Ticker {
  let t = tickers.get(periodMs);
  if (!t) {
    t = new Ticker(periodMs);
    tickers.set(periodMs, t);
  }
  return t;
}

/** The socket's file descriptor (libuv's TCP handle exposes it on POSIX), or undefined. */
export function socketFd(s: Socket): number | undefined {
  const fd = (s as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

export type PollResult = 'ok' | 'eof' | Error;

/**
 * Reads what `fd` holds into the slab, handing each chunk to `chunk`. Stops at a short read (the
 * kernel buffer is drained) or when nothing is waiting.
 */
export function drain(fd: number, slab: Slab, chunk: (b: Buffer) => void): PollResult {
  for (let i = 0; i < 16; i++) {
    const region = slab.next();
    let n: number;
    try {
      n = readSync(fd, region, 0, region.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? 'ok' : (err as Error);
    }
    if (n === 0) return 'eof';
    chunk(slab.take(region, n));
    if (n < region.length) return 'ok';
  }
  return 'ok';
}
