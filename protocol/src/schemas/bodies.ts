/**
 * Request bodies of the API routes that the center validates and the console sends (issue 18:
 * the server validates with the very schema the client is typed by). TypeBox, strict: unknown
 * keys are a 400 naming the key. Moved here from control-api's http/bodies.ts, routes/sensors.ts
 * and fire/routes.ts.
 */
import { type Static, Type } from '@sinclair/typebox';
import { CameraId, ID_PATTERN, PresetToken } from './common.js';
import { Role } from './http.js';
import { RuleOverride, SensorRange } from './sensor-config.js';

const strict = { additionalProperties: false } as const;

const SiteGrant = Type.Union([Type.Literal('*'), Type.String({ pattern: ID_PATTERN })]);
const Sites = Type.Array(SiteGrant, { minItems: 1, maxItems: 128, uniqueItems: true });
const Phone = Type.Union([Type.String({ pattern: '^\\+?[0-9][0-9 -]{5,19}$' }), Type.Null()]);
const Lang = Type.Union([Type.Literal('ko'), Type.Literal('en')]);
const Password = Type.String({ minLength: 1, maxLength: 256 });

/** `POST /api/v1/users` (admin). */
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
export type UserCreateBody = Static<typeof UserCreateBody>;

/** `PATCH /api/v1/users/{username}` (admin): what is given changes. */
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
export type UserPatchBody = Static<typeof UserPatchBody>;

/** `POST /api/v1/me/password`: the caller's own password. */
export const PasswordChangeBody = Type.Object({ current: Password, password: Password }, strict);
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;

/** ISA-18.2 removal from service is a deliberate act with a recorded reason. */
export const OutOfServiceBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, strict);
export type OutOfServiceBody = Static<typeof OutOfServiceBody>;

const Axis = Type.Number({ minimum: -1, maximum: 1 });
/** `POST /api/v1/cameras/{id}/ptz`: ONVIF ContinuousMove velocities normalised to [-1, 1]; Stop; GotoPreset by token. */
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
export type PtzBody = Static<typeof PtzBody>;

/** `PATCH /api/v1/sensors/{id}` (issue 15): the admin's overrides, camera links and range. */
export const SensorPatchBody = Type.Object(
  {
    rules: Type.Optional(Type.Array(RuleOverride, { maxItems: 32 })),
    cameras: Type.Optional(
      Type.Array(Type.Object({ cameraId: CameraId, preset: Type.Optional(PresetToken) }, strict), {
        maxItems: 16,
      }),
    ),
    /** The measuring range, for a sensor whose agent reports none (a discovered one); null clears it. */
    range: Type.Optional(Type.Union([SensorRange, Type.Null()])),
  },
  { ...strict, minProperties: 1 },
);
export type SensorPatchBody = Static<typeof SensorPatchBody>;

/** `PUT /api/v1/cameras/{id}/fire-watch` (issue 23). */
export const FireWatchBody = Type.Object({ enabled: Type.Boolean() }, strict);
export type FireWatchBody = Static<typeof FireWatchBody>;
