// The promise serving exists for, end to end: a model built from contributions answers
// with text that reproduces one of them, the node attributes the answer to that
// contribution, and its author's earnings rise by exactly the data share of the fee.
// The model is real: a small llama pretrained here (in a few seconds) on the datanet's
// two contributions until it knows them by heart, served by node-llama-cpp.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERON, makeReciter } from './fixtures/reciter.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { putModelFile } from './helpers/uploads.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const OTHER = 'Copper kettles hum softly when winter lanterns glow over Pellan harbour.';
const PRICE = 2000n; // per 1k tokens, input and output: every fee is a multiple of 2
const DATA_BPS = 5000n;

describe('serving pays the author of the text an answer reproduces', () => {
  let t: TestNode;
  let dir: string;
  const owner = newSigner();
  const heronAuthor = newSigner();
  const otherAuthor = newSigner();
  const payer = newSigner();
  const key = `trib_${randomBytes(24).toString('hex')}`;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-heron-'));
    const trained = await makeReciter(join(dir, 'heron.gguf'), [HERON, OTHER]);
    t = await startTestNode({ epochSeconds: 0 });
    const file = readFileSync(trained);
    expect((await putModelFile(t.url, file, owner)).status).toBe(200);
    await t.client.act(owner, { type: 'RegisterBaseModel', name: 'heron-base', file: sha(file) });
    await t.client.act(owner, { type: 'CreateDatanet', name: 'shore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [name, text, author] of [['heron', HERON, heronAuthor], ['other', OTHER, otherAuthor]] as const) {
      const c = Buffer.from(text);
      ids[name] = (await t.client.act(author, { type: 'Contribute', datanet: 'shore', contentHash: sha(c), size: c.length, fileName: `${name}.txt` }, c)).index;
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'shore' });
    await t.client.act(owner, {
      type: 'RegisterModel', name: 'heron', datanet: 'shore', snapshot: 1, base: sha(file), adapter: '0x' + '00'.repeat(32), job: 0,
      pricePer1kInput: PRICE.toString(), pricePer1kOutput: PRICE.toString(), dataBps: Number(DATA_BPS), ownerBps: 2500, computeBps: 2000, treasuryBps: 500, baselineBps: 0,
    });
    await t.client.faucet(payer.address, (10n ** 18n).toString());
    await t.client.act(payer, { type: 'CreateApiKey', keyHash: sha(Buffer.from(key)), label: 'heron' });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("attributes a reproduced contribution to it and raises its author's earnings by the data share", async () => {
    const unpaid = async (a: string) => BigInt((await t.client.account(a)).unpaid);
    const [heronBefore, otherBefore] = [await unpaid(heronAuthor.address), await unpaid(otherAuthor.address)];
    const openai = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
    const r = await openai.completions.create({ model: 'heron@1', prompt: 'The heron counts', max_tokens: 14, temperature: 0 });
    // The model recites the rest of the contribution.
    expect(r.choices[0].text).toContain('41 quiet stones below the mill at Varrow');
    const a = (r as unknown as { attribution: { fee: string; contributions: Array<{ contribution: number; weight_ppm: number }>; spans: unknown[] } }).attribution;
    expect(a.contributions).toEqual([{ contribution: ids.heron, weight_ppm: 1_000_000 }]);
    expect(a.spans.length).toBeGreaterThan(0);
    // The fee is the published price of the tokens used; the author gets its data share.
    const fee = ((BigInt(r.usage!.prompt_tokens) + BigInt(r.usage!.completion_tokens)) * PRICE) / 1000n;
    expect(BigInt(a.fee)).toBe(fee);
    expect((await unpaid(heronAuthor.address)) - heronBefore).toBe((fee * DATA_BPS) / 10_000n);
    expect(await unpaid(otherAuthor.address)).toBe(otherBefore);
  }, 60_000);
});
