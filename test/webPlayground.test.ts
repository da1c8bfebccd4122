// The Playground and Earnings pages in headless Chromium against a real node serving a
// real model: a tiny llama pretrained here to recite two contributions. A chat that starts
// a contribution's text comes back with it, highlighted as that contribution's (the
// author and the source text on hover and on focus), with its cost; the author's earnings
// page shows the rise. Screenshots: test-artifacts/screenshots/{playground,earnings}.png.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERON, KETTLE, makeReciter } from './fixtures/reciter.ts';
import { collectPageErrors, launchBrowser, screenshot } from './helpers/browser.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { putModelFile } from './helpers/uploads.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const PRICE = 10n ** 16n; // 0.01 token per 1k tokens, in and out

describe('the Playground and Earnings pages', () => {
  let t: TestNode;
  let dir: string;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const owner = newSigner();
  const heronAuthor = newSigner();
  const kettleAuthor = newSigner();
  let heronId = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-webplay-'));
    const [trained, node, b] = await Promise.all([makeReciter(join(dir, 'reciter.gguf'), [HERON, KETTLE]), startTestNode({ epochSeconds: 0 }), launchBrowser()]);
    t = node;
    browser = b;
    const file = readFileSync(trained);
    expect((await putModelFile(t.url, file, owner)).status).toBe(200);
    await t.client.act(owner, { type: 'RegisterBaseModel', name: 'reciter-base', file: sha(file) });
    await t.client.act(owner, { type: 'CreateDatanet', name: 'shore', description: 'two short texts', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [text, author, name] of [[HERON, heronAuthor, 'heron'], [KETTLE, kettleAuthor, 'kettle']] as const) {
      const c = Buffer.from(text);
      const r = await t.client.act(author, { type: 'Contribute', datanet: 'shore', contentHash: sha(c), size: c.length, fileName: `${name}.txt` }, c);
      if (name === 'heron') heronId = r.index;
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'shore' });
    await t.client.act(owner, {
      type: 'RegisterModel', name: 'reciter', datanet: 'shore', snapshot: 1, base: sha(file), adapter: '0x' + '00'.repeat(32), job: 0,
      pricePer1kInput: PRICE.toString(), pricePer1kOutput: PRICE.toString(), dataBps: 5000, ownerBps: 2500, computeBps: 2000, treasuryBps: 500, baselineBps: 0,
    });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await collectPageErrors(page, errors);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('chats with a highlighted, attributed, costed answer, and the author sees the earnings', async () => {
    // Before: the author has earned nothing, and the page says what to do.
    await page.goto(`${t.url}/#/earnings?account=${heronAuthor.address}`);
    await page.getByRole('heading', { name: 'Earnings over time' }).waitFor();
    expect(await page.locator('[data-total]').getAttribute('data-total')).toBe('0');
    expect(await page.getByText('No earnings yet for this account.').count()).toBe(1);

    await page.goto(`${t.url}/#/playground`);
    const me = (await page.locator('[data-account]').getAttribute('data-account'))!;
    expect(me).toMatch(/^0x[0-9a-f]{40}$/);
    // Unfunded: the page makes the API key, then says the balance is short and offers the faucet.
    expect(await page.getByText('No balance').count()).toBe(1);
    await page.getByLabel('Message').fill('The heron');
    await page.getByLabel('Max tokens').fill('24');
    await page.getByLabel('Temperature').fill('0');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('alert').filter({ hasText: 'Balance too low' }).waitFor();
    expect(await page.getByRole('button', { name: /dev faucet/ }).count()).toBeGreaterThan(0);

    await t.client.faucet(me, (10n * 10n ** 18n).toString());
    await page.getByRole('button', { name: 'Send' }).click();
    const marks = page.locator('.pg-answer mark.span');
    await marks.first().waitFor({ timeout: 30_000 });
    expect(await marks.first().getAttribute('data-contributions')).toBe(String(heronId));
    const answer = (await page.locator('.pg-answer').textContent())!;
    expect(answer).toContain('41 quiet stones below the mill');

    // Hover: the contributor, the weight and the matched source text.
    await marks.first().hover();
    const tip = page.getByRole('tooltip');
    await tip.waitFor();
    const tipText = (await tip.textContent())!;
    expect(tipText).toContain(heronAuthor.address);
    expect(tipText).toContain(`Contribution #${heronId}`);
    expect(tipText).toMatch(/weight \d+(\.\d)?% of the answer/);
    expect(tipText).toContain(HERON);
    // Focus (keyboard): the same tooltip, tied to the highlight for screen readers.
    await page.mouse.move(0, 0);
    await marks.first().focus();
    const described = await marks.first().getAttribute('aria-describedby');
    expect(described).toBeTruthy();
    expect(await page.locator(`#${described}`).textContent()).toContain(heronAuthor.address);

    // The cost and where it went, and the receipt.
    const fee = BigInt((await page.locator('[data-fee]').getAttribute('data-fee'))!);
    expect(fee).toBeGreaterThan(0n);
    const split = page.getByRole('table').filter({ hasText: 'Where the fee went' });
    expect(await split.textContent()).toContain('data: attributed contribution');
    expect(await split.textContent()).toContain('compute provider');
    const receipt = page.getByRole('link', { name: 'see its receipt' });
    expect(await receipt.getAttribute('href')).toMatch(/^#\/receipts\?index=\d+$/);
    expect(await page.getByRole('status').filter({ hasText: 'Answer complete' }).count()).toBe(1);
    await screenshot(page, 'playground');

    // After: the author's earnings rose, by contribution and over time.
    const node = await t.client.account(heronAuthor.address);
    expect(BigInt(node.unpaid)).toBeGreaterThan(0n);
    await page.goto(`${t.url}/#/earnings?account=${heronAuthor.address}`);
    await page.getByRole('heading', { name: 'Earnings over time' }).waitFor();
    const total = BigInt((await page.locator('[data-total]').getAttribute('data-total'))!);
    expect(total).toBe(BigInt(node.earned.total));
    expect(total).toBeGreaterThan(0n);
    expect(await page.locator(`tr[data-contribution="${heronId}"]`).count()).toBe(1);
    expect(await page.locator('svg.step-chart path.series.earned').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Claim on chain' }).count()).toBe(1);
    expect(await page.getByText('This node settles on no chain').count()).toBe(1);
    // Closing an epoch (dev mode) puts it in the payout root: claimable, per epoch.
    await page.getByRole('button', { name: 'Close an epoch now (dev mode)' }).click();
    await page.locator('[data-claimable]').waitFor();
    expect(await page.locator('[data-claimable]').getAttribute('data-claimable')).toBe(total.toString());
    expect((await t.client.account(heronAuthor.address)).paid).toBe(total.toString());
    await screenshot(page, 'earnings');
    expect(errors).toEqual([]);
  }, 90_000);
});
