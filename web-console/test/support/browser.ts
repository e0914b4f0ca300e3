/** Chromium (Debian's /usr/bin/chromium via playwright-core) helpers shared by the console tests. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });

export interface Login {
  url: string;
  username: string;
  password: string;
  locale: string;
}

/** A fresh 1920x1080 context, logged in, with the live connection up. */
export async function openConsole(browser: Browser, contexts: BrowserContext[], o: Login): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: o.locale });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (err) => console.error(`[${o.locale}] page error: ${err.message}`));
  // Generous waits: on a loaded 2-core CI machine (several centers and browsers of parallel test
  // files) a first page load and the live connection have taken longer than Playwright's defaults.
  await page.goto(o.url, { waitUntil: 'domcontentloaded', timeout: 90_000 });
  await page.fill('input[name=username]', o.username);
  await page.fill('input[name=password]', o.password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-conn=connected]', { timeout: 30_000 });
  return page;
}

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
