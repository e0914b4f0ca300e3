/**
 * Browser test of the console's on-call roster (issue 8), config drift (issue 10) and JSMpeg
 * fallback (issue 7) against the fake center (support/fake-center.ts, support/fake-extras.ts).
 * Screenshots go to .artifacts/web-console/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { artifacts, fakeCenterFixture } from './support/session.js';

const fx = fakeCenterFixture();

const openConsole = (locale: string, username = 'admin'): Promise<Page> => fx.open(locale, username);

test('on-call roster, config drift badge, JSMpeg fallback drawing frames', async () => {
  fx.center.extras.oncall.set('suwon', [
    {
      roster: 'suwon-main',
      duty: [
        {
          role: 'shift-supervisor',
          source: 'shift',
          shift: 'day',
          until: Date.now() + 3_600_000,
          contacts: [{ id: 'c-kim', name: 'Kim Minjun', phone: '010-1234-5678', lang: 'ko' }],
        },
      ],
    },
  ]);
  fx.center.extras.config.set('suwon-agent', {
    desired: 'cfg-v7',
    applied: 'cfg-v6',
    outcome: 'rolled-back',
    drift: true,
  });
  fx.center.extras.config.set('osan-agent', { desired: 'cfg-v7', applied: 'cfg-v7', outcome: 'applied', drift: false });

  // A viewer sees who is on duty (header and site panel) with the phone number masked.
  const viewer = await openConsole('en-US', 'viewer');
  await viewer.locator('.on-duty', { hasText: 'Kim Minjun' }).waitFor({ timeout: 5000 });
  await viewer.click('[data-nav=map]');
  await viewer.locator('[data-site=suwon] circle').click();
  const contact = viewer.locator('[data-oncall=suwon] [data-contact=c-kim]');
  await contact.waitFor({ timeout: 5000 });
  assert.match((await contact.textContent()) ?? '', /Kim Minjun · 010-\*\*\*\*-5678/);
  assert.equal(
    await viewer.locator('[data-oncall=suwon] [data-duty=shift-supervisor]', { hasText: 'Shift supervisor' }).count(),
    1,
  );
  // The drifting agent carries a worded badge, not just a colour.
  await viewer.locator('[data-agent=suwon-agent] [data-drift-badge]', { hasText: '⚠ Config drift' }).waitFor();
  assert.match(
    (await viewer.locator('[data-agent=suwon-agent]').textContent()) ?? '',
    /desired cfg-v7 · applied cfg-v6 · outcome: rolled back/,
  );
  // A site without a roster (404) says so.
  await viewer.locator('[data-site=osan] circle').click();
  await viewer.locator('[data-oncall=osan]', { hasText: 'No roster' }).waitFor({ timeout: 5000 });
  assert.equal(await viewer.locator('[data-agent=osan-agent] [data-drift-badge]').count(), 0);
  await viewer.locator('[data-agent=osan-agent] [data-drift=no]', { hasText: '✓ In sync' }).waitFor();

  // Admin: full phone number, and the agent list shows drift too.
  const admin = await openConsole('ko-KR');
  await admin.click('[data-nav=map]');
  await admin.locator('[data-site=suwon] circle').click();
  await admin
    .locator('[data-oncall=suwon] [data-contact=c-kim]', { hasText: '010-1234-5678' })
    .waitFor({ timeout: 5000 });
  await admin.click('[data-nav=admin]');
  await admin.locator('[data-agent-row=suwon-agent] [data-drift-badge]', { hasText: '설정 불일치' }).waitFor();
  assert.equal(await admin.locator('[data-agent-list] [data-drift-badge]').count(), 1);

  // JSMpeg fallback forced (as on a PC without MSE/H.264): tiles ask for format=mpeg1 and draw frames.
  const mpeg1Before = fx.center.video.mpeg1Viewers();
  await viewer.evaluate(() => localStorage.setItem('gwanje.video.mode', 'mpeg1'));
  await viewer.goto(`${fx.center.url}/#/wall`);
  await viewer.waitForSelector('.wall-grid canvas[data-player=jsmpeg]', { timeout: 10_000 });
  await viewer.waitForSelector('.wall-grid [data-video-state=live] canvas', { timeout: 20_000 });
  assert.equal(await viewer.locator('.wall-grid video').count(), 0);
  assert.ok(fx.center.video.mpeg1Viewers() > mpeg1Before, 'format=mpeg1 requested');
  const pixels = () =>
    viewer.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('.wall-grid [data-video-state=live] canvas');
      const ctx = c?.getContext('2d');
      if (!c || !ctx || c.width === 0) return '';
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + d[i + 1] * 7 + d[i + 2] * 13) >>> 0;
      return `${c.width}x${c.height}:${h}`;
    });
  const first = await pixels();
  assert.match(first, /^320x1\d\d:/);
  await viewer.waitForFunction(
    (prev) => {
      const c = document.querySelector<HTMLCanvasElement>('.wall-grid [data-video-state=live] canvas');
      const d = c?.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      if (!d) return false;
      let h = 0;
      for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + d[i + 1] * 7 + d[i + 2] * 13) >>> 0;
      return `${c?.width}x${c?.height}:${h}` !== prev;
    },
    first,
    { timeout: 5000 },
  );
  await viewer.screenshot({ path: join(artifacts, 'wall-jsmpeg.png') });
});
