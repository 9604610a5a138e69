import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH names another. Playwright downloads no browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * `describe` when the browser is there; otherwise `describe.skip`, after saying loudly why, so a run without
 * Chromium reads "skipped" in jest's summary and in this line, never as a pass.
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (browserAvailable()) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`\nSKIPPED (no browser): "${name}" needs Chromium at ${CHROMIUM_PATH}; install it with \`apt-get install -y chromium\` or set CHROMIUM_PATH.\n`);
  describe.skip(`${name} [SKIPPED: no Chromium at ${CHROMIUM_PATH}]`, fn);
}

export interface TestBrowser {
  context: BrowserContext;
  /** Errors the pages reported: script errors and console errors (a CSP violation is one), not answers the page expected to be refused. */
  problems: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile of its own, removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'switchboard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 1000 },
  });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      // A 4xx the page asked for (a refused retry) is logged by the browser as a failed resource: not a problem.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    problems,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form as a supervisor would (signed out first: cookies are per host, not per port), and waits for the live page. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/floor`);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${baseUrl}/floor`), page.click('button[type=submit]')]);
  await page.waitForSelector('#floor', { state: 'attached' });
}
