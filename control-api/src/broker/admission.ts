/**
 * Which new broker connections are let in (security review F3): a global cap on open
 * connections, and caps on connections that have not logged in yet, in total and per source
 * address, so unauthenticated clients cannot hold more than a bounded share of the process.
 * A connection stops counting as pending once its CONNECT is authenticated (a site's agents
 * behind one NAT address are not limited once logged in). Pure counters, no sockets.
 */

export interface AdmissionLimits {
  /** Open connections, logged in or not (Mosquitto's `max_connections`). */
  maxConnections: number;
  /** Connections not yet authenticated, all addresses together. */
  maxPending: number;
  /** Connections not yet authenticated from one address. */
  maxPendingPerAddress: number;
}

export type AdmissionRefusal = 'too-many-connections' | 'too-many-pending' | 'too-many-pending-from-address';

export class ConnectionAdmission {
  private open = 0;
  private pending = 0;
  private readonly pendingByAddress = new Map<string, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  /** Counts a new connection in (as pending), or says why it is refused. */
  admit(address: string): AdmissionRefusal | undefined {
    if (this.open >= this.limits.maxConnections) return 'too-many-connections';
    if (this.pending >= this.limits.maxPending) return 'too-many-pending';
    const mine = this.pendingByAddress.get(address) ?? 0;
    if (mine >= this.limits.maxPendingPerAddress) return 'too-many-pending-from-address';
    this.open++;
    this.pending++;
    this.pendingByAddress.set(address, mine + 1);
    return undefined;
  }

  /** The connection's CONNECT was authenticated: it no longer counts as pending. */
  authenticated(address: string): void {
    this.unpend(address);
  }

  /** An admitted connection closed; `pending` when it never logged in. */
  closed(address: string, pending: boolean): void {
    this.open = Math.max(0, this.open - 1);
    if (pending) this.unpend(address);
  }

  get counts(): { open: number; pending: number } {
    return { open: this.open, pending: this.pending };
  }

  private unpend(address: string): void {
    this.pending = Math.max(0, this.pending - 1);
    const left = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (left <= 0) this.pendingByAddress.delete(address);
    else this.pendingByAddress.set(address, left);
  }
}
