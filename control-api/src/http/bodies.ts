/**
 * Request bodies and query strings of the routes that protocol/src/schemas/http.ts does not
 * cover yet (users, PTZ, out-of-service, password change). TypeBox, strict: unknown keys are a
 * 400 naming the key. Candidates to move into protocol (lead's call).
 */
import { ALARM_STATES, ID_PATTERN, PresetToken, Role } from '@gwanje/protocol';
import { Type } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

const SiteGrant = Type.Union([Type.Literal('*'), Type.String({ pattern: ID_PATTERN })]);
const Sites = Type.Array(SiteGrant, { minItems: 1, maxItems: 128, uniqueItems: true });
const Phone = Type.Union([Type.String({ pattern: '^\\+?[0-9][0-9 -]{5,19}$' }), Type.Null()]);
const Lang = Type.Union([Type.Literal('ko'), Type.Literal('en')]);
const Password = Type.String({ minLength: 1, maxLength: 256 });

export const UserCreateBody = Type.Object(
  {
    username: Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' }),
    password: Password,
    role: Role,
    sites: Sites,
    phone: Type.Optional(Phone),
    lang: Type.Optional(Lang),
  },
  strict,
);

export const UserPatchBody = Type.Object(
  {
    password: Type.Optional(Password),
    role: Type.Optional(Role),
    sites: Type.Optional(Sites),
    phone: Type.Optional(Phone),
    lang: Type.Optional(Lang),
  },
  { ...strict, minProperties: 1 },
);

export const PasswordChangeBody = Type.Object({ current: Password, password: Password }, strict);

/** ISA-18.2 removal from service is a deliberate act with a recorded reason. */
export const OutOfServiceBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, strict);

const Axis = Type.Number({ minimum: -1, maximum: 1 });
/** ONVIF PTZ ContinuousMove velocities are normalised to [-1, 1]; Stop; GotoPreset by token. */
export const PtzBody = Type.Object(
  {
    action: Type.Union([Type.Literal('move'), Type.Literal('stop'), Type.Literal('preset')]),
    pan: Type.Optional(Axis),
    tilt: Type.Optional(Axis),
    zoom: Type.Optional(Axis),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 10_000 })),
    preset: Type.Optional(PresetToken),
    /** With action preset: list the camera's presets instead of going to one (issue 20, console tiles). */
    list: Type.Optional(Type.Boolean()),
  },
  strict,
);

export const ALARM_STATE_SET: ReadonlySet<string> = new Set(ALARM_STATES);
