// The Receipts and Models pages in headless Chromium against a real node seeded with the
// demo (datanets, a trained model with provenance, settled inferences): a receipt checks
// step by step in the browser, tampered ones fail at the step that catches them with the
// values named, a changed node key is flagged, and a model's provenance, fees and usage
// show. The page's verifier (web/src/receiptCheck.ts, src/ledger's own code on noble's
// crypto, as the browser runs it) is also run here in Node, over the ledger's RFC 9162
// vectors and a real receipt, so that it is held to the same fixed points as the node.
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, screenshot } from './helpers/browser.ts';
import { startTestNode, type TestNode } from './helpers/testNode.ts';
import { inclusionCases, unhex } from '../src/ledger/testdata/vectors.ts';
import { seedDemo } from '../src/node/demo.ts';
import type { Receipt } from '../src/node/receipt.ts';
import { nobleCrypto } from '../src/ledger/noble.ts';
import { inclusionPath } from '../src/ledger/proof.ts';
import { verifyReceipt } from '../web/src/receiptCheck.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const text = (r: Receipt) => Buffer.from(r.entry, 'base64').toString('utf8');
const trusted = { status: 'passed' as const, message: 'Given.' };

describe('the browser receipt verifier, in Node', () => {
  it('agrees with every RFC 9162 inclusion vector, valid and tampered', async () => {
    for (const c of inclusionCases()) {
      let outcome: string;
      try {
        const path = inclusionPath(nobleCrypto.hasher, c.index, c.size, unhex(c.leafHash), c.proof.map(unhex));
        const root = path.length > 0 ? path[path.length - 1].node : unhex(c.leafHash);
        outcome = Buffer.from(root).equals(unhex(c.root)) ? 'ok' : 'root-mismatch';
      } catch (e) {
        outcome = /beyond tree size/.test((e as Error).message) ? 'index-beyond-size' : /wrong proof size/.test((e as Error).message) ? 'wrong-proof-size' : 'invalid-argument';
      }
      expect(outcome, c.desc).toBe(c.want);
    }
  });
});

