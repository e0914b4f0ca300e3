/**
 * F12 (review 2026-12): credentials never reach logs or events. One redaction for the gateway,
 * the agent and the center, on the forms ffmpeg and device libraries print a URL in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskSecrets, redactDeep, redactText, redactUrl, urlSecrets } from '../src/redact.js';

test('redactUrl masks the password of a URL and says when it cannot parse one', () => {
  assert.equal(redactUrl('rtsp://admin:S3cret@10.0.0.5:554/s1'), 'rtsp://admin:***@10.0.0.5:554/s1');
  assert.equal(redactUrl('mqtt://127.0.0.1:1883'), 'mqtt://127.0.0.1:1883');
  assert.equal(redactUrl('not a url'), '(invalid url)');
});

test('F12: redactText masks the userinfo of every URL in a tool message, encoded or decoded', () => {
  const ffmpeg = [
    '[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized',
    'rtsp://admin:S3cretCamPw@127.0.0.1:9/stream: Connection refused',
    "Impossible to open 'rtsp://admin:p%40ss%2Fw0rd@cam/x'",
    'decoded: rtsp://admin:p@ss@cam/x',
    'two: http://a:b@h1/ https://c:d@h2/',
  ].join('\n');
  const out = redactText(ffmpeg);
  for (const secret of ['S3cretCamPw', 'p%40ss%2Fw0rd', 'p@ss', ':b@', ':d@']) assert.ok(!out.includes(secret), out);
  assert.match(out, /rtsp:\/\/\*\*\*@127\.0\.0\.1:9\/stream/);
  assert.match(out, /https:\/\/\*\*\*@h2\//);
  assert.equal(redactText('mail kim@example.com about /a@b'), 'mail kim@example.com about /a@b');
});

test('F12: known secrets are masked in their raw, decoded and encoded forms, even outside a URL', () => {
  const secrets = urlSecrets('rtsp://admin:pa%2Fss%20w@cam/x');
  assert.deepEqual(secrets, ['pa%2Fss%20w']);
  const text = 'auth failed for pa/ss w; retry rtsp://admin:pa/ss w@cam/x; header pa%2Fss%20w';
  const out = redactText(text, secrets);
  assert.ok(!out.includes('pa/ss w') && !out.includes('pa%2Fss%20w'), out);
  assert.deepEqual(urlSecrets('rtsp://cam/x'), []);
  assert.deepEqual(urlSecrets('::'), []);
});

test('redactDeep copies a JSON value with every string redacted', () => {
  const ev = { type: 'camera-event', detail: 'rtsp://u:pw123@h/x failed', n: 3, list: ['k=pw123'] };
  assert.deepEqual(redactDeep(ev, ['pw123']), {
    type: 'camera-event',
    detail: 'rtsp://***@h/x failed',
    n: 3,
    list: ['k=***'],
  });
  assert.equal(ev.detail, 'rtsp://u:pw123@h/x failed', 'the input is not changed');
});

test('maskSecrets hides passwords, keys and URL userinfo in a config document (issue 21)', () => {
  const doc = {
    agentId: 'a1',
    central: { url: 'mqtt://a1:pw@broker:1883', username: 'a1', password: 'hunter2-long' },
    cameras: [{ cameraId: 'c1', rtspUrl: 'rtsp://admin:S3cret@10.0.0.5/s1', onvif: { password: 'x' } }],
    logging: { level: 'info' },
    apiKey: 'k',
  };
  assert.deepEqual(maskSecrets(doc), {
    agentId: 'a1',
    central: { url: 'mqtt://***@broker:1883', username: 'a1', password: '***' },
    cameras: [{ cameraId: 'c1', rtspUrl: 'rtsp://***@10.0.0.5/s1', onvif: { password: '***' } }],
    logging: { level: 'info' },
    apiKey: '***',
  });
});
