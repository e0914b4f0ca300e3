/**
 * Escalation policies and rosters (issue 8): the API validates `PUT /escalation/{policies,rosters}`
 * with these schemas and the console generates its forms from the very same definitions (issue 21),
 * so a field the API refuses is the field the form marks. Also the supervisor screens' response
 * shapes (shift occurrences, the SMS log, KPIs, config drift), typed from one place.
 */
import { type Static, Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' });
const Sites = Type.Union([Type.Literal('*'), Type.Array(Id, { maxItems: 64 })]);

export const RecipientSchema = Type.Union([
  Type.Object({ roster: Id, role: Type.String({ minLength: 1, maxLength: 64 }) }, strict),
  Type.Object({ roster: Id, contact: Id }, strict),
]);

export const TierSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    delaySec: Type.Integer({ minimum: 0, maximum: 86_400 }),
    recipients: Type.Array(RecipientSchema, { maxItems: 32 }),
    repeat: Type.Optional(
      Type.Object(
        { everySec: Type.Integer({ minimum: 30, maximum: 86_400 }), times: Type.Integer({ minimum: 0, maximum: 20 }) },
        strict,
      ),
    ),
    stopOn: Type.Optional(Type.Array(Type.Union([Type.Literal('ack'), Type.Literal('clear')]), { maxItems: 2 })),
  },
  strict,
);

export const PolicySchema = Type.Object(
  {
    id: Id,
    siteIds: Sites,
    priorities: Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { minItems: 1, maxItems: 4 }),
    types: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 32 })),
    tiers: Type.Array(TierSchema, { minItems: 1, maxItems: 10 }),
    /** An unacknowledged alarm confirmed on camera: bring its next step forward (default) or keep the plan. */
    onCameraConfirmed: Type.Optional(Type.Union([Type.Literal('advance'), Type.Literal('keep')])),
  },
  strict,
);
export const PoliciesBody = Type.Array(PolicySchema, { maxItems: 200 });

const LocalTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$' });

export const ContactSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    phone: Type.String({ pattern: '^\\+?[0-9 -]{6,20}$' }),
    lang: Type.Union([Type.Literal('ko'), Type.Literal('en')]),
    username: Type.Optional(Type.String({ maxLength: 64 })),
  },
  strict,
);

export const RosterSchema = Type.Object(
  {
    id: Id,
    siteIds: Sites,
    // The default only seeds a new roster in the console's form (Korea: UTC+9); the API requires the key.
    utcOffsetMin: Type.Integer({ minimum: -720, maximum: 840, default: 540 }),
    contacts: Type.Array(ContactSchema, { maxItems: 500 }),
    shifts: Type.Array(
      Type.Object(
        {
          role: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.Optional(Type.String({ maxLength: 64 })),
          start: LocalTime,
          rrule: Type.String({ minLength: 5, maxLength: 200, pattern: '^FREQ=' }),
          durationMin: Type.Integer({ minimum: 1, maximum: 10_080 }),
          rotation: Type.Array(Id, { minItems: 1, maxItems: 100 }),
          rotateEveryDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
        },
        strict,
      ),
      { maxItems: 100 },
    ),
    holidays: Type.Array(
      Type.Object(
        {
          date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
          name: Type.Optional(Type.String({ maxLength: 100 })),
          role: Type.Optional(Type.String({ maxLength: 64 })),
          contacts: Type.Array(Id, { maxItems: 50 }),
        },
        strict,
      ),
      { maxItems: 400 },
    ),
    overrides: Type.Array(
      Type.Object(
        {
          role: Type.String({ minLength: 1, maxLength: 64 }),
          contact: Id,
          from: Type.Integer({ minimum: 0 }),
          to: Type.Integer({ minimum: 0 }),
          reason: Type.Optional(Type.String({ maxLength: 500 })),
        },
        strict,
      ),
      { maxItems: 500 },
    ),
  },
  strict,
);
export const RostersBody = Type.Array(RosterSchema, { maxItems: 100 });
export type RosterDoc = Static<typeof RosterSchema>;
export type PolicyDoc = Static<typeof PolicySchema>;

/** `GET /api/v1/escalation/shifts`: one occurrence of a roster shift, with who takes it. */
export interface ShiftOccurrence {
  rosterId: string;
  siteIds: string[] | '*';
  role: string;
  name?: string;
  /** Epoch ms (UTC). */
  start: number;
  end: number;
  contacts: { id: string; name: string }[];
}

/** `GET /api/v1/notifications` and `GET /api/v1/alarms/{id}/notifications` items (the SMS log). */
export interface NotificationView {
  id: string;
  alarmId: string;
  siteId: string;
  tier: number;
  contactId: string;
  contactName: string;
  /** Masked below a roster manager of every site of the row. */
  phone: string;
  status: string;
  provider: string | null;
  kind: string | null;
  attempts: number;
  dueAt: number;
  submittedAt: number | null;
  deliveredAt: number | null;
  failedAt: number | null;
  error: string | null;
}

/** EEMUA 191 figures of one scope (`GET /api/v1/kpis`). */
export interface KpiFigures {
  activations: number;
  alarmsPer10Min: { average: number; peak: number; peakAt?: number };
  percentTimeInFlood: number;
  standing: { count: number; alarmIds: string[] };
  byPriority: Record<'1' | '2' | '3' | '4', number>;
}

export interface KpiChatter {
  siteId: string;
  sourceId: string;
  type: string;
  activations: number;
  episodes: number;
}

export interface KpiResponse extends KpiFigures {
  from: number;
  to: number;
  topChattering: KpiChatter[];
  /** Activations per 10-minute bucket from `from` (the chart's series). */
  series: { bucketMs: number; counts: number[] };
  /** The same figures for each site in scope (issue 21), busiest first. */
  sites: (KpiFigures & { siteId: string })[];
}

/** `GET /api/v1/agents/{id}/config`: desired vs reported config, with the documents when known. */
export interface AgentConfigDetail {
  agentId: string;
  siteId: string;
  desired: string | null;
  applied: string | null;
  outcome: string | null;
  error?: string;
  drift: boolean;
  /** The pushed documents, secrets masked; null when this center never pushed that version. */
  desiredDocument: unknown;
  appliedDocument: unknown;
  pushes: { version: string; keyId: string; pushedAt: number; pushedBy: string }[];
}
