import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Flags for a quiet, headless run on a CI machine (no sandbox in containers, no updates, no first-run UI). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** Where a failing browser test leaves its screenshots (gitignored). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-results', 'browser');

/**
 * Why the browser suite cannot run here, or undefined when it can. Under CI=true a missing
 * Chromium fails the run instead: the suite must never skip in CI.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `${CHROMIUM_PATH} not found (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`CI=true needs Chromium for the browser suite: ${reason}`);
  return reason;
}

/**
 * Headless Chromium. Playwright gives every launch a fresh temporary profile (`--user-data-dir`
 * under the OS temp dir, deleted on close), so no state survives from one run to the next.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** Saves a screenshot of every open page of `browser` and returns their paths. */
export async function screenshotEverything(browser: Browser | undefined, name: string): Promise<string[]> {
  if (!browser) return [];
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const slug = name.replace(/[^\w-]+/g, '-').slice(0, 80);
  const paths: string[] = [];
  for (const [c, context] of browser.contexts().entries()) {
    for (const [p, page] of context.pages().entries()) {
      const path = join(SCREENSHOT_DIR, `${slug}-context${c + 1}-page${p + 1}.png`);
      try {
        await page.screenshot({ path, fullPage: true });
        paths.push(path);
      } catch {
        // A page that already closed has nothing to show.
      }
    }
  }
  return paths;
}
