/**
 * Issue 21: API refusals in the operator's language. Every stable reason the center can give
 * (protocol API_ERROR_REASONS) has a Korean and an English sentence that uses each of its params;
 * apiErrorText picks the reason's sentence, else the code's (naming the field), else the message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_ERROR_REASONS } from '@gwanje/protocol/schemas/api-errors.js';
import i18next from 'i18next';
import { apiErrorText } from '../../src/api/errors.js';
import { ApiError } from '../../src/api/http.js';
import { en } from '../../src/i18n/en.js';
import { ko } from '../../src/i18n/ko.js';

test('every API error reason has a sentence in Korean and English using each of its params', () => {
  for (const [reason, params] of Object.entries(API_ERROR_REASONS)) {
    for (const [lang, res] of [
      ['en', en],
      ['ko', ko],
    ] as const) {
      const text = (res.apiError.reason as Record<string, string>)[reason];
      assert.ok(text, `${lang}: apiError.reason.${reason} missing`);
      for (const p of params) assert.ok(text.includes(`{{${p}}}`), `${lang}: ${reason} does not say {{${p}}}`);
    }
  }
  // No sentence for a reason the center never gives (it would drift unseen).
  assert.deepEqual(Object.keys(en.apiError.reason).sort(), Object.keys(API_ERROR_REASONS).sort());
});

test('apiErrorText: the reason in Korean, the code with its field as fallback, the message otherwise', async () => {
  const i18n = i18next.createInstance();
  await i18n.init({
    resources: { en: { translation: en }, ko: { translation: ko } },
    lng: 'ko',
    interpolation: { escapeValue: false },
    showSupportNotice: false,
  });
  const t = i18n.t.bind(i18n) as (key: string, opts?: Record<string, unknown>) => string;
  const big = new ApiError(413, 'too-large', 'body: plan: larger than 10485760 bytes', undefined, 'plan-too-large', {
    max: 10485760,
  });
  assert.equal(apiErrorText(big, t), '도면이 10485760바이트보다 큽니다');
  const dup = new ApiError(400, 'bad-request', 'steps/1/id: duplicate step id a', 'steps/1/id', 'sop-step-duplicate', {
    id: 'a',
  });
  assert.equal(apiErrorText(dup, t), '두 단계의 id가 a(으)로 같습니다');
  // A schema refusal: the sentence, then the rule the center names (numbers read in any language).
  const limit = new ApiError(
    400,
    'bad-request',
    '0.tiers.1.delaySec: must be <= 86400',
    '0.tiers.1.delaySec',
    'field-invalid',
    {
      field: '0.tiers.1.delaySec',
    },
  );
  assert.equal(
    apiErrorText(limit, t),
    '0.tiers.1.delaySec 값이 올바르지 않습니다 (0.tiers.1.delaySec: must be <= 86400)',
  );
  // An older center (no reason): the code's sentence and the field it names.
  const old = new ApiError(400, 'bad-request', 'x: must be a number', 'x');
  assert.equal(apiErrorText(old, t), '요청이 거부되었습니다 (항목 x)');
  // A reason this console does not know yet: the code's sentence.
  assert.equal(
    apiErrorText(new ApiError(403, 'forbidden', 'nope', undefined, 'brand-new'), t),
    '이 작업을 할 권한이 없습니다',
  );
  // Nothing known at all: the message as it came.
  assert.equal(apiErrorText(new ApiError(418, 'teapot', 'short and stout'), t), 'short and stout');
  await i18n.changeLanguage('en');
  assert.equal(apiErrorText(big, t), 'The plan is larger than 10485760 bytes');
});
