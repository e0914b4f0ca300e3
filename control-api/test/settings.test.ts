/**
 * Settings and ports as an operator meets them: every bad GWANJE_* variable reported at once as
 * `VARIABLE: message`, and a taken port named by its variable (CONTRACT "Processes and settings").
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort } from '../../testkit/index.js';
import { listenOn } from '../src/listen.js';
import { loadSettings, SettingsError } from '../src/settings.js';

test('defaults make npm start work with no variables set', () => {
  const s = loadSettings({});
  assert.equal(s.httpPort, 8080);
  assert.equal(s.mqttPort, 1883);
  assert.equal(s.simulate, 31);
  assert.equal(s.mqttUrl, undefined);
  assert.equal(s.influxUrl, undefined);
  assert.equal(s.databaseUrl, undefined);
  assert.equal(s.publicUrl, 'http://localhost:8080');
  assert.equal(s.mqttPublicUrl, 'mqtt://127.0.0.1:1883');
  assert.match(s.dataDir, /\/data$/);
  assert.equal(s.rtspClient, 'native');
});

test('GWANJE_RTSP_CLIENT picks how RTSP cameras are pulled', () => {
  assert.equal(loadSettings({ GWANJE_RTSP_CLIENT: 'ffmpeg' }).rtspClient, 'ffmpeg');
  assert.throws(
    () => loadSettings({ GWANJE_RTSP_CLIENT: 'gstreamer' }),
    (e: SettingsError) => e.errors.some((x) => /^GWANJE_RTSP_CLIENT: must be native or ffmpeg/.test(x)),
  );
});

test('every bad variable is reported, each naming itself', () => {
  const err = (() => {
    try {
      loadSettings({
        GWANJE_HTTP_PORT: '80x',
        GWANJE_MQTT_PORT: '70000',
        GWANJE_DATABASE_URL: 'mysql://db',
        GWANJE_INFLUX_URL: 'not a url',
        GWANJE_SIMULATE: '-1',
        GWANJE_LOG_LEVEL: 'loud',
        GWANJE_ADMIN_PASSWORD: 'short',
      });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof SettingsError);
  assert.deepEqual(
    err.errors.map((e) => e.split(':')[0]),
    [
      'GWANJE_HTTP_PORT',
      'GWANJE_MQTT_PORT',
      'GWANJE_INFLUX_URL',
      'GWANJE_DATABASE_URL',
      'GWANJE_ADMIN_PASSWORD',
      'GWANJE_SIMULATE',
      'GWANJE_LOG_LEVEL',
    ],
  );
});

test('external services and the broker URL handed to agents', () => {
  const s = loadSettings({
    GWANJE_MQTT_URL: 'mqtt://center:secret@mosquitto:1883',
    GWANJE_DATABASE_URL: 'postgres://gwanje@db/gwanje',
    GWANJE_SIMULATE: '0',
  });
  assert.equal(s.simulate, 0);
  // Agents get the broker address without the center's own credentials.
  assert.equal(s.mqttPublicUrl, 'mqtt://mosquitto:1883');
});

test('a port already taken is a clear error naming the variable', async () => {
  const port = await freePort();
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
  const second = createServer();
  await assert.rejects(listenOn(second, port, '127.0.0.1', 'GWANJE_HTTP_PORT'), {
    message: `GWANJE_HTTP_PORT: port ${port} is already in use; set GWANJE_HTTP_PORT to a free port`,
  });
  await new Promise<void>((resolve) => holder.close(() => resolve()));
});

test('SMS providers come in the given order and each names its missing variables', () => {
  const s = loadSettings({
    GWANJE_SMS_PROVIDERS: 'twilio, kannel',
    GWANJE_KANNEL_SENDSMS_URL: 'http://kannel:13013/cgi-bin/sendsms',
    GWANJE_KANNEL_USERNAME: 'gwanje',
    GWANJE_KANNEL_PASSWORD: 'k-secret',
    GWANJE_SMS_CALLBACK_KEY: 'a-long-callback-key',
    GWANJE_TWILIO_ACCOUNT_SID: 'AC1',
    GWANJE_TWILIO_AUTH_TOKEN: 't-secret',
    GWANJE_TWILIO_FROM: '+15550001',
  });
  assert.deepEqual(s.sms.providers, ['twilio', 'kannel']);
  assert.equal(s.sms.kannel?.from, 'GWANJE');
  assert.equal(s.sms.smpp, undefined);
  assert.deepEqual(loadSettings({}).sms.providers, []);
  const err = (() => {
    try {
      loadSettings({ GWANJE_SMS_PROVIDERS: 'kannel,pager', GWANJE_TLS_CERT: '/x.pem' });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof SettingsError);
  const vars = err.errors.map((e) => e.split(':')[0]).sort();
  assert.deepEqual(vars, [
    'GWANJE_KANNEL_PASSWORD',
    'GWANJE_KANNEL_SENDSMS_URL',
    'GWANJE_KANNEL_USERNAME',
    'GWANJE_SMS_CALLBACK_KEY',
    'GWANJE_SMS_PROVIDERS',
    'GWANJE_TLS_CERT',
  ]);
});

test('TLS switches the default public URLs to https and mqtts', () => {
  const s = loadSettings({ GWANJE_TLS_CERT: '/etc/gwanje/cert.pem', GWANJE_TLS_KEY: '/etc/gwanje/key.pem' });
  assert.equal(s.publicUrl, 'https://localhost:8080');
  assert.equal(s.mqttPublicUrl, 'mqtts://127.0.0.1:1883');
});

test('issue 18: an unknown GWANJE_* name is reported with the setting it was probably meant to be', () => {
  const s = loadSettings({ GWANJE_MQTT_PRT: '1884', GWANJE_TLS_DIR: '/etc/gwanje/tls', GWANJE_FOO: 'x' });
  assert.deepEqual(s.warnings, [
    'GWANJE_FOO: not a setting of the center, ignored',
    'GWANJE_MQTT_PRT: not a setting of the center, ignored (did you mean GWANJE_MQTT_PORT?)',
  ]);
  assert.equal(s.mqttPort, 1883, 'the typo did not set the port');
  // Errors too carry them, so the typo is printed beside the error it caused.
  assert.throws(
    () => loadSettings({ GWANJE_HTTP_PROT: '80', GWANJE_HTTP_PORT: 'x' }),
    (e: SettingsError) =>
      e.errors[0] === 'GWANJE_HTTP_PORT: must be an integer from 0 to 65535, got "x"' &&
      /did you mean GWANJE_HTTP_PORT/.test(e.warnings[0]),
  );
});

test('issue 18: the schema names every variable of the README table, with its default', async () => {
  const { CENTER_ENV } = await import('../src/settings-schema.js');
  const readme = await import('node:fs').then((fs) =>
    fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8'),
  );
  const table = readme.slice(
    readme.indexOf('| `GWANJE_HTTP_PORT`'),
    readme.indexOf('\n\n', readme.indexOf('| `GWANJE_HTTP_PORT`')),
  );
  const named = [...table.matchAll(/`(GWANJE_[A-Z0-9_]+)`/g)].map((m) => m[1]);
  assert.ok(named.length > 10);
  for (const n of named) assert.ok(n in CENTER_ENV.properties, `${n} is in the README table but not in the schema`);
  const props = CENTER_ENV.properties as Record<string, { default?: unknown }>;
  assert.equal(props.GWANJE_HTTP_PORT.default, 8080);
  assert.equal(props.GWANJE_LOG_LEVEL.default, 'info');
});

test('issue 19: Redis, the list of center instances and the recovery window; bad values name themselves', () => {
  const alone = loadSettings({});
  assert.equal(alone.redisUrl, undefined, 'one instance, in memory, by default');
  assert.deepEqual(alone.centerUrls, []);
  assert.equal(alone.liveRecoveryMs, 120_000);
  const s = loadSettings({
    GWANJE_REDIS_URL: 'redis://10.0.0.9:6379/2',
    GWANJE_CENTER_URLS: 'https://a.example:8443/, https://b.example:8444,https://a.example:8443',
    GWANJE_LIVE_RECOVERY_SEC: '300',
  });
  assert.equal(s.redisUrl, 'redis://10.0.0.9:6379/2');
  assert.deepEqual(s.centerUrls, ['https://a.example:8443', 'https://b.example:8444']);
  assert.equal(s.liveRecoveryMs, 300_000);
  assert.throws(
    () =>
      loadSettings({
        GWANJE_REDIS_URL: 'http://10.0.0.9',
        GWANJE_CENTER_URLS: 'https://a.example:99999',
        GWANJE_LIVE_RECOVERY_SEC: '1',
      }),
    (err: SettingsError) =>
      /GWANJE_REDIS_URL: must be a URL with scheme redis:/.test(err.message) &&
      /GWANJE_CENTER_URLS: "https:\/\/a.example:99999" is not a URL/.test(err.message) &&
      /GWANJE_LIVE_RECOVERY_SEC: must be an integer from 5 to 3600/.test(err.message),
  );
});
