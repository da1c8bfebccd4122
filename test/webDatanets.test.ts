// The Datanets and Log pages in headless Chromium against a real node: browsing datanets,
// contributing a file signed by the key kept in the browser (checked over the API), and
// searching the log by index, leaf hash and account. Screenshots: datanets.png, log.png.
import { createHash } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { TypedDataDomain } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, screenshot } from './helpers/browser.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const NOTES = 'field-notes';
const QA = 'field-qa';
const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('the Datanets and Log pages in a browser', () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const owner = newSigner();
  const author = newSigner();
  let browserAddress = '';
  let contributed: { index: number; leafHash: string };

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    const act = (s: typeof owner, action: Record<string, unknown>, content?: Buffer) => t.client.act(s, action as never, content);
    await act(owner, { type: 'CreateDatanet', name: NOTES, description: 'Notes from the field.', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [i, text] of ['The Rhone leaves Lake Geneva at Geneva.\n', 'The Loire is the longest river in France.\n'].entries()) {
      const body = Buffer.from(text);
      await act(author, { type: 'Contribute', datanet: NOTES, contentHash: sha(body), size: body.length, fileName: `note-${i}.txt` }, body);
    }
    await act(owner, { type: 'Snapshot', datanet: NOTES });
    const schema = JSON.stringify({ type: 'object', required: ['q', 'a'], properties: { q: { type: 'string' }, a: { type: 'string' } } });
    await act(owner, { type: 'CreateDatanet', name: QA, description: 'Questions and answers.', license: 'CC-BY-4.0', kind: 'jsonl', schema, policy: 'curated', curators: [author.address] });
    const qa = Buffer.from('{"q":"Longest river in France?","a":"The Loire."}\n');
    const r = await act(owner, { type: 'Contribute', datanet: QA, contentHash: sha(qa), size: qa.length, fileName: 'qa.jsonl' }, qa);
    await act(author, { type: 'Curate', contribution: r.result.contribution as number, decision: 'reject', reason: 'needs a source' });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await collectPageErrors(page, errors);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('browses datanets: counts, curation status, curators and versions', async () => {
    await page.goto(`${t.url}/#/datanets`);
    await page.getByRole('heading', { level: 1, name: 'Datanets' }).waitFor();
    await page.getByRole('heading', { level: 2, name: NOTES }).waitFor();
    expect(await page.getByRole('link', { name: QA }).count()).toBe(1);
    await page.getByRole('table', { name: /Versions of/ }).waitFor();
    await page.locator('#contributions').getByText('note-1.txt').waitFor();

    await page.getByRole('link', { name: QA }).click();
    await page.getByRole('heading', { level: 2, name: QA }).waitFor();
    await page.getByText('needs a source').waitFor();
    expect(await page.getByText('curated: contributions wait for the owner or a curator').count()).toBe(1);
    expect(await page.getByText('No versions yet.').count()).toBe(1);
    expect(await page.locator('dd code[title]').filter({ hasText: author.address.slice(0, 8) }).count()).toBeGreaterThan(0);
    // The status filter narrows the list; an empty result says what to do.
    await page.getByLabel('Show').selectOption('accepted');
    await page.getByText('No accepted contributions.').waitFor();
    expect(errors).toEqual([]);
  }, 30_000);

  it('contributes a file signed in the browser and shows its receipt', async () => {
    await page.goto(`${t.url}/#/datanets?name=${NOTES}`);
    await page.getByRole('heading', { level: 3, name: `Contribute a file to ${NOTES}` }).waitFor();
    browserAddress = (await page.locator('#signer code').getAttribute('data-address'))!;
    expect(browserAddress).toMatch(/^0x[0-9a-f]{40}$/);
    expect(await page.locator('#signer').textContent()).toContain('a key kept in this browser');

    const body = Buffer.from('The Rhine rises in the Swiss Alps.\n');
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'rhine.txt', mimeType: 'text/plain', buffer: body });
    await page.getByRole('button', { name: 'Sign and contribute' }).click();
    const receipt = page.locator('#contribute-result .receipt');
    await receipt.getByText(/rhine\.txt: contribution \d+, accepted/).waitFor();

    const c = await t.client.findContent(NOTES, sha(body));
    expect(c).toBeDefined();
    expect(c!.author).toBe(browserAddress);
    expect(c!.status).toBe('accepted');
    expect(c!.fileName).toBe('rhine.txt');
    const entry = await t.client.entry(c!.id);
    contributed = { index: c!.id, leafHash: entry.leafHash };
    expect(await receipt.getByText(entry.leafHash).count()).toBe(1);
    expect(await receipt.getByRole('link', { name: `Open the receipt for entry ${c!.id}` }).getAttribute('href')).toBe(`#/receipts?index=${c!.id}`);
    // The list refreshes with the new contribution.
    await page.locator('#contributions').getByText('rhine.txt').waitFor();

    // The same bytes again: refused before signing, naming the original.
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'rhine-again.txt', mimeType: 'text/plain', buffer: body });
    await page.getByRole('button', { name: 'Sign and contribute' }).click();
    await page.getByText(`This content is already contribution ${c!.id} in ${NOTES}`).waitFor();
    await screenshot(page, 'datanets');
    expect(errors).toEqual([]);
  }, 30_000);

  it('signs with an injected wallet (EIP-1193, eth_signTypedData_v4) when the page has one', async () => {
    // A wallet in the page: accounts and typed-data signing answered by viem in this
    // process with a fresh key, exactly as a wallet would sign the JSON the page sends.
    const wallet = privateKeyToAccount(generatePrivateKey());
    const context = await browser.newContext();
    await context.exposeFunction('__walletSign', async (json: string) => {
      const { domain, types, primaryType, message } = JSON.parse(json) as { domain: TypedDataDomain; types: Record<string, Array<{ name: string; type: string }>>; primaryType: string; message: Record<string, unknown> };
      const { EIP712Domain: _declared, ...rest } = types;
      return wallet.signTypedData({ domain, types: rest, primaryType, message });
    });
    await context.addInitScript((address: string) => {
      (globalThis as unknown as { ethereum: unknown }).ethereum = {
        request: async ({ method, params }: { method: string; params?: unknown[] }) => {
          if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address];
          if (method === 'eth_signTypedData_v4') return (globalThis as unknown as { __walletSign(json: string): Promise<string> }).__walletSign(params![1] as string);
          throw new Error(`this test wallet does not do ${method}`);
        },
      };
    }, wallet.address);
    const walletPage = await context.newPage();
    await collectPageErrors(walletPage, errors);
    await walletPage.goto(`${t.url}/#/datanets?name=${NOTES}`);
    await walletPage.getByRole('heading', { level: 3, name: `Contribute a file to ${NOTES}` }).waitFor();
    await walletPage.locator('#signer').getByText('wallet').waitFor();
    const body = Buffer.from('The Elbe flows into the North Sea at Cuxhaven.\n');
    await walletPage.getByLabel('File', { exact: true }).setInputFiles({ name: 'elbe.txt', mimeType: 'text/plain', buffer: body });
    await walletPage.getByRole('button', { name: 'Sign and contribute' }).click();
    await walletPage.locator('#contribute-result .receipt').getByText(/elbe\.txt: contribution \d+, accepted/).waitFor();
    const c = await t.client.findContent(NOTES, sha(body));
    expect(c!.author).toBe(wallet.address.toLowerCase());
    await context.close();
    expect(errors).toEqual([]);
  }, 30_000);

  it('shows the checkpoint and recent entries, and searches by index, leaf hash and account', async () => {
    await page.goto(`${t.url}/#/log`);
    await page.getByRole('heading', { level: 1, name: 'Transparency log' }).waitFor();
    const size = t.node.size;
    await page.getByText(`${size} entries (indexes 0 to ${size - 1})`).waitFor();
    await page.getByRole('table', { name: `Entries 0 to ${size - 1} of ${size}, newest first` }).waitFor();
    const search = async (q: string) => {
      await page.getByLabel('Index, leaf hash or account').fill(q);
      await page.getByLabel('Index, leaf hash or account').press('Enter');
    };
    const results = page.locator('#log-results');

    await search('2');
    await results.getByRole('table', { name: 'Entry 2' }).waitFor();
    expect(await results.getByRole('link', { name: 'Receipt for entry 2' }).getAttribute('href')).toBe('#/receipts?index=2');
    expect(await results.getByText('Contribute').count()).toBe(1);

    await search(contributed.leafHash);
    await results.getByRole('table', { name: /The entry with leaf hash/ }).waitFor();
    expect(await results.getByRole('link', { name: `Receipt for entry ${contributed.index}` }).count()).toBe(1);

    await search(browserAddress);
    await results.getByRole('table', { name: /1 entry mentioning account/ }).waitFor();
    expect(await results.getByRole('link', { name: `Receipt for entry ${contributed.index}` }).count()).toBe(1);
    await results.getByText('Searched back to entry 0.').waitFor();

    await search(author.address);
    await results.getByRole('table', { name: /4 entries mentioning account/ }).waitFor(); // 2 contributions, a curator listing, a decision

    await search('not a thing');
    await results.getByRole('alert').getByText(/is not something the log can be searched by/).waitFor();
    await search('99999');
    await results.getByRole('alert').waitFor();
    await search(author.address);
    await results.getByRole('table').waitFor();
    await screenshot(page, 'log');
    expect(errors).toEqual([]);
  }, 30_000);

  it('answers the search routes with precise errors', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${t.url}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { field?: string } } };
    };
    const leaf = await get(`/v1/log/leaves/0x${contributed.leafHash}`);
    expect(leaf).toEqual({ status: 200, body: { index: contributed.index, leafHash: contributed.leafHash } });
    expect((await get(`/v1/log/leaves/${'0'.repeat(64)}`)).status).toBe(404);
    const bad = await get('/v1/log/search?mentions=0x1234');
    expect(bad.status).toBe(400);
    expect(bad.body.error?.field).toBe('query.mentions');
    // Paged: one match a call, continuing below the last one.
    const first = await get(`/v1/log/search?mentions=${author.address}&limit=1`);
    const firstBody = first.body as { matches: Array<{ index: number }>; next: number };
    expect(firstBody.matches).toHaveLength(1);
    const second = await get(`/v1/log/search?mentions=${author.address}&limit=1&before=${firstBody.next}`);
    expect((second.body as { matches: Array<{ index: number }> }).matches[0].index).toBeLessThan(firstBody.matches[0].index);
  });
  // Last: the attribution index then grows by a megabyte in the background, which would slow the pages above.
  it('stages a large file under an upload intent signed in the browser, then contributes it', async () => {
    await page.goto(`${t.url}/#/datanets?name=${NOTES}`);
    await page.getByRole('heading', { level: 3, name: `Contribute a file to ${NOTES}` }).waitFor();
    const puts: Array<{ url: string; signer?: string }> = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT') puts.push({ url: r.url(), signer: r.headers()['x-upload-signer'] });
    });
    // Over the page's 1 MiB threshold: uploaded first (PUT /v1/blobs), signed for as an upload.
    const body = Buffer.from(Array.from({ length: 36_000 }, (_, i) => `Danube gauge ${i} reads ${(i * 7919) % 1000} cm.\n`).join(''));
    expect(body.length).toBeGreaterThan(1024 * 1024);
    await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'danube.txt', mimeType: 'text/plain', buffer: body });
    await page.getByRole('button', { name: 'Sign and contribute' }).click();
    await page.locator('#contribute-result .receipt').getByText(/danube\.txt: contribution \d+, accepted/).waitFor({ timeout: 30_000 });
    expect(puts).toEqual([{ url: `${t.url}/v1/blobs/${sha(body)}`, signer: browserAddress }]);
    const c = await t.client.findContent(NOTES, sha(body));
    expect(c!.author).toBe(browserAddress);
    // Claimed by the contribution: no longer counted against the browser account's upload quota.
    expect(t.node.uploads.held(browserAddress)).toBe(0);
    expect(errors).toEqual([]);
  }, 60_000);

});
