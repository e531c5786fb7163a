import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM, launchChromium } from './browser.ts';
import type { TestService } from './service-fixture.ts';

export interface ConsoleBrowserOptions {
  /** Default 1280×800. */
  viewport?: { width: number; height: number };
  /**
   * Console errors matching this are not page errors (default: the 401 a page gets before its
   * login, which Chromium logs as a failed resource); `false`: console errors are not collected.
   */
  ignoreConsole?: RegExp | false;
  /** Answer confirm() with yes (pages that ask before removing or rotating). */
  acceptDialogs?: boolean;
  acceptDownloads?: boolean;
  /** Screenshot file names are `${prefix}${name}.png` (default: no prefix). */
  shotPrefix?: string;
  /** Screenshots of the whole page unless a call says otherwise (default: the viewport). */
  fullPage?: boolean;
}

export interface SignInOptions {
  /** Where the page is opened (default '/'). */
  path?: string;
  /** Switch the page to English before logging in (default true). */
  english?: boolean;
  /** Wait for the board's queue after the login (default true). */
  queue?: boolean;
  /** The browser's time zone (default: this machine's, as the service's). */
  timezoneId?: string;
}

/**
 * Debian's Chromium for a describe block that runs the console of `useService`'s service:
 * launched before the cases and closed after, with the pages' screenshot directory (under the
 * test's temp dir, removed afterwards; TEST_SCREENSHOT_DIR keeps them to look at). Every page
 * opened here records its uncaught errors and console errors in `errors`.
 */
export function useConsoleBrowser(f: { service: TestService }, options: ConsoleBrowserOptions = {}) {
  const { viewport = { width: 1280, height: 800 }, ignoreConsole = /401 \(Unauthorized\)/, shotPrefix = '' } = options;
  let browser: Browser;
  let shots: string;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`).toBe(true);
    browser = await launchChromium();
    shots = process.env.TEST_SCREENSHOT_DIR ?? join(f.service.config.database.dataDir, 'screenshots');
    mkdirSync(shots, { recursive: true });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });

  /** A fresh tab in its own context (its own sessionStorage: its own login), not yet opened. */
  async function open(timezoneId?: string): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-GB', ...(options.acceptDownloads && { acceptDownloads: true }), ...(timezoneId && { timezoneId }) });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    if (ignoreConsole) page.on('console', (m) => void (m.type() === 'error' && !ignoreConsole.test(m.text()) && errors.push(m.text())));
    if (options.acceptDialogs) page.on('dialog', (d) => void d.accept());
    return page;
  }

  /** Fills the login form and submits it (the page shows the form). */
  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
  }

  /** A fresh tab signed in as `username`. */
  async function signedIn(username: string, password: string, how: SignInOptions = {}): Promise<Page> {
    const page = await open(how.timezoneId);
    await page.goto(`${f.service.httpUrl}${how.path ?? '/'}`);
    if (how.english ?? true) await page.getByTestId('lang-switch').selectOption('en');
    await logIn(page, username, password);
    if (how.queue ?? true) await page.getByTestId('queue').waitFor();
    return page;
  }

  /** A screenshot of a page (or one element of it) as `${shotPrefix}${name}.png`. */
  async function shot(target: Page | Locator, name: string, how: { fullPage?: boolean } = {}): Promise<void> {
    const path = join(shots, `${shotPrefix}${name}.png`);
    if ('goto' in target) await target.screenshot({ path, ...((how.fullPage ?? options.fullPage) && { fullPage: true }) });
    else await target.screenshot({ path });
  }

  return { open, logIn, signedIn, shot, errors };
}
