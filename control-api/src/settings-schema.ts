/**
 * The center's GWANJE_* environment as one TypeBox schema (HOUSE_STYLE "Configuration is a schema
 * that rejects unknown keys and reports every error as `path: message`"; Zigbee2MQTT
 * settings.schema.json). Each variable: its type and range, its default, what it is for, and the
 * message an operator reads when it is wrong (`expect`). The same JSON Schema can drive a form or a
 * docs table (`CENTER_ENV.properties`). settings.ts turns the validated values into `Settings`.
 *
 * Unknown GWANJE_* names are warnings, not errors: the same environment often carries the
 * variables of the other Gwanje processes (edge agent, compose file, tests; OTHER_GWANJE below),
 * and refusing to start over a stray export would take a control room down for a typo elsewhere.
 * A name that is none of them is printed at start with the nearest setting (GWANJE_MQTT_PRT ->
 * did you mean GWANJE_MQTT_PORT?).
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';

const int = (def: number, min: number, max: number, description: string) =>
  Type.Integer({
    default: def,
    minimum: min,
    maximum: max,
    description,
    expect: `must be an integer from ${min} to ${max}`,
  });
const url = (schemes: string[], description: string) =>
  Type.String({
    pattern: `^(${schemes.join('|')})://[^\\s]+$`,
    description,
    expect: `must be a URL with scheme ${schemes.map((s) => `${s}:`).join(', ')}`,
  });
const oneOf = <T extends string>(values: readonly T[], def: T, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    {
      default: def,
      description,
      expect: `must be ${values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`}`,
    },
  );
const text = (description: string, minLength = 1) =>
  Type.String({ minLength, description, expect: `must be at least ${minLength} characters` });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MQTT_SCHEMES = ['mqtt', 'mqtts', 'tcp', 'ws', 'wss'];

export const CENTER_ENV = Type.Object(
  {
    GWANJE_HTTP_PORT: Type.Optional(int(8080, 0, 65535, 'the one HTTP port: console, API, Socket.IO, video')),
    GWANJE_HOST: Type.Optional(text('address the HTTP server and the embedded broker bind to')),
    GWANJE_PUBLIC_URL: Type.Optional(url(['http', 'https'], 'URL operators open; agents push video to it')),
    GWANJE_MQTT_URL: Type.Optional(url(MQTT_SCHEMES, 'external broker; unset runs the embedded one')),
    GWANJE_MQTT_PORT: Type.Optional(int(1883, 0, 65535, 'port of the embedded broker')),
    GWANJE_MQTT_PUBLIC_URL: Type.Optional(url(MQTT_SCHEMES, 'broker URL handed to agents')),
    GWANJE_MQTT_ADMIN_URL: Type.Optional(url(['mqtt', 'mqtts', 'tcp'], "external Mosquitto's dynsec admin")),
    GWANJE_MQTT_CENTER_PASSWORD: Type.Optional(text("password of the center's own Mosquitto client")),
    GWANJE_INFLUX_URL: Type.Optional(url(['http', 'https'], 'InfluxDB 1.x; unset uses the embedded store')),
    GWANJE_DATABASE_URL: Type.Optional(url(['postgres', 'postgresql'], 'PostgreSQL; unset uses SQLite')),
    GWANJE_DATA_DIR: Type.Optional(text('SQLite, embedded time series, clips, keys')),
    GWANJE_ADMIN_PASSWORD: Type.Optional(text('initial admin password; generated when unset', 8)),
    GWANJE_JWT_SECRET: Type.Optional(text('token signing secret; generated when unset', 32)),
    GWANJE_SIMULATE: Type.Optional(int(31, 0, 10_000, 'simulated sites in npm start; 0 disables')),
    GWANJE_SIMULATE_INCIDENT_SEC: Type.Optional(
      int(600, 0, 86_400 * 30, 'seconds between simulated incidents (read by the simulator process)'),
    ),
    GWANJE_PREALARM_MAX: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100_000,
        description: 'most cameras held open for alarm pre-roll (default 3 with GWANJE_SIMULATE, else 1000)',
        expect: 'must be an integer from 0 to 100000',
      }),
    ),
    GWANJE_ML_SAMPLE_EVERY: Type.Optional(int(1, 0, 1_000_000, 'ML scores every Nth reading; 0 turns it off')),
    GWANJE_LOG_LEVEL: Type.Optional(oneOf(LOG_LEVELS, 'info', 'pino log level')),
    GWANJE_CPU_NICE: Type.Optional(
      int(0, -20, 19, "the center's CPU nice value, set at start (below 0 needs root or CAP_SYS_NICE); 0: unchanged"),
    ),
    GWANJE_SEED_FILE: Type.Optional(text('the province seed (sites)')),
    GWANJE_CONSOLE_DIR: Type.Optional(text('the built console')),
    GWANJE_TLS_CERT: Type.Optional(text('PEM certificate chain: HTTPS and MQTTS')),
    GWANJE_TLS_KEY: Type.Optional(text('PEM private key: HTTPS and MQTTS')),
    GWANJE_CONFIG_PUBLIC_KEY: Type.Optional(text('Ed25519 public key (PEM) device configs must verify against')),
    GWANJE_CONFIG_ALLOW_UNSIGNED: Type.Optional(oneOf(['0', '1'] as const, '0', 'accept unverified config pushes')),
    GWANJE_RTSP_CLIENT: Type.Optional(oneOf(['native', 'ffmpeg'] as const, 'native', 'how RTSP cameras are pulled')),
    GWANJE_CAMERA_KEY_FILE: Type.Optional(text("key sealing direct cameras' credentials (issue 20)")),
    GWANJE_FFMPEG: Type.Optional(text('the ffmpeg binary')),
    GWANJE_FIRE_DETECTOR: Type.Optional(oneOf(['on', 'off'] as const, 'on', 'video fire detection (issue 23)')),
    GWANJE_EVIDENCE_KEY: Type.Optional(text('PKCS#8 PEM of the Ed25519 key that signs evidence bundles')),
    GWANJE_CAP_SENDER: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9._@:/-]{1,128}$',
        description: 'CAP 1.2 <sender>; unset: gwanje@<host name>',
        expect: 'letters, digits and . _ @ : / - only (CAP 1.2: no spaces, commas, < or &)',
      }),
    ),
    GWANJE_FACE_MASK: Type.Optional(oneOf(['on', 'off'] as const, 'on', 'face masking of exported media')),
    GWANJE_TRUST_PROXY: Type.Optional(text('reverse proxies whose X-Forwarded-For names the client')),
    GWANJE_AGENT_MAX_SENSORS: Type.Optional(int(1000, 1, 1_000_000, 'sensors one agent may register')),
    GWANJE_AGENT_MAX_CAMERAS: Type.Optional(int(64, 1, 512, 'cameras one agent may register')),
    GWANJE_AGENT_EVENTS_PER_HOUR: Type.Optional(int(360, 1, 1_000_000, 'events one agent may report an hour')),
    GWANJE_AGENT_EVENTS_RETENTION_DAYS: Type.Optional(int(90, 1, 3650, 'days agent events are kept')),
    GWANJE_SMS_PROVIDERS: Type.Optional(
      Type.String({ description: 'SMS providers in failover order (kannel, smpp, twilio)' }),
    ),
    GWANJE_SMS_CALLBACK_KEY: Type.Optional(text('shared key in Kannel MO/DLR callback URLs', 16)),
    GWANJE_KANNEL_SENDSMS_URL: Type.Optional(url(['http', 'https'], "Kannel smsbox's sendsms URL")),
    GWANJE_KANNEL_USERNAME: Type.Optional(text('Kannel sendsms user')),
    GWANJE_KANNEL_PASSWORD: Type.Optional(text('Kannel sendsms password')),
    GWANJE_KANNEL_FROM: Type.Optional(text('Kannel sender')),
    GWANJE_SMPP_URL: Type.Optional(url(['smpp', 'ssmpp'], 'SMSC')),
    GWANJE_SMPP_SYSTEM_ID: Type.Optional(text('SMPP system_id')),
    GWANJE_SMPP_PASSWORD: Type.Optional(text('SMPP password')),
    GWANJE_SMPP_SOURCE: Type.Optional(text('SMPP source address')),
    GWANJE_TWILIO_ACCOUNT_SID: Type.Optional(text('Twilio account SID')),
    GWANJE_TWILIO_AUTH_TOKEN: Type.Optional(text('Twilio auth token')),
    GWANJE_TWILIO_FROM: Type.Optional(text('Twilio sender number')),
    GWANJE_TWILIO_BASE_URL: Type.Optional(url(['http', 'https'], 'Twilio API base (a test server)')),
    GWANJE_REDIS_URL: Type.Optional(
      url(['redis', 'rediss'], 'Redis for Socket.IO across instances (issue 19); unset: this instance only'),
    ),
    GWANJE_CENTER_URLS: Type.Optional(
      Type.String({
        pattern: '^\\s*https?://[^\\s,]+(\\s*,\\s*https?://[^\\s,]+)*\\s*$',
        description: 'every center instance (issue 19): consoles move to another when theirs stops answering',
        expect: 'must be a comma-separated list of http:// or https:// URLs',
      }),
    ),
    GWANJE_LIVE_RECOVERY_SEC: Type.Optional(
      int(120, 5, 3600, 'how long a console may be away and still get every missed live event (issue 19)'),
    ),
  },
  { additionalProperties: false },
);

export type CenterEnv = {
  [K in keyof (typeof CENTER_ENV)['properties']]?: (typeof CENTER_ENV)['properties'][K] extends { default: infer D }
    ? D
    : string;
};

/**
 * GWANJE_* variables other Gwanje processes read (edge agent, compose file, scripts, tests): not
 * the center's, not a typo either.
 */
