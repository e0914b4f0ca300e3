/**
 * Site plans, device positions (migration 0012-site-plans), SOP checklists (0018-sop-checklists)
 * and each site's camera link radius (0020-site-link-radius) on the shared database, SQLite or
 * PostgreSQL.
 */
import type { CameraPosition, PlanPosition, SitePlanInfo, SopChecklist } from '@gwanje/protocol';
import { SopStep } from '@gwanje/protocol';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { StoredJson } from '../store/stored-json.js';
import type { PlanImage } from './image.js';

interface PlanTables {
  site_plans: {
    site_id: string;
    mime: string;
    width: number;
    height: number;
    sha256: string;
    image: Buffer;
    updated_at: number;
    updated_by: string;
  };
  device_positions: {
    kind: 'sensor' | 'camera';
    device_id: string;
    site_id: string;
    x: number;
    y: number;
    direction: number | null;
    fov: number | null;
    range: number | null;
    /** A sensor's zone on the plan (0020), null when none. */
    zone: string | null;
    updated_at: number;
    updated_by: string;
  };
  sop_checklists: { site_id: string; alarm_type: string; steps: string; updated_at: number; updated_by: string };
  site_link_settings: { site_id: string; link_radius: number; updated_at: number; updated_by: string };
}

export type { PlanTables };
export type DeviceKind = 'sensor' | 'camera';

/** Province-wide checklist rows use this site id. */
export const ALL_SITES = '*';

const num = (v: number | string | null): number | undefined => (v === null ? undefined : Number(v));

/** A stored position: a camera's with what it sees, a sensor's with its zone. */
export type DevicePosition = CameraPosition & Pick<PlanPosition, 'zone'>;

function toPosition(r: PlanTables['device_positions']): DevicePosition {
  const p: DevicePosition = { x: Number(r.x), y: Number(r.y) };
  if (r.kind !== 'camera') {
    if (r.zone) p.zone = r.zone;
    return p;
  }
  const [direction, fov, range] = [num(r.direction), num(r.fov), num(r.range)];
  if (direction !== undefined) p.direction = direction;
  if (fov !== undefined) p.fov = fov;
  if (range !== undefined) p.range = range;
  return p;
}

const SopSteps = Type.Array(SopStep);

export class PlanStore {
  constructor(
    private readonly db: Kysely<PlanTables>,
    private readonly json: StoredJson,
  ) {}

  /** A checklist's stored steps; a corrupt value reads as no steps (logged and counted by the decoder). */
  private steps(siteId: string, alarmType: string, raw: string): SopStep[] {
    const at = { table: 'sop_checklists', column: 'steps', key: `${siteId}/${alarmType}` };
    return this.json.decode(SopSteps, raw, at) ?? [];
  }