describe('the Receipts and Models pages in a browser', () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;
  let key: string;
  let inference: number;
  let receipt: Receipt;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    await seedDemo(t.node);
    key = t.node.key.verifierKey;
    for (let i = t.node.size - 1; i >= 0; i--) {
      if (JSON.parse(t.node.entry(i).toString('utf8')).action.type === 'InferenceRecord') {
        inference = i;
        break;
      }
    }
    receipt = t.node.receiptFor(inference);
    browser = await launchBrowser();
    page = await browser.newPage();
    await collectPageErrors(page, errors);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('checks a real receipt in Node, and names the step a tampered one fails at', async () => {
    expect((await verifyReceipt(receipt, key, trusted)).ok).toBe(true);
    const edited = { ...receipt, entry: b64(text(receipt).replace('"inputTokens":120', '"inputTokens":121')) };
    const bad = await verifyReceipt(edited, key, trusted);
    expect(bad.steps.map((s) => s.status)).toEqual(['passed', 'passed', 'failed', 'not checked', 'not checked']);
    const otherKey = key.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    expect((await verifyReceipt(receipt, otherKey, trusted)).steps[0].message).toMatch(/key id 00000000 does not match its name and key/);
    const forged = { ...receipt, checkpoint: receipt.checkpoint.replace(/\n\d+\n/, `\n${receipt.inclusionProof.size + 1}\n`) };
    expect((await verifyReceipt(forged, key, trusted)).verdict).toMatch(/step 2 .*does not verify over the note's text/);
  });

  it('verifies an inference receipt step by step in the browser, pinning the node key', async () => {
    await page.goto(`${t.url}/#/receipts?index=${inference}`);
    const verdict = page.locator('.verdict');
    await verdict.waitFor();
    expect(await verdict.textContent()).toMatch(new RegExp(`^Verified: entry ${inference} \\(InferenceRecord\\) is in the log tributary\\.local/[0-9a-f]{16} at tree size ${t.node.size}`));
    expect(await verdict.getAttribute('role')).toBe('status');
    const steps = page.locator('.verify-steps > li');
    expect(await steps.count()).toBe(5);
    expect(await page.locator('.verify-steps > li.passed').count()).toBe(5);
    // The values each step compared are on the page: the leaf hash, the signed root, the decoded action.
    const body = await page.locator('.receipt-report').textContent();
    expect(body).toContain(receipt.leafHash);
    expect(body).toContain('demo-river@1');
    expect(await page.getByRole('table', { name: /path from the leaf to the root/ }).count()).toBe(1);
    expect(await page.evaluate('Object.keys(localStorage).filter((k) => k.startsWith("tributary:verifier-key:")).length')).toBe(1);
    await screenshot(page, 'receipts');

    // The page's own "change the entry" box fails at the leaf hash.
    await page.getByText('Try it: change the entry and check again').click();
    const box = page.getByLabel('Entry text (the exact bytes that were logged)');
    await box.fill(((await box.inputValue()) as string).replace('demo-river@1', 'demo-river@2'));
    await page.getByRole('button', { name: 'Check the edited entry' }).click();
    await page.locator('.tamper .verdict.bad').waitFor();
    expect(await page.locator('.tamper .verdict').textContent()).toMatch(/^Not verified: step 3 \(The entry hashes to the leaf\) failed\. The entry bytes hash to [0-9a-f]{64}, but the receipt's leaf hash is [0-9a-f]{64}/);
    expect(errors).toEqual([]);
  }, 60_000);

  it('fails a pasted receipt with edited entry text at the entry hash, and one with a matching leaf hash at the proof', async () => {
    await page.goto(`${t.url}/#/receipts`);
    const edited = text(receipt).replace('"inputTokens":120', '"inputTokens":121');
    expect(edited).not.toBe(text(receipt));
    const tampered = { ...receipt, entry: b64(edited) };
    await page.getByLabel('Receipt JSON').fill(JSON.stringify(tampered, null, 2));
    await page.getByRole('button', { name: 'Verify receipt' }).click();
    const verdict = page.locator('.verdict');
    await verdict.waitFor();
    expect(await verdict.getAttribute('role')).toBe('alert');
    expect(await verdict.textContent()).toContain(`Not verified: step 3 (The entry hashes to the leaf) failed. The entry bytes hash to ${createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(edited)])).digest('hex')}, but the receipt's leaf hash is ${receipt.leafHash}`);
    expect(await page.locator('.verify-steps > li.not-checked').count()).toBe(2);

    // Recomputing the leaf hash too only moves the failure to the proof: the signed root does not change.
    const leaf = createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(edited)])).digest('hex');
    const relabelled = { ...tampered, leafHash: leaf, inclusionProof: { ...tampered.inclusionProof, leafHash: leaf } };
    await page.getByLabel('Receipt JSON').fill(JSON.stringify(relabelled));
    await page.getByRole('button', { name: 'Verify receipt' }).click();
    await page.locator('.verdict', { hasText: 'step 4' }).waitFor();
    expect(await page.locator('.verdict').textContent()).toMatch(
      new RegExp(`step 4 \\(The inclusion proof leads to the checkpoint's root\\) failed\\. The proof leads from this leaf to root [0-9a-f]{64}, but the signed checkpoint's root is [0-9a-f]{64}: this entry is not at index ${inference} of that tree`),
    );

    await page.getByLabel('Receipt JSON').fill('{"index": 1}');
    await page.getByRole('button', { name: 'Verify receipt' }).click();
    await page.getByText('Not a receipt: the receipt lacks "leafHash".').waitFor();
    expect(errors).toEqual([]);
  }, 60_000);

  it('warns when the node key differs from the one pinned in this browser', async () => {
    await page.evaluate(`localStorage.setItem('tributary:verifier-key:' + location.origin, JSON.stringify({ key: 'old+00000000+AQ==', since: '2026-01-01T00:00:00Z' }))`);
    await page.goto(`${t.url}/#/receipts?index=0`);
    await page.locator('.verdict').waitFor();
    expect(await page.locator('.verify-steps > li').first().textContent()).toMatch(/warning.*The node's key changed: this browser pinned old\+00000000\+AQ== on 2026-01-01/);
    await page.getByRole('button', { name: 'Trust the new key' }).click();
    await page.getByText('This browser now trusts the node’s new key.').waitFor();

    // Keyboard: type an index and press Enter; the new pin holds, so step 1 passes.
    await page.getByLabel('Log index').fill('1');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Log entry 1' }).waitFor();
    expect(await page.locator('.verify-steps > li.passed').count()).toBe(5);
  }, 60_000);

  it('lists the models and shows one model’s provenance, fees, evaluation and usage', async () => {
    await page.goto(`${t.url}/#/models`);
    await page.getByRole('link', { name: 'demo-river@1' }).click();
    await page.getByRole('heading', { level: 1, name: 'demo-river@1' }).waitFor();
    const model = ((await (await fetch(`${t.url}/v1/models/demo-river@1`)).json()) as { tributary: { training: { job: number } } }).tributary;
    const stages = page.getByRole('list', { name: /^Provenance of demo-river@1/ }).locator(':scope > li');
    expect(await stages.locator('h3').allTextContents()).toEqual(['Base model', 'Training data', 'Adapter', 'This model']);
    expect(await stages.nth(1).textContent()).toMatch(/demo-river-notes.*version 1.*snapshot root/);
    expect(await stages.nth(2).getByRole('link', { name: `job ${model.training.job}` }).getAttribute('href')).toBe(`#/receipts?index=${model.training.job}`);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toMatch(/nats per token, against [\d.]+ for the base model alone/);
    expect(main).toContain('2 tokens'); // 2 tokens per 1k input
    expect(await page.getByRole('table', { name: 'How each fee is split' }).locator('tbody tr').count()).toBe(4);
    expect(main).toMatch(/inferences3/);
    await screenshot(page, 'models');
    expect(errors).toEqual([]);
  }, 60_000);
});
