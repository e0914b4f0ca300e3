/** TypeBox schemas for escalation policies and rosters: the API validates bodies with them. */
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
    utcOffsetMin: Type.Integer({ minimum: -720, maximum: 840 }),
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
