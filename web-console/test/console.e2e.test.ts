/**
 * Browser test of the operator console (issue 7) with Debian's Chromium through playwright-core,
 * against a CONTRACT-shaped fake center (support/fake-center.ts) that can push any alarm, flood or
 * reading on cue and streams real H.264. console-center.e2e.test.ts runs against the real fx.center.
 * Screenshots go to .artifacts/web-console/.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { percentile } from './support/browser.js';
import { artifacts, fakeCenterFixture } from './support/session.js';

const fx = fakeCenterFixture();

const openConsole = (locale: string, username = 'admin'): Promise<Page> => fx.open(locale, username);

test('console: login, map, live alarm in two consoles, ack, i18n, video, trends', async () => {
  // Login failure is shown, and no password is suggested on the page.
  const probe = await (await fx.browser.newContext({ locale: 'en-US' })).newPage();
  fx.contexts.push(probe.context());
  await probe.goto(fx.center.url);
  assert.equal(await probe.locator('input[name=password]').inputValue(), '');
  assert.equal(await probe.locator('input[name=password]').getAttribute('placeholder'), null);
  await probe.fill('input[name=username]', 'admin');
  await probe.fill('input[name=password]', 'wrong');
  await probe.click('button[type=submit]');
  await probe.getByRole('alert').getByText('Wrong user name or password.').waitFor();

  const en = await openConsole('en-US');
  const ko = await openConsole('ko-KR', 'operator');
  // F6: every URL the console loads (pages, media, WebSockets) is watched for its API token.
  const urls: string[] = [];
  en.on('request', (r) => urls.push(r.url()));
  en.on('websocket', (w) => urls.push(w.url()));
  en.context().on('page', (p) => urls.push(p.url()));

  // Map: all 31 seeded sites are placed, none with an alarm yet.
  await en.click('[data-nav=map]');
  await en.waitForSelector('[data-site]');
  assert.equal(await en.locator('[data-site]').count(), 31);
  assert.equal(await en.locator('[data-worst=none]').count(), 31);

  // A priority-1 alarm pushed over /live appears in both consoles with the horn on.
  const alarm = fx.center.raise({ id: 'al-suwon-1', siteId: 'suwon' });
  for (const page of [en, ko]) {
    await page.waitForSelector(`[data-alarm-id="${alarm.id}"][data-state=unack]`, { timeout: 5000 });
    assert.equal(await page.locator('.alarm-panel').getAttribute('data-tone'), 'on');
  }
  await en.waitForSelector('[data-site=suwon][data-worst="1"]');
  await en.screenshot({ path: join(artifacts, 'map.png') });

  // Alarm-driven video: the wall shows the alarm's camera in the alarm strip, and it plays.
  await en.click('[data-nav=wall]');
  const layoutBefore = await en.locator('.wall-grid').getAttribute('data-layout');
  const tile = en.locator(`[data-alarm-video="${alarm.id}"] [data-camera="${alarm.cameras[0]}"]`);
  await tile.waitFor({ timeout: 5000 });
  await en.waitForFunction(
    (sel) => {
      const v = document.querySelector<HTMLVideoElement>(`${sel} video`);
      return !!v && v.currentTime > 1;
    },
    `[data-alarm-video="${alarm.id}"] [data-camera="${alarm.cameras[0]}"]`,
    { timeout: 20_000 },
  );
  assert.equal(await tile.getAttribute('data-video-state'), 'live');
  assert.equal(await en.locator('.wall-grid').getAttribute('data-layout'), layoutBefore, 'layout untouched');
  await en.waitForSelector('.wall-grid [data-video-state=live]', { timeout: 15_000 });
  // ...and its clip link once the recording exists.
  fx.center.addClip(alarm.id, alarm.cameras[0]);
  const clip = en.locator(`[data-alarm-video="${alarm.id}"] [data-clip="${alarm.cameras[0]}"]`);
  await clip.waitFor({ timeout: 8000 });
  const [tab] = await Promise.all([en.context().waitForEvent('page'), clip.click()]);
  await tab.waitForURL(/\/video\/clips\/.+\.mp4\?ticket=[0-9a-f]+$/, { timeout: 5000 });
  urls.push(tab.url());
  await tab.close();
  // F6: the video WebSockets and the clip carry tickets; the API token is in no URL at all.
  const token = await en.evaluate(() => JSON.parse(sessionStorage.getItem('gwanje.session') ?? '{}').token as string);
  assert.ok(token, 'logged in');
  assert.ok(
    urls.some((u) => /\/video\/[^?]+\?ticket=/.test(u)),
    urls.join('\n'),
  );
  assert.deepEqual(
    urls.filter((u) => u.includes(token) || /[?&]token=/.test(u)),
    [],
  );
  await en.screenshot({ path: join(artifacts, 'wall.png') });

  // Ack from the Korean console with the keyboard (A); the English one follows over /live.
  await ko.locator(`[data-alarm-id="${alarm.id}"]`).click();
  await ko.keyboard.press('a');
  await en.waitForSelector(`[data-alarm-id="${alarm.id}"][data-state=acked]`, { timeout: 5000 });
  // The tone stops in both consoles (each applies the ack on its own render, so wait for it).
  await en.waitForSelector('.alarm-panel[data-tone=off]', { timeout: 5000 });
  await ko.waitForSelector('.alarm-panel[data-tone=off]', { timeout: 5000 });
  assert.deepEqual(
    fx.center.actions.map((a) => [a.id, a.action, a.actor]),
    [[alarm.id, 'ack', 'operator']],
  );
  assert.equal(fx.center.actions.length, 1);

  // Detail drawer (Enter) shows the journal with the operator's ack; shelve needs a reason (S).
  await en.locator(`[data-alarm-id="${alarm.id}"]`).click();
  await en.keyboard.press('Enter');
  await en.locator('[data-alarm-detail] .journal li', { hasText: /Acknowledged operator/ }).waitFor({ timeout: 5000 });
  await en.keyboard.press('Escape');
  await en.keyboard.press('s');
  await en.fill('.modal textarea', 'maintenance on detector');
  await en.click('.modal button[type=submit]');
  await ko.waitForSelector(`[data-alarm-id="${alarm.id}"][data-state=shelved]`, { timeout: 5000 });
  assert.deepEqual(fx.center.actions.at(-1)?.body, { minutes: 60, reason: 'maintenance on detector' });

  // Flood banner names the first-out alarm.
  fx.center.flood({ siteId: 'suwon', active: true, firstOutAlarmId: alarm.id, count: 14 });
  await en.locator('[data-flood=suwon]', { hasText: 'suwon-ch4-1' }).waitFor({ timeout: 5000 });

  // The center drops the live link: the header says so, the console reconnects by itself and an
  // alarm raised meanwhile is there afterwards (snapshot + HTTP resync on reconnect).
  fx.center.kick(1500);
  await en.waitForSelector('[data-conn=reconnecting], [data-conn=offline]', { timeout: 5000 });
  const missed = fx.center.raise({ id: 'al-while-offline', siteId: 'gimpo', priority: 2, type: 'flame', cameras: [] });
  await en.waitForSelector('[data-conn=connected]', { timeout: 15_000 });
  await en.waitForSelector(`[data-alarm-id="${missed.id}"]`, { timeout: 5000 });

  // i18n: the Korean console reads Korean, the switch turns it to English.
  assert.equal((await ko.locator('[data-nav=map]').textContent())?.trim(), '지도');
  assert.match((await ko.locator(`[data-alarm-id="${alarm.id}"] .state`).textContent()) ?? '', /보류/);
  await ko.locator('.app-header .lang-switch').click();
  assert.equal((await ko.locator('[data-nav=map]').textContent())?.trim(), 'Map');
  assert.match((await ko.locator(`[data-alarm-id="${alarm.id}"] .state`).textContent()) ?? '', /Shelved/);

  // Figure: server emit -> alarm row visible in the console (p50 of 20), against the fake fx.center.
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = Date.now();
    const a = fx.center.raise({ id: `al-lat-${i}`, siteId: 'osan', priority: 3, type: 'gas-low', cameras: [] });
    await en.waitForSelector(`[data-alarm-id="${a.id}"]`, { timeout: 5000 });
    lat.push(Date.now() - t0);
  }
  const figures = { emitToRowP50Ms: percentile(lat, 50), emitToRowP95Ms: percentile(lat, 95) };
  console.log(`console figures: ${JSON.stringify(figures)}`);
  writeFileSync(join(artifacts, 'figures.json'), JSON.stringify(figures, null, 2));
  await en.locator('.alarm-panel').screenshot({ path: join(artifacts, 'alarms.png') });

  // Trends: chart of a gas sensor with its setpoints, appended live from `reading` events.
  await en.evaluate(() => {
    location.hash = '/trends/suwon-ch4-1';
  });
  await en.waitForSelector('.trend-chart canvas');
  await en.getByText('High setpoint 25').waitFor();
  await en.waitForSelector('.trend-chart[data-points]');
  const before = Number(await en.locator('.trend-chart').getAttribute('data-points'));
  assert.ok(before > 100, `history points: ${before}`);
  for (let i = 1; i <= 5; i++) fx.center.reading('suwon-ch4-1', 'suwon', 12 + i, Date.now() + i * 1000);
  await en.waitForSelector(`.trend-chart[data-points="${before + 5}"]`, { timeout: 5000 });
  await en.screenshot({ path: join(artifacts, 'trends.png') });

  // A viewer sees the alarms but cannot act on them (no Admin tab either).
  const viewer = await openConsole('en-US', 'viewer');
  await viewer.locator(`[data-alarm-id="${alarm.id}"]`).click();
  assert.equal(await viewer.locator('.actions button').count(), 5);
  assert.equal(await viewer.locator('.actions button:enabled').count(), 0);
  assert.equal(await viewer.locator('[data-nav=admin]').count(), 0);
  const before2 = fx.center.actions.length;
  await viewer.keyboard.press('u');
  await viewer.waitForTimeout(300);
  assert.equal(fx.center.actions.length, before2);

  // Logout revokes the token on the server and returns to the login form.
  const sessions = fx.center.sessions();
  await ko.locator('.app-header button', { hasText: 'Log out' }).click();
  await ko.waitForSelector('input[name=password]');
  assert.equal(fx.center.sessions(), sessions - 1);
});

test('wall: drag a camera into a tile, then 16 tiles playing (frame pacing figure)', async () => {
  const page = await openConsole('en-US');
  await page.click('[data-nav=wall]');
  await page.locator('.camera-tree summary', { hasText: 'Yeoju' }).click();
  await page.locator('[data-tree-camera=yeoju-cam-1]').dragTo(page.locator('[data-tile="3"]'));
  await page.waitForSelector('[data-tile="3"] [data-camera=yeoju-cam-1]');
  // The layout is remembered for this user across a reload.
  await page.reload();
  await page.waitForSelector('[data-tile="3"] [data-camera=yeoju-cam-1]');

  // 4x4 of 16 distinct cameras, each a real H.264 stream decoded through MSE.
  await page.click('.toolbar button:text-is("4x4")');
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('gwanje.wall.admin') ?? '{}'));
  assert.deepEqual([stored.current.cols, stored.current.rows], [4, 4]);
  await page.evaluate(
    ({ ids }) => {
      const key = 'gwanje.wall.admin';
      const cfg = JSON.parse(localStorage.getItem(key) ?? '{}');
      cfg.current.tiles = ids.slice(0, 16);
      localStorage.setItem(key, JSON.stringify(cfg));
    },
    { ids: fx.center.cameraIds() },
  );
  await page.reload();
  await page.waitForFunction(
    () => document.querySelectorAll('.wall-grid [data-video-state=live]').length === 16,
    null,
    {
      timeout: 40_000,
    },
  );
  const sample = () =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLVideoElement>('.wall-grid video')].map((v) => {
        const q = v.getVideoPlaybackQuality();
        return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames };
      }),
    );
  const a = await sample();
  const windowMs = 10_000;
  await page.waitForTimeout(windowMs);
  const b = await sample();
  const perMin = 60_000 / windowMs;
  const dropped = b.reduce((s, x, i) => s + x.dropped - a[i].dropped, 0) * perMin;
  const shown = b.reduce((s, x, i) => s + x.total - a[i].total, 0) / (windowMs / 1000) / 16;
  const figures = {
    tiles: 16,
    droppedFramesPerMinuteAllTiles: dropped,
    decodedFpsPerTile: Number(shown.toFixed(1)),
    sourceFps: 15,
  };
  console.log(`wall figures: ${JSON.stringify(figures)}`);
  writeFileSync(join(artifacts, 'wall-figures.json'), JSON.stringify(figures, null, 2));
  await page.screenshot({ path: join(artifacts, 'wall-4x4.png') });
  assert.ok(shown > 5, `tiles decode ${shown} fps`);
});
