// Proof of Attribution end to end: a real node, real contributions, the real GPT-2
// tokenizer and suffix-array index, over HTTP.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import type { LocalSigner } from '../src/client/signer.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const gen = new TextGenerator(11);
const docs = Array.from({ length: 12 }, () => gen.document(150));
const words = (i: number, from: number, n: number) => docs[i].split(/\s+/).filter(Boolean).slice(from, from + n).join(' ');

describe('attribution over HTTP', () => {
  let t: TestNode;
  const owner = newSigner();
  const authors = [newSigner(), newSigner(), newSigner()];
  const ids: number[] = [];

  const contribute = async (who: LocalSigner, datanet: string, text: string, name: string) => {
    const c = Buffer.from(text);
    return t.client.act(who, { type: 'Contribute', datanet, contentHash: sha(c), size: c.length, fileName: name }, c);
  };
  const post = async (body: unknown) => {
    const res = await fetch(`${t.url}/v1/attribution`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    t = await startTestNode();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'lore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (let i = 0; i < docs.length; i++) ids.push((await contribute(authors[i % 3], 'lore', docs[i], `d${i}.txt`)).index);
  });
  afterAll(async () => t.stop());

  it('credits the contributions a text copies, with spans at the right offsets', async () => {
    const text = `Something new entirely. ${words(3, 20, 25)} and then ${words(8, 5, 15)} to finish.`;
    const { status, json } = await post({ datanet: 'lore', text });
    expect(status).toBe(200);
    const credited = json.contributions.map((c: { contribution: number }) => c.contribution).sort((a: number, b: number) => a - b);
    expect(credited).toEqual([ids[3], ids[8]]);
    expect(json.contributions.reduce((s: number, c: { ppm: number }) => s + c.ppm, 0)).toBe(json.attributedPpm);
    expect(json.attributedPpm + json.unattributedPpm).toBe(1_000_000);
    for (const s of json.spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(json.spans[0].text).toContain(words(3, 22, 10));
    // The same question twice gives the same bytes.
    expect(JSON.stringify((await post({ datanet: 'lore', text })).json)).toBe(JSON.stringify(json));
  });

  it('answers from a version, and an opt-out removes credit', async () => {
    await t.client.act(owner, { type: 'Snapshot', datanet: 'lore' });
    const text = `${words(5, 0, 30)}`;
    const before = await post({ snapshot: { datanet: 'lore', version: 1 }, text });
    expect(before.json.contributions.map((c: { contribution: number }) => c.contribution)).toEqual([ids[5]]);
    await t.client.act(authors[5 % 3], { type: 'OptOut', contribution: ids[5], reason: 'mine' });
    const after = await post({ snapshot: { datanet: 'lore', version: 1 }, text });
    expect(after.json.contributions).toEqual([]);
    expect(after.json.unattributedPpm).toBe(1_000_000);
    const live = await post({ datanet: 'lore', text });
    expect(live.json.contributions).toEqual([]);
  });

  it('flags or refuses near-duplicates per the datanet policy; the first contributor keeps the credit', async () => {
    const copy = docs[1].slice(0, 600);
    await t.client.act(owner, { type: 'SetDuplicatePolicy', datanet: 'lore', policy: 'flag', thresholdPpm: 500_000, minSpan: 16 });
    const flagged = await contribute(authors[2], 'lore', copy, 'copy.txt');
    const rec = await t.client.contribution(flagged.index);
    expect((rec as unknown as { duplicateOf: number[] }).duplicateOf).toEqual([ids[1]]);
    const a = await post({ datanet: 'lore', text: docs[1].slice(100, 400) });
    expect(a.json.contributions.map((c: { contribution: number }) => c.contribution)).toEqual([ids[1]]);

    await t.client.act(owner, { type: 'SetDuplicatePolicy', datanet: 'lore', policy: 'reject', thresholdPpm: 500_000, minSpan: 16 });
    const before = t.node.size;
    const res = await contribute(authors[0], 'lore', docs[2].slice(0, 700), 'copy2.txt').catch((e: unknown) => e);
    expect(res).toMatchObject({ status: 409, field: 'content' });
    expect((res as { details: { repeats: number[] } }).details.repeats).toEqual([ids[2]]);
    expect(t.node.size).toBe(before);
  });

  it('refuses bad requests with the field at fault', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ text: 'x' }, 400, 'datanet'],
      [{ datanet: 'lore', snapshot: { datanet: 'lore', version: 1 }, text: 'x' }, 400, 'datanet'],
      [{ datanet: 'nope', text: 'x' }, 404, 'datanet'],
      [{ snapshot: { datanet: 'lore', version: 9 }, text: 'x' }, 404, 'snapshot.version'],
      [{ model: 'm', text: 'x' }, 404, 'model'],
      [{ datanet: 'lore', text: 5 }, 400, 'text'],
      [{ datanet: 'lore', text: 'x', minSpan: 0 }, 400, 'minSpan'],
    ];
    for (const [body, status, field] of cases) {
      const r = await post(body);
      expect({ body, status: r.status, field: r.json.error.field }).toEqual({ body, status, field });
    }
  });

  it('reports index status and builds on request', async () => {
    const st = await t.client.buildIndex('lore');
    expect(st.liveDocuments).toBeGreaterThan(0);
    expect(st.logSize).toBe(t.node.size);
    const all = await t.client.indexStatus();
    expect(all.map((s) => `${s.datanet}@${s.version}`)).toEqual(expect.arrayContaining(['lore@null', 'lore@1']));
  });
});
