/**
 * The shared fixture of the console's browser tests against the fake center: builds the console,
 * starts the fake center and Chromium before the file's tests, closes everything after, and opens
 * logged-in consoles. Call once at the top of a test file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, openConsole } from './browser.js';
import { type FakeCenter, startFakeCenter } from './fake-center.js';

export const root = new URL('../../../', import.meta.url).pathname;
export const artifacts = join(root, '.artifacts', 'web-console');

export interface ConsoleFixture {
  center: FakeCenter;
  browser: Browser;
  contexts: BrowserContext[];
  password: string;
  open(locale: string, username?: string): Promise<Page>;
}

export function fakeCenterFixture(): ConsoleFixture {
  const fx = { contexts: [] as BrowserContext[], password: `pw-${process.pid}-${Date.now()}` } as ConsoleFixture;
  fx.open = (locale, username = 'admin') =>
    openConsole(fx.browser, fx.contexts, { url: fx.center.url, username, password: fx.password, locale });
  before(async () => {
    const build = spawnSync(process.execPath, [join(root, 'scripts/build-console.mjs')], { encoding: 'utf8' });
    assert.equal(build.status, 0, `console build failed:\n${build.stdout}\n${build.stderr}`);
    fx.center = await startFakeCenter({
      distDir: join(root, 'web-console', 'dist'),
      seedFile: join(root, 'seed', 'gyeonggi-sites.json'),
      password: fx.password,
    });
    fx.browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
  });
  after(async () => {
    for (const c of fx.contexts) await c.close();
    await fx.browser?.close();
    await fx.center?.stop();
  });
  return fx;
}
