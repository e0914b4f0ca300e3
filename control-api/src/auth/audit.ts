/**
 * The audit trail (issue 9 "Audit"): an append-only journal of who did what, when and from
 * where. Only `record` writes, and no code path updates or deletes a row. A failure to write is
 * logged loudly but never turns a completed action into an error response.
 */
import type { Logger } from 'pino';
import type { AuditFilter, AuditRow, AuditStore } from './ports.js';

export type AuditAction =
  | 'login.success'
  | 'login.failure'
  | 'login.locked'
  | 'login.blocked'
  | 'logout'
  | 'logout.all'
  | 'password.change'
  | 'password.failure'
  | 'password.blocked'
  | 'alarm.ack'
  | 'alarm.shelve'
  | 'alarm.unshelve'
  | 'alarm.reset'
  | 'alarm.comment'
  | 'alarm.out-of-service'
  | 'alarm.return-to-service'
  | 'camera.ptz'
  | 'camera.create'
  | 'camera.update'
  | 'camera.delete'
  | 'camera.import'
  | 'camera.fire-watch'
  | 'config.push'
  | 'rules.change'
  | 'sensor.confirm'
  | 'sensor.out-of-service'
  | 'sensor.return-to-service'
  | 'user.create'
  | 'user.update'
  | 'user.delete'
  | 'agent.provision'
  | 'agent.revoke'
  // Issue 18: the simulator beside the center spent its provisioning token, or was refused.
  | 'simulator.provision'
  | 'simulator.refused'
  // Security review F1, F8: explicit device ownership changes by an admin.
  | 'sensor.delete'
  | 'sensor.rehome'
  | 'camera.rehome'
  // Issue 21: site plans, device positions, SOP checklists and their ticks.
  | 'site.plan'
  | 'device.position'
  | 'sop.change'
  | 'alarm.sop-step'
  | 'alarm.sop-step-undone'
  | 'site.link-radius'
  | 'video.view'
  | 'video.view.end'
  // Issue 21: a shift report generated (it gathers personal data of the shift: names on duty).
  | 'report.shift'
  // Issue 21: what left the center (CSV exports, evidence bundles with or without masked faces, CAP).
  | 'export.readings'
  | 'export.alarms'
  | 'alarm.evidence'
  | 'alarm.cap';

export interface AuditEvent {
  actor: string;
  ip?: string | null;
  action: AuditAction;
  target?: string | null;
  /** Structured detail; stored as JSON, at most 4 kB. Never a password or token. */
  detail?: Record<string, unknown>;
  /** The site concerned; defaults to `detail.siteId` when that is a string (issue 21 site filter). */
  siteId?: string | null;
}

const MAX_DETAIL = 4096;

export class AuditLog {
  constructor(
    private readonly store: AuditStore,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  async record(ev: AuditEvent): Promise<void> {
    let detail: string | null = null;
    if (ev.detail) {
      detail = JSON.stringify(ev.detail);
      if (detail.length > MAX_DETAIL) detail = `${detail.slice(0, MAX_DETAIL - 1)}…`;
    }
    const row: AuditRow = {
      ts: this.now(),
      actor: ev.actor.slice(0, 128),
      ip: ev.ip ?? null,
      action: ev.action,
      target: ev.target ?? null,
      detail,
      siteId: ev.siteId ?? (typeof ev.detail?.siteId === 'string' ? ev.detail.siteId : null),
    };
    try {
      await this.store.append(row);
    } catch (err) {
      this.log.error({ err: (err as Error).message, action: ev.action, actor: row.actor }, 'audit: append failed');
    }
  }

  list(filter: AuditFilter): Promise<AuditRow[]> {
    return this.store.list({ ...filter, limit: Math.min(Math.max(filter.limit ?? 200, 1), 1000) });
  }
}