  async info(siteId: string): Promise<SitePlanInfo | undefined> {
    const r = await this.db
      .selectFrom('site_plans')
      .select(['site_id', 'mime', 'width', 'height', 'sha256', 'updated_at', 'updated_by'])
      .select((eb) => eb.fn<number>('length', ['image']).as('bytes'))
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      siteId: r.site_id,
      mime: r.mime as SitePlanInfo['mime'],
      width: Number(r.width),
      height: Number(r.height),
      bytes: Number(r.bytes),
      sha256: r.sha256,
      updatedAt: Number(r.updated_at),
      updatedBy: r.updated_by,
    };
  }

  async image(siteId: string): Promise<{ mime: string; sha256: string; image: Buffer } | undefined> {
    const r = await this.db
      .selectFrom('site_plans')
      .select(['mime', 'sha256', 'image'])
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return r && { mime: r.mime, sha256: r.sha256, image: Buffer.from(r.image) };
  }

  async putPlan(siteId: string, p: PlanImage, sha256: string, by: string, now: number): Promise<void> {
    const row = {
      site_id: siteId,
      mime: p.mime,
      width: p.width,
      height: p.height,
      sha256,
      image: p.bytes,
      updated_at: now,
      updated_by: by,
    };
    const { site_id, ...rest } = row;
    await this.db
      .insertInto('site_plans')
      .values(row)
      .onConflict((oc) => oc.column('site_id').doUpdateSet(rest))
      .execute();
  }

  async deletePlan(siteId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('site_plans').where('site_id', '=', siteId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Every placed device of the site. */
  async positions(
    siteId: string,
  ): Promise<{ sensors: Map<string, PlanPosition>; cameras: Map<string, CameraPosition> }> {
    const rows = await this.db.selectFrom('device_positions').selectAll().where('site_id', '=', siteId).execute();
    const sensors = new Map<string, PlanPosition>();
    const cameras = new Map<string, CameraPosition>();
    for (const r of rows) (r.kind === 'sensor' ? sensors : cameras).set(r.device_id, toPosition(r));
    return { sensors, cameras };
  }

  /** Positions of the given devices, whatever their site (list routes). */
  async positionsOf(kind: DeviceKind, ids: string[]): Promise<Map<string, DevicePosition>> {
    const out = new Map<string, DevicePosition>();
    if (ids.length === 0) return out;
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('device_positions')
        .selectAll()
        .where('kind', '=', kind)
        .where('device_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(r.device_id, toPosition(r));
    }
    return out;
  }

  async setPosition(
    kind: DeviceKind,
    deviceId: string,
    siteId: string,
    p: DevicePosition,
    by: string,
    now: number,
  ): Promise<void> {
    const row = {
      kind,
      device_id: deviceId,
      site_id: siteId,
      x: p.x,
      y: p.y,
      direction: p.direction ?? null,
      fov: p.fov ?? null,
      range: p.range ?? null,
      zone: kind === 'sensor' ? (p.zone ?? null) : null,
      updated_at: now,
      updated_by: by,
    };
    const { kind: _k, device_id: _d, ...rest } = row;
    await this.db
      .insertInto('device_positions')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'device_id']).doUpdateSet(rest))
      .execute();
  }

  async deletePosition(kind: DeviceKind, deviceId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('device_positions')
      .where('kind', '=', kind)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The site's own link radius (plan widths), undefined when it uses the center's default. */
  async linkRadius(siteId: string): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('site_link_settings')
      .select('link_radius')
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    return r ? Number(r.link_radius) : undefined;
  }

  /** Sets the site's link radius; null returns it to the default. */
  async setLinkRadius(siteId: string, radius: number | null, by: string, now: number): Promise<void> {
    if (radius === null) {
      await this.db.deleteFrom('site_link_settings').where('site_id', '=', siteId).execute();
      return;
    }
    const row = { site_id: siteId, link_radius: radius, updated_at: now, updated_by: by };
    await this.db
      .insertInto('site_link_settings')
      .values(row)
      .onConflict((oc) => oc.column('site_id').doUpdateSet({ link_radius: radius, updated_at: now, updated_by: by }))
      .execute();
  }

  // SOP checklists -----------------------------------------------------------------------------

  async sops(siteIds: string[] | '*'): Promise<SopChecklist[]> {
    let q = this.db.selectFrom('sop_checklists').selectAll().orderBy('alarm_type').orderBy('site_id');
    if (siteIds !== '*') q = q.where('site_id', 'in', [ALL_SITES, ...siteIds]);
    return (await q.execute()).map((r) => ({
      siteId: r.site_id === ALL_SITES ? null : r.site_id,
      alarmType: r.alarm_type,
      steps: this.steps(r.site_id, r.alarm_type, r.steps),
      updatedAt: Number(r.updated_at),
      updatedBy: r.updated_by,
    }));
  }

  /** The checklist for an alarm: the site's own, else the province-wide one. */
  async sopFor(siteId: string, alarmType: string): Promise<{ source: 'site' | 'all'; steps: SopStep[] } | undefined> {
    const rows = await this.db
      .selectFrom('sop_checklists')
      .select(['site_id', 'steps'])
      .where('alarm_type', '=', alarmType)
      .where('site_id', 'in', [siteId, ALL_SITES])
      .execute();
    const own = rows.find((r) => r.site_id === siteId) ?? rows.find((r) => r.site_id === ALL_SITES);
    if (!own) return undefined;
    return { source: own.site_id === ALL_SITES ? 'all' : 'site', steps: this.steps(own.site_id, alarmType, own.steps) };
  }

  /** Stores a checklist; no steps removes it. */
  async putSop(siteId: string | null, alarmType: string, steps: SopStep[], by: string, now: number): Promise<void> {
    const site = siteId ?? ALL_SITES;
    if (steps.length === 0) {
      await this.db
        .deleteFrom('sop_checklists')
        .where('site_id', '=', site)
        .where('alarm_type', '=', alarmType)
        .execute();
      return;
    }
    const row = { site_id: site, alarm_type: alarmType, steps: JSON.stringify(steps), updated_at: now, updated_by: by };
    await this.db
      .insertInto('sop_checklists')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['site_id', 'alarm_type']).doUpdateSet({ steps: row.steps, updated_at: now, updated_by: by }),
      )
      .execute();
  }
}
