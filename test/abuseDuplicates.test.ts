// Floods of near-duplicate contributions from many accounts at once, against a datanet's
// duplicate policy: under "reject" every copy is refused (409 naming the originals) and
// nothing is written; under "flag" every copy is accepted but flagged, and the originals
// keep the credit. The node keeps answering other clients throughout.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import { ApiError } from '../src/client/errors.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const gen = new TextGenerator(23);
const originals = Array.from({ length: 4 }, () => gen.document(200));
const FLOOD = 48;

/** A near-duplicate: most of an original, with a new opening and a few words changed. */
function nearCopy(i: number): string {
  const words = originals[i % originals.length].split(/\s+/).filter(Boolean).slice(0, 150);
  words[40] = 'completely';
  words[90] = 'different';
  return `Copy ${i} by another hand. ${words.join(' ')}`;
}

describe('a flood of near-duplicates from many accounts', () => {
  let t: TestNode;
  const owner = newSigner();
  const ids: number[] = [];
  const flooders = Array.from({ length: FLOOD }, () => newSigner());

  const contribute = (i: number, text: string) => {
    const c = Buffer.from(text);
    return t.client.act(flooders[i], { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: `c${i}.txt` }, c);
  };

  /** Runs `work` while timing /healthz every 50 ms; resolves with the slowest answer. */
  async function whileProbing<T>(work: () => Promise<T>): Promise<{ result: T; slowestMs: number }> {
    let slowestMs = 0;
    let done = false;
    const probe = (async () => {
      while (!done) {
        const t0 = Date.now();
        expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
        slowestMs = Math.max(slowestMs, Date.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const result = await work();
    done = true;
    await probe;
    return { result, slowestMs };
  }

  beforeAll(async () => {
    t = await startTestNode();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'lore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [i, text] of originals.entries()) {
      const c = Buffer.from(text);
      ids.push((await t.client.act(owner, { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: `o${i}.txt` }, c)).index);
    }
    // Near-duplicates are measured against the index: let it take in the originals first.
    await t.client.buildIndex('lore');
  });
  afterAll(async () => t.stop());

  it('under "reject", every copy is refused with the originals named, and nothing is written', { timeout: 60_000 }, async () => {
    await t.client.act(owner, { type: 'SetDuplicatePolicy', datanet: 'lore', policy: 'reject', thresholdPpm: 500_000, minSpan: 16 });
    const size = t.node.size;
    const root = t.node.state.hash.root().toString('hex');
    const { result, slowestMs } = await whileProbing(() => Promise.all(flooders.map((_, i) => contribute(i, nearCopy(i)).catch((e: unknown) => e))));
    for (const [i, r] of result.entries()) {
      expect(r, `copy ${i}`).toBeInstanceOf(ApiError);
      expect(r).toMatchObject({ status: 409, field: 'content' });
      expect((r as ApiError).details?.repeats).toEqual([ids[i % originals.length]]);
    }
    expect(t.node.size).toBe(size);
    expect(t.node.state.hash.root().toString('hex')).toBe(root);
    expect(slowestMs).toBeLessThan(2_000);
  });

  it('under "flag", every copy is accepted but flagged, and attribution still credits only the originals', { timeout: 60_000 }, async () => {
    await t.client.act(owner, { type: 'SetDuplicatePolicy', datanet: 'lore', policy: 'flag', thresholdPpm: 500_000, minSpan: 16 });
    const { result, slowestMs } = await whileProbing(() => Promise.all(flooders.map((_, i) => contribute(i, nearCopy(i)))));
    for (const [i, r] of result.entries()) {
      const rec = (await t.client.contribution(r.index)) as unknown as { duplicateOf?: number[] };
      expect(rec.duplicateOf, `copy ${i}`).toEqual([ids[i % originals.length]]);
    }
    expect(slowestMs).toBeLessThan(2_000);
    await t.client.buildIndex('lore');
    const text = originals[1].split(/\s+/).slice(100, 140).join(' ');
    const res = await fetch(`${t.url}/v1/attribution`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ datanet: 'lore', text }) });
    const json = (await res.json()) as { contributions: Array<{ contribution: number }> };
    expect(json.contributions.map((c) => c.contribution)).toEqual([ids[1]]);
  });
});