export const OTHER_GWANJE = new Set([
  'GWANJE_PUBLIC_HOST',
  'GWANJE_TLS_DIR',
  'GWANJE_POSTGRES_PASSWORD',
  'GWANJE_MQTT_ADMIN_PASSWORD',
  'GWANJE_HTTPS_PORT',
  'GWANJE_MQTTS_PORT',
  'GWANJE_SIM_SITE',
  'GWANJE_SIM_AGENT',
  'GWANJE_SIM_FIELD_URL',
  'GWANJE_EDGE_HEALTH_PORT',
  'GWANJE_EDGE_BUNDLE_DIR',
  'GWANJE_EDGE_CONFIG',
  'GWANJE_EDGE_MEMLOG',
  'GWANJE_EDGE_NO_BUILD',
  'GWANJE_FIELD_URL',
  'GWANJE_SITE_ID',
  'GWANJE_AGENT_ID',
  'GWANJE_CENTER_URL',
  'GWANJE_CA_FILE',
  'GWANJE_TOKEN',
  'GWANJE_CONSOLE_URL',
  'GWANJE_CONSOLE_USER',
  'GWANJE_CONSOLE_PASSWORD',
  'GWANJE_CONSOLE_MQTT_URL',
  'GWANJE_RTSP_LAUNCH',
  'GWANJE_TEST_PG',
  'GWANJE_TEST_LOG',
  'GWANJE_TEST_CONCURRENCY',
  'GWANJE_E2E_SIMULATE',
]);

