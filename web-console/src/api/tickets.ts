/**
 * Media tickets (CONTRACT `POST /api/v1/video/tickets`, security review F6): what the console puts
 * in a video, snapshot or clip URL instead of its API token. A ticket opens one camera (or one
 * clip) for 60 s; a stream opened with it lives as long as the session. Camera tickets are reused
 * while they have a margin left, so a snapshot refreshed every 2 s does not ask each time.
 */

import type { VideoTicket } from '@gwanje/protocol/schemas/http.js';
import { onCenter, onCenterSocket } from './center.js';
import { mutate } from './http.js';

type Ticket = VideoTicket;

/** A ticket with less than this left is not handed out again (a reconnect may take a while). */
const MARGIN_MS = 15_000;
const cameras = new Map<string, Ticket>();

export async function cameraTicket(cameraId: string): Promise<string> {
  const held = cameras.get(cameraId);
  if (held && held.expiresAt - Date.now() > MARGIN_MS) return held.ticket;
  const t = await mutate('POST /video/tickets', { body: { cameraId } });
  cameras.set(cameraId, t);
  return t.ticket;
}

/** `/video/{cameraId}` (ws) or its snapshot (http) with a fresh-enough ticket. */
export async function cameraUrl(cameraId: string, kind: 'live' | 'mpeg1' | 'snapshot'): Promise<string> {
  const ticket = encodeURIComponent(await cameraTicket(cameraId));
  const path = `/video/${encodeURIComponent(cameraId)}`;
  // On the center the console talks to now (issue 19: it may have moved to another instance).
  if (kind === 'snapshot') return onCenter(`${path}/snapshot.jpg?ticket=${ticket}`);
  return onCenterSocket(`${path}?ticket=${ticket}${kind === 'mpeg1' ? '&format=mpeg1' : ''}`);
}

/** The clip's file URL with a ticket for that clip alone (valid 60 s: open it at once). */
export async function clipUrl(alarmId: string, clipId: string): Promise<string> {
  const t = await mutate('POST /video/tickets', { body: { alarmId, clipId } });
  if (!t.url) throw new Error('tickets: the center gave no clip URL');
  return new URL(t.url.startsWith('/') ? onCenter(t.url) : t.url, location.href).href;
}

/** Forget every ticket (logout). */
export function clearTickets(): void {
  cameras.clear();
}
