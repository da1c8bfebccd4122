// The explorer in headless Chromium against a real node: every page opens without an
// error, and the main flows work from the browser. Screenshots of each page are kept in
// test-artifacts/screenshots/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, screenshot } from './helpers/browser.ts';
import { startTestNode, type TestNode } from './helpers/testNode.ts';

describe('the explorer in a browser', () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    browser = await launchBrowser();
    page = await browser.newPage();
    await collectPageErrors(page, errors);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('opens the overview with the node identity, keyboard first', async () => {
    await page.goto(`${t.url}/`);
    await page.getByRole('heading', { name: 'Tributary node' }).waitFor();
    expect(await page.getByText(`${t.node.size} entries`).count()).toBe(1);
    // The first Tab reaches the skip link, which moves focus to the main region.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await screenshot(page, 'overview');
    expect(errors).toEqual([]);
  }, 60_000);
});
