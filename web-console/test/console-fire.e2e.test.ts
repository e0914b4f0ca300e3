/**
 * Browser test of issue 23 in the console (fake center, Chromium): a flame alarm that the video
 * detector confirmed shows a worded "confirmed on camera" badge and, in its detail, the camera and
 * score; a fire-suspected alarm reads as such; Korean and English. Screenshot to .artifacts.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifacts, fakeCenterFixture } from './support/session.js';

const fx = fakeCenterFixture();

test('confirmed on camera and fire-suspected, in Korean and English', async () => {
  const flame = fx.center.raise({
    id: 'al-fire-1',
    siteId: 'suwon',
    sourceId: 'suwon-flame-1',
    type: 'flame',
    value: 1,
    threshold: 1,
  });
  fx.center.raise({
    id: 'al-fire-2',
    siteId: 'suwon',
    sourceId: 'suwon-cam-1',
    sourceKind: 'camera',
    type: 'fire-suspected',
    priority: 3,
    advisory: true,
    value: 0.93,
    threshold: 0.17,
  });
  const ko = await fx.open('ko-KR');
  const row = ko.locator('[data-alarm-id=al-fire-1]');
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await row.locator('[data-on-camera]').count(), 0, 'no badge before the camera confirms');
  // The center announces the same alarm again with the camera's evidence.
  fx.center.raise({ ...flame, confirmedOnCamera: { cameraId: 'suwon-cam-1', at: Date.now(), score: 0.97 } });
  await row.locator('[data-on-camera=suwon-cam-1]', { hasText: '카메라로 확인됨' }).waitFor({ timeout: 10_000 });
  assert.equal(await row.getAttribute('data-state'), 'unack', 'the state is what the center says, unchanged');
  await ko.locator('[data-alarm-id=al-fire-2]', { hasText: '화재 의심 (영상)' }).waitFor({ timeout: 10_000 });
  await row.locator('button.link').click();
  await ko.locator('[data-alarm-detail] dd[data-on-camera=suwon-cam-1]', { hasText: '화재 점수 0.97' }).waitFor();
  await ko.screenshot({ path: join(artifacts, 'fire-ko.png') });

  const en = await fx.open('en-US');
  await en
    .locator('[data-alarm-id=al-fire-1] [data-on-camera=suwon-cam-1]', { hasText: 'CONFIRMED ON CAMERA' })
    .waitFor({ timeout: 10_000 });
  await en.locator('[data-alarm-id=al-fire-2]', { hasText: 'Fire suspected (video)' }).waitFor();
});
