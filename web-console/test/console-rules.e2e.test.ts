/**
 * Browser test of the admin's per-sensor rule editor (issues 4 and 7) against the fake center:
 * saving a gas-high setpoint sends PATCH /api/v1/sensors/{id} with exactly the edited override
 * and shows the saved value; a 400 from the center is shown with the field it names, in Korean.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openConsole } from './support/browser.js';
import { artifacts, fakeCenterFixture } from './support/session.js';

const fx = fakeCenterFixture();

test('admin edits a sensor: the gas-high setpoint is PATCHed and shown saved; a bad rule shows its field', async () => {
  const page = await openConsole(fx.browser, fx.contexts, {
    url: fx.center.url,
    username: 'admin',
    password: fx.password,
    locale: 'ko-KR',
  });
  await page.click('[data-nav=admin]');
  const editor = page.locator('.sensor-rules');
  await editor.locator('h2', { hasText: '센서 경보 규칙' }).waitFor();
  await editor.locator('select').nth(0).selectOption('suwon');
  await editor.locator('select').nth(1).selectOption('suwon-ch4-1');

  await editor.getByRole('button', { name: '규칙 추가' }).click();
  const row = editor.locator('.rules-table tbody tr').first();
  await row.locator('input[list=rule-types]').fill('gas-high');
  await row.locator('input[name=setpoint]').fill('40');
  await editor.getByRole('button', { name: '카메라 연동' }).click();
  await editor.locator('[data-link] select').selectOption('suwon-cam-1');
  await editor.locator('[data-link] input').fill('gate');
  await editor.getByRole('button', { name: '저장' }).click();
  await editor.getByRole('status').filter({ hasText: '저장됨' }).waitFor({ timeout: 5000 });

  assert.deepEqual(fx.center.extras.sensorPatches.at(-1), {
    sensorId: 'suwon-ch4-1',
    body: { rules: [{ type: 'gas-high', setpoint: 40 }], cameras: [{ cameraId: 'suwon-cam-1', preset: 'gate' }] },
  });
  // The form shows what the center saved (from the PATCH response).
  assert.equal(await row.locator('input[name=setpoint]').inputValue(), '40');
  await page.screenshot({ path: join(artifacts, 'admin-sensor-rules.png') });

  // After choosing the sensor again, the list (GET /sensors) brings the saved override back.
  await editor.locator('select').nth(1).selectOption('');
  await editor.locator('select').nth(1).selectOption('suwon-ch4-1');
  assert.equal(await editor.locator('.rules-table tbody tr input[name=setpoint]').first().inputValue(), '40');

  // A rule type without a default needs a setpoint: the center's 400 names the field, shown and marked.
  await editor.getByRole('button', { name: '규칙 추가' }).click();
  const second = editor.locator('.rules-table tbody tr').nth(1);
  await second.locator('input[list=rule-types]').fill('vibration-high');
  await editor.getByRole('button', { name: '저장' }).click();
  const alert = editor.getByRole('alert');
  await alert.waitFor({ timeout: 5000 });
  assert.match((await alert.textContent()) ?? '', /항목 rules\.1\.setpoint/);
  assert.equal(await second.locator('input[name=setpoint]').getAttribute('aria-invalid'), 'true');
  assert.equal(fx.center.extras.sensorPatches.length, 2);
});
