// Browser hardening, seen from headless Chromium against a real node: the explorer and
// the API arrive with a Content-Security-Policy, nosniff and a Referrer-Policy; every
// page of the explorer works under that policy without a single violation, while inline
// script and style are refused and another origin cannot frame it; and a contribution
// (or a model file) whose bytes are an HTML page with a script, opened by its URL,
// downloads under its own name and never runs.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser } from './helpers/browser.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const DATANET = 'field-notes';
// If this ever ran in the node's origin it would call home: the test watches for the call.
const HOSTILE = Buffer.from('<!doctype html><html><head><title>pwned</title></head><body><h1>pwned</h1><script>fetch("/v1/pwned?by=script");document.title="ran"</script><img src="/v1/pwned?by=img"></body></html>\n');
const HOSTILE_NAME = 'rivière (draft) "index".html.txt';

describe('browser hardening', () => {
  let t: TestNode;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let framer: Server;
  let framerUrl = '';
  const errors: string[] = [];
  /** Every URL the browser asked for, from any page of the context. */
  const requested: string[] = [];
  let hostileId = 0;
  let snapshotEntry = 0;
  let modelHash = '';
  const author = newSigner();

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    const act = (action: Record<string, unknown>, content?: Buffer) => t.client.act(author, action as never, content);
    await act({ type: 'CreateDatanet', name: DATANET, description: 'Notes from the field.', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const plain = Buffer.from('The Rhone leaves Lake Geneva at Geneva.\n');
    await act({ type: 'Contribute', datanet: DATANET, contentHash: sha(plain), size: plain.length, fileName: 'rhone.txt' }, plain);
    const r = await act({ type: 'Contribute', datanet: DATANET, contentHash: sha(HOSTILE), size: HOSTILE.length, fileName: HOSTILE_NAME }, HOSTILE);
    hostileId = r.result.contribution as number;
    snapshotEntry = (await act({ type: 'Snapshot', datanet: DATANET })).index;
    // A stored model file holding the same page, through the store's own receive/keep (the
    // upload route would refuse it as a GGUF; the download route must be safe regardless).
    modelHash = sha(HOSTILE);
    t.node.models.files.keep(await t.node.models.files.receive(Readable.from([HOSTILE]), modelHash, 1 << 20));

    // Another origin (another port) that tries to frame the explorer.
    framer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>framer</title><iframe id="f" src="${t.url}/"></iframe>`));
    await new Promise<void>((done) => framer.listen(0, '127.0.0.1', done));
    const a = framer.address();
    framerUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;

    browser = await launchBrowser();
    context = await browser.newContext({ acceptDownloads: true });
    context.on('request', (req) => requested.push(req.url()));
    page = await context.newPage();
    await collectPageErrors(page, errors);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => framer?.close(done));
    await t?.stop();
  });

  /** The response the page receives for the first URL matching `match` while `during` runs. */
  const responseTo = async (match: RegExp, during: () => Promise<unknown>): Promise<Response> => {
    const [res] = await Promise.all([page.waitForResponse((r) => match.test(r.url())), during()]);
    return res;
  };

  it('serves the explorer, its assets and the API with the security headers, as Chromium receives them', async () => {
    const doc = (await page.goto(`${t.url}/`))!;
    const h = await doc.allHeaders();
    const csp = h['content-security-policy'].split(';').map((d) => d.trim());
    for (const d of ["default-src 'self'", "script-src 'self'", "script-src-attr 'none'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"])
      expect(csp).toContain(d);
    expect(h['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('no-referrer');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['strict-transport-security']).toBeUndefined();
    expect(h['content-type']).toBe('text/html; charset=utf-8');

    const script = readFileSync(`${import.meta.dirname}/../web/dist/index.html`, 'utf8').match(/src="(\/assets\/[^"]+\.js)"/)![1];
    const asset = await responseTo(new RegExp(script.replace(/[.]/g, '\\.')), () => page.reload());
    expect((await asset.allHeaders())['x-content-type-options']).toBe('nosniff');

    // A JSON answer and a JSON error, fetched by the page itself.
    for (const [path, status] of [['/v1/node', 200], ['/v1/no-such-route', 404], ['/v1/contributions/not-a-number', 400]] as const) {
      const res = await responseTo(new RegExp(path.replace(/[/]/g, '\\/') + '$'), () => page.evaluate((p) => fetch(p), path));
      const rh = await res.allHeaders();
      expect(res.status(), path).toBe(status);
      expect(rh['content-type'], path).toMatch(/^application\/json/);
      expect(rh['x-content-type-options'], path).toBe('nosniff');
      expect(rh['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(rh['referrer-policy'], path).toBe('no-referrer');
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('opens every page of the explorer under the policy without a violation or an error', async () => {
    const pages = ['', 'datanets', `datanets?name=${DATANET}`, 'models', 'playground', `earnings?account=${author.address}`, 'receipts', `receipts?index=${snapshotEntry}`, 'log', `log?q=${author.address}`];
    for (const p of pages) {
      await page.goto(`${t.url}/#/${p}`);
      await page.locator('main[aria-busy="false"]').waitFor();
      expect(await page.locator('main h1').count(), p).toBeGreaterThan(0);
      expect(await page.locator('main .notice.error').count(), `${p}: ${await page.locator('main .notice.error').allTextContents()}`).toBe(0);
    }
    // The explorer still reads contribution bytes over fetch (the download headers do not get in its way).
    expect(await page.evaluate((id) => fetch(`/v1/contributions/${id}/content`).then((r) => r.text()), hostileId)).toBe(HOSTILE.toString());
    expect(errors).toEqual([]);
  }, 120_000);

  it('refuses inline script and style attributes, and would report them (the watch above can fail)', async () => {
    await page.goto(`${t.url}/`);
    await page.locator('main[aria-busy="false"]').waitFor();
    const ran = (await page.evaluate(`(async () => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = true';
      document.body.append(s);
      document.body.setAttribute('style', 'background: red');
      await new Promise((done) => setTimeout(done, 200));
      return { inline: window.__inline === true, background: getComputedStyle(document.body).backgroundColor };
    })()`)) as { inline: boolean; background: string };
    expect(ran.inline).toBe(false);
    expect(ran.background).not.toBe('rgb(255, 0, 0)');
    await expect.poll(() => errors.filter((e) => e.startsWith('securitypolicyviolation: script-src')).length).toBeGreaterThan(0);
    await expect.poll(() => errors.filter((e) => e.startsWith('securitypolicyviolation: style-src')).length).toBeGreaterThan(0);
    errors.length = 0;
  }, 60_000);

  it('cannot be framed by another origin', async () => {
    const framing = await context.newPage();
    const framingErrors: string[] = [];
    await collectPageErrors(framing, framingErrors);
    await framing.goto(framerUrl);
    await framing.locator('#f').waitFor();
    await expect.poll(() => framingErrors.some((e) => /frame-ancestors/.test(e))).toBe(true);
    const child = framing.frames().find((f) => f !== framing.mainFrame())!;
    expect(await child.locator('main#main').count()).toBe(0);
    await framing.close();
  }, 60_000);

  // Chromium keeps the exact UTF-8 name from filename*, and itself turns the quotes into _.
  for (const [what, path, name, type] of [
    ['a contribution', () => `/v1/contributions/${hostileId}/content`, 'rivière (draft) _index_.html.txt', 'text/plain; charset=utf-8'],
    ['a model file', () => `/v1/models/files/${modelHash}`, () => `${modelHash}.gguf`, 'application/octet-stream'],
  ] as const) {
    it(`serves ${what} whose bytes are an HTML page as a download that never runs`, async () => {
      const url = `${t.url}${path()}`;
      const fileName = typeof name === 'function' ? name() : name;
      await page.goto(`${t.url}/`);
      const res = await responseTo(new RegExp(path().replace(/[/]/g, '\\/') + '$'), () => page.evaluate((u) => fetch(u), url));
      const h = await res.allHeaders();
      expect(h['content-type']).toBe(type);
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9 ._\-()]+"; filename\*=UTF-8''/);
      expect(h['content-security-policy']).toBe("default-src 'none'; sandbox; frame-ancestors 'none'");

      // Opened directly, as a link in a chat or a mail would open it.
      requested.length = 0;
      const opened = await context.newPage();
      const [download] = await Promise.all([opened.waitForEvent('download'), opened.goto(url).catch(() => undefined)]);
      expect(download.suggestedFilename()).toBe(fileName);
      expect(readFileSync((await download.path())!)).toEqual(HOSTILE);
      await new Promise((done) => setTimeout(done, 500));
      expect(requested.filter((u) => u.includes('/v1/pwned'))).toEqual([]);
      expect(await opened.title()).not.toMatch(/pwned|ran/);
      await opened.close();
      expect(errors).toEqual([]);
    }, 60_000);
  }
});

describe('security headers on early answers', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode({ rateExempt: [], rateIp: { perSecond: 0.1, burst: 1 } });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('a 429 from the rate limits, answered before any route runs, carries them too', async () => {
    expect((await fetch(`${t.url}/v1/node`)).status).toBe(200);
    const res = await fetch(`${t.url}/v1/node`);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  }, 60_000);

  it('an error met while routing (a malformed URL), before any hook runs, is still nosniff JSON', async () => {
    const res = await fetch(`${t.url}/v1/contributions/%zz`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  }, 60_000);
});
