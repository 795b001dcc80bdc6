import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: `.ci/run` installs it with apt-get; tests never download a browser. */
export const CHROMIUM_PATH = process.env['GATEHOUSE_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Flags Chromium needs on a locked-down machine: no sandbox (CI runs as root), no GPU, and no
 * background networking, which would otherwise try (and fail) to reach Google's hosts.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why browser tests cannot run here, or undefined when they can. Locally a missing Chromium
 * skips them with a hint; under `CI=true` it is a failure, so CI never passes without them.
 */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} not found: install it with "apt-get install -y chromium" (or set GATEHOUSE_CHROMIUM)`;
  if (process.env['CI'] === 'true') throw new Error(`browser tests must run under CI: ${reason}`);
  return reason;
}

export interface LaunchedChromium {
  browser: Browser;
  /** A fresh context (empty cookie jar) per call. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Starts Debian's Chromium headless; Playwright gives it a fresh, throwaway profile directory. */
export async function launchChromium(): Promise<LaunchedChromium> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  return {
    browser,
    newContext: () => browser.newContext({ viewport: { width: 1024, height: 768 } }),
    close: () => browser.close(),
  };
}

/**
 * Where the test run leaves its screenshots (the issue asks the run to produce them):
 * `screenshots/` at the repository root, or `GATEHOUSE_SCREENSHOTS`.
 */
export function screenshotPath(name: string): string {
  const dir =
    process.env['GATEHOUSE_SCREENSHOTS'] ??
    join(new URL('../../../..', import.meta.url).pathname, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/** Saves a full-page screenshot of `page` as `<name>.png` and checks it was written. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const path = screenshotPath(name);
  await page.screenshot({ path, fullPage: true });
  assert.ok(existsSync(path) && statSync(path).size > 1000, `screenshot ${name} written`);
}
