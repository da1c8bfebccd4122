// Headless Chromium from Debian (`/usr/bin/chromium`, which .ci/run installs), driven by
// playwright-core. Screenshots go to test-artifacts/screenshots/ for people to look at.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** A full-page screenshot named after the page, kept as a test artifact. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects into `errors` what a page must never show: uncaught errors, and anything the
 * Content-Security-Policy refused (the `securitypolicyviolation` event, and Chromium's
 * console report of it). Call before the first navigation.
 */
export async function collectPageErrors(page: Page, errors: string[]): Promise<void> {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  await page.exposeFunction('__cspViolation', (what: string) => errors.push(`securitypolicyviolation: ${what}`));
  // A string, not a function: the test code is type-checked without the DOM library.
  await page.addInitScript(
    "document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.effectiveDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`))",
  );
}