// Environment values are strings: Ajv coerces "8080" to 8080 and fills the defaults.
const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: true, useDefaults: true });
const validate = ajv.compile(CENTER_ENV);

const props = CENTER_ENV.properties as Record<string, TSchema & { expect?: string }>;

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** `GWANJE_X: not a center setting (did you mean GWANJE_Y?)` for each unknown GWANJE_* name. */
export function unknownVariables(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith('GWANJE_') || name in props || OTHER_GWANJE.has(name)) continue;
    const near = Object.keys(props)
      .map((k) => [k, distance(name, k)] as const)
      .sort((x, y) => x[1] - y[1])[0];
    // Close enough for a typo: a third of the part after GWANJE_ (GWANJE_FOO is nobody's typo).
    const hint = near && near[1] <= Math.max(1, Math.floor((name.length - 7) / 3)) ? ` (did you mean ${near[0]}?)` : '';
    out.push(`${name}: not a setting of the center, ignored${hint}`);
  }
  return out;
}

function message(e: ErrorObject, raw: string | undefined): string {
  const name = e.instancePath.replace(/^\//, '');
  const expect = props[name]?.expect ?? e.message ?? 'is invalid';
  return `${name}: ${expect}, got "${raw ?? ''}"`;
}

/**
 * The center's variables from `env` (trimmed; empty counts as unset), coerced and defaulted, and
 * every error as `VARIABLE: message`.
 */
export function readCenterEnv(env: NodeJS.ProcessEnv): { values: CenterEnv; errors: string[] } {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(props)) {
    const v = env[name]?.trim();
    if (v !== undefined && v !== '') raw[name] = v;
  }
  const values: Record<string, unknown> = { ...raw };
  if (validate(values)) return { values: values as CenterEnv, errors: [] };
  const seen = new Set<string>();
  const errors: string[] = [];
  for (const e of validate.errors ?? []) {
    const name = e.instancePath.replace(/^\//, '');
    if (seen.has(name)) continue; // a union reports each branch: one line per variable
    seen.add(name);
    errors.push(message(e, raw[name]));
  }
  return { values: values as CenterEnv, errors };
}
