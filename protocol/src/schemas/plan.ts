/**
 * Issue 21 (site plans and SOPs): the shapes of the site-plan and SOP-checklist routes, shared by
 * the center and the console.
 *
 * Positions are on the site plan as fractions of its width (`x`) and height (`y`), origin top
 * left, so replacing the plan by a sharper image of the same drawing keeps every device in place.
 * A camera's field of view: `direction` in degrees clockwise from plan-up (0 up, 90 right),
 * `fov` the opening angle in degrees, `range` how far it sees as a fraction of the plan's width.
 */
import { type Static, Type } from '@sinclair/typebox';
import { CameraId, EpochMs, SensorId, SiteId } from './common.js';

const strict = { additionalProperties: false } as const;
const Fraction = Type.Number({ minimum: 0, maximum: 1 });

/**
 * CONTRACT `position` of a sensor on its site's plan; `zone` (issue 21, optional) names the area
 * it is in ("Boiler room"): a PTZ camera with a preset of that name is turned to it on its alarm.
 */
export const PlanPosition = Type.Object(
  { x: Fraction, y: Fraction, zone: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })) },
  strict,
);
export type PlanPosition = Static<typeof PlanPosition>;

/** A camera's position, optionally with what it sees. */
export const CameraPosition = Type.Object(
  {
    x: Fraction,
    y: Fraction,
    direction: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
    fov: Type.Optional(Type.Number({ minimum: 1, maximum: 360 })),
    range: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 2 })),
  },
  strict,
);
export type CameraPosition = Static<typeof CameraPosition>;

/** The plan image stored for a site (`GET /api/v1/sites/{siteId}/plan/info`). */
export const SitePlanInfo = Type.Object({
  siteId: SiteId,
  mime: Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg'), Type.Literal('image/svg+xml')]),
  width: Type.Integer({ minimum: 1 }),
  height: Type.Integer({ minimum: 1 }),
  bytes: Type.Integer({ minimum: 1 }),
  sha256: Type.String(),
  updatedAt: EpochMs,
  updatedBy: Type.String(),
});
export type SitePlanInfo = Static<typeof SitePlanInfo>;

/** `GET /api/v1/sites/{siteId}/layout`: the plan and every placed device of the site. */
export const SiteLayout = Type.Object({
  siteId: SiteId,
  plan: Type.Union([SitePlanInfo, Type.Null()]),
  /** Radius (fraction of plan width) within which a camera without a field of view is linked. */
  linkRadius: Type.Number(),
  /** Issue 21: the center's default radius; `linkRadius` differs when an admin set the site's own. */
  defaultLinkRadius: Type.Optional(Type.Number()),
  sensors: Type.Array(Type.Object({ sensorId: SensorId, position: PlanPosition })),
  cameras: Type.Array(Type.Object({ cameraId: CameraId, position: CameraPosition })),
});
export type SiteLayout = Static<typeof SiteLayout>;

/** Smallest and largest link radius an admin may set (plan widths). */
export const LINK_RADIUS_MIN = 0.01;
export const LINK_RADIUS_MAX = 2;

/** `PUT /api/v1/sites/{siteId}/link-radius` body: the site's radius, or null for the default. */
export const LinkRadiusBody = Type.Object(
  {
    linkRadius: Type.Union([Type.Number({ minimum: LINK_RADIUS_MIN, maximum: LINK_RADIUS_MAX }), Type.Null()]),
  },
  strict,
);
export type LinkRadiusBody = Static<typeof LinkRadiusBody>;

export const SOP_MAX_STEPS = 30;

export const SopStep = Type.Object(
  {
    /** Stable within the checklist: ticks in the journal name it. */
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
    text: Type.String({ minLength: 1, maxLength: 300 }),
  },
  strict,
);
export type SopStep = Static<typeof SopStep>;

/** `PUT /api/v1/sops` body: the checklist of one alarm type at one site (or every site: siteId null). */
export const SopChecklistBody = Type.Object(
  {
    siteId: Type.Union([SiteId, Type.Null()]),
    alarmType: Type.String({ pattern: '^[a-z][a-z0-9-]{0,40}$' }),
    steps: Type.Array(SopStep, { maxItems: SOP_MAX_STEPS }),
  },
  strict,
);
export type SopChecklistBody = Static<typeof SopChecklistBody>;

export const SopChecklist = Type.Object({
  siteId: Type.Union([SiteId, Type.Null()]),
  alarmType: Type.String(),
  steps: Type.Array(SopStep),
  updatedAt: EpochMs,
  updatedBy: Type.String(),
});
export type SopChecklist = Static<typeof SopChecklist>;

/** Who ticked (or unticked) a step and when, with the note they gave. */
const SopMark = Type.Object({ by: Type.String(), at: EpochMs, comment: Type.Optional(Type.String()) });

/** `GET /api/v1/alarms/{id}/sop`: the checklist that applies to the alarm, each step with its tick. */
export const AlarmSop = Type.Object({
  alarmId: Type.String(),
  /** 'site': the site's own checklist; 'all': the province-wide one; null: none configured. */
  source: Type.Union([Type.Literal('site'), Type.Literal('all'), Type.Null()]),
  steps: Type.Array(
    Type.Object({
      id: Type.String(),
      text: Type.String(),
      done: Type.Optional(SopMark),
      /** The step's last untick, while it stands unticked (it was ticked, then taken back). */
      undone: Type.Optional(SopMark),
    }),
  ),
});
export type AlarmSop = Static<typeof AlarmSop>;

/** `POST /api/v1/alarms/{id}/sop/{stepId}` body (and `DELETE`'s, the untick: why it is taken back). */
export const SopTickBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }, strict);
export type SopTickBody = Static<typeof SopTickBody>;

/** The journal action of a ticked SOP step; its `facts.step` names the step. */
export const SOP_JOURNAL_ACTION = 'sop-step';
/** The journal action of an unticked SOP step (a tick taken back); `facts.step` names the step. */
export const SOP_UNDO_JOURNAL_ACTION = 'sop-step-undone';
