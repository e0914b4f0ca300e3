/**
 * bench/video viewers: WebSocket clients of the relay (or the peer) that count bytes and, when
 * timed, stamp each frame's arrival, and the delivery-latency figures made from those stamps.
 */

import { TsSegmenter } from '@gwanje/media';
import { WebSocket } from 'ws';

/** CLOCK_MONOTONIC in ms, the clock gateway-server.ts stamps arrivals with. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export interface Viewer {
  ws: WebSocket;
  /** Wall clock when the viewer connected: frames the gateway had before are GOP-cache priming. */
  openedAt: number;
  bytes: number;
  samples: Array<[number, number]>;
}

export function openViewer(url: string, timed: boolean): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const v: Viewer = { ws, openedAt: now(), bytes: 0, samples: [] };
    const seg = timed ? new TsSegmenter() : undefined;
    ws.on('message', (d: Buffer) => {
      const at = now();
      v.bytes += d.length;
      if (seg)
        for (const s of seg.push(d)) for (const f of s.frames) if (f.pts !== undefined) v.samples.push([f.pts, at]);
    });
    ws.once('open', () => resolve(v));
    ws.once('error', reject);
  });
}

/** Delivery latency of the timed viewers' frames (GOP-cache replays to a new viewer left out). */
export function latencies(viewers: Viewer[], gatewayFrames: Map<number, number>): number[] {
  const lat: number[] = [];
  for (const v of viewers)
    for (const [pts, at] of v.samples) {
      const g = gatewayFrames.get(pts);
      if (g !== undefined && g >= v.openedAt) lat.push(at - g);
    }
  return lat.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50 and p99 of sorted latencies (ms). */
export const latencySummary = (lat: number[]) => ({
  p50: round(percentile(lat, 50), 2),
  p99: round(percentile(lat, 99), 2),
  samples: lat.length,
});
