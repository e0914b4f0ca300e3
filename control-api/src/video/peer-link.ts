/**
 * Video across center instances (issue 19): one upstream per camera in the whole cluster. The
 * instance that owns a camera's site (cluster/ownership.ts) is the only one that asks the agent to
 * push (its own public URL in `stream.start`), pulls a direct camera, or accepts a push. Any other
 * instance with viewers of that camera opens one WebSocket to the owner's `/video/{cameraId}`
 * with a peer ticket (auth/peer-tickets.ts) and feeds the MPEG-TS it gets into its own relay, which
 * serves its viewers, snapshots and GOP cache as if the camera pushed to it. When the owner dies
 * the link closes, the relay's watchdog asks for the upstream again and the new owner is used.
 */
import WebSocket from 'ws';
import type { Ownership } from '../cluster/ownership.js';
import type { Logger } from '../logger.js';

export interface PeerVideoDeps {
  log: Logger;
  ownership: Pick<Ownership, 'clustered' | 'instanceId' | 'isMine' | 'ownerOf'>;
  /** A peer ticket naming this instance and the camera (AuthService.mintPeerTicket). */
  mintTicket(instanceId: string, cameraId: string): Promise<string>;
  /** The asking instance of a peer ticket, or throws (AuthService.verifyPeerTicket). */
  verifyTicket(ticket: string, cameraId: string): Promise<string>;
  /** Hands the owner's bytes to this instance's relay (VideoGateway.feedUpstream). */
  feed(cameraId: string, chunk: Buffer): boolean;
}

/** Audit name of a peer link: the instance and the camera (a per-camera name keeps per-user viewer caps for people). */
export const peerViewer = (instanceId: string, cameraId: string): string => `center:${instanceId}#${cameraId}`;
export const isPeerViewer = (user: string): boolean => user.startsWith('center:');

export class PeerVideoLinks {
  private readonly links = new Map<string, WebSocket>();

  constructor(private readonly d: PeerVideoDeps) {}

  /** Whether this instance relays the camera's own upstream (always so for a lone instance). */
  owns(siteId: string): boolean {
    return !this.d.ownership.clustered || this.d.ownership.isMine(siteId);
  }

  /** Opens (or re-opens) the link to the owner of `siteId` for one camera. */
  async open(cameraId: string, siteId: string): Promise<void> {
    const owner = this.d.ownership.ownerOf(siteId);
    if (!owner) throw new Error(`video: site ${siteId} has no owner yet; camera ${cameraId} retried`);
    if (owner.instanceId === this.d.ownership.instanceId) throw new Error(`video: site ${siteId} is ours now`);
    const ticket = await this.d.mintTicket(this.d.ownership.instanceId, cameraId);
    this.close(cameraId);
    const url = new URL(`/video/${encodeURIComponent(cameraId)}`, owner.publicUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('ticket', ticket);
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 5000 });
    this.links.set(cameraId, ws);
    const log = this.d.log.child({ cameraId, owner: owner.instanceId });
    ws.on('open', () => log.info('video: peer link to the owning instance open'));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary && this.links.get(cameraId) === ws) this.d.feed(cameraId, data);
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'video: peer link failed'));
    ws.on('close', (code) => {
      // The relay's watchdog notices the silence and asks for the upstream again (new owner included).
      if (this.links.get(cameraId) === ws) this.links.delete(cameraId);
      log.info({ code }, 'video: peer link closed');
    });
  }

  /** Closes the camera's link; false when it had none. */
  close(cameraId: string): boolean {
    const ws = this.links.get(cameraId);
    if (!ws) return false;
    this.links.delete(cameraId);
    ws.terminate();
    return true;
  }

  closeAll(): void {
    for (const id of [...this.links.keys()]) this.close(id);
  }

  /** Cameras this instance takes from another instance now. */
  get cameras(): string[] {
    return [...this.links.keys()];
  }

  /**
   * A viewer presenting a peer ticket: admitted (under its audit name) only where this instance
   * owns the site, so a link never chains through a second relay nor loops between two instances.
   */
  async admit(ticket: string, cameraId: string, siteId: string | undefined): Promise<string | null> {
    if (!this.d.ownership.clustered || siteId === undefined || !this.d.ownership.isMine(siteId)) return null;
    try {
      return peerViewer(await this.d.verifyTicket(ticket, cameraId), cameraId);
    } catch {
      return null;
    }
  }
}
