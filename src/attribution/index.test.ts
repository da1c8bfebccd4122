import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InlineBuilder } from './builder.ts';
import { AttributionIndex, FANOUT } from './index.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';

/** Words as tokens, over a fixed vocabulary: enough to test the index without a real BPE. */
function wordTokenizer(): Tokenizer {
  const vocab = new Map<string, number>();
  const words: string[] = [];
  const id = (w: string) => {
    let t = vocab.get(w);
    if (t === undefined) {
      t = words.length;
      vocab.set(w, t);
      words.push(w);
    }
    return t;
  };
  for (let i = 0; i < 500; i++) id(`w${i}`);
  return {
    id: 'words:test',
    vocabSize: 500,
    encode(text: string) {
      const ids: number[] = [];
      const offsets: number[] = [];
      for (const m of text.matchAll(/\S+/g)) {
        ids.push(vocab.get(m[0]) ?? 0);
        offsets.push(m.index!);
      }
      offsets.push(text.length);
      return { ids: Uint32Array.from(ids), offsets: Uint32Array.from(offsets) };
    },
    decode: (ids) => Array.from(ids, (t) => words[t]).join(' '),
  };
}

function seeded(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const r = seeded(42);
const texts = new Map<number, string>();
for (let id = 1; id <= 40; id++) texts.set(id, Array.from({ length: 60 }, () => `w${Math.floor(r() * 500)}`).join(' '));
/** A query that copies spans from documents 5, 17 and 33, with novel words between. */
function plantedQuery(): string {
  const pick = (id: number, from: number, n: number) => texts.get(id)!.split(' ').slice(from, from + n).join(' ');
  return [pick(5, 10, 20), 'w1 w2 w3', pick(17, 0, 12), 'w4 w5', pick(33, 30, 9), 'w6 w7 w8 w9'].join(' ');
}

function source(wanted: number[], logSize: number) {
  return () => ({ logSize, wanted: new Set(wanted), text: (id: number) => texts.get(id) });
}

function newIndex() {
  const tok = wordTokenizer();
  return new AttributionIndex(mkdtempSync(join(tmpdir(), 'idx-')), tok, new InlineBuilder(tok));
}

describe('AttributionIndex', () => {
  it('finds the planted spans and credits their contributions', async () => {
    const idx = newIndex();
    await idx.sync(source([...texts.keys()], 10));
    const a = idx.attribute(plantedQuery());
    expect(a.contributions.map((c) => c.contribution).sort((x, y) => x - y)).toEqual([5, 17, 33]);
    expect(a.contributions.reduce((s, c) => s + c.ppm, 0)).toBe(a.attributedPpm);
    expect(a.attributedPpm + a.unattributedPpm).toBe(1_000_000);
    expect(a.spans.map((s) => s.text.split(' ').length)).toEqual([20, 12, 9]);
  });

  it('grows in tiers, and merges change no result', async () => {
    const flat = newIndex();
    await flat.sync(source([...texts.keys()], 1));
    const grown = newIndex();
    const ids = [...texts.keys()];
    for (let k = 0; k < ids.length; k += 2) await grown.sync(source(ids.slice(0, k + 2), k + 2));
    const st = grown.status();
    expect(st.shards.some((s) => s.tier >= 1)).toBe(true);
    expect(st.shards.filter((s) => s.tier === 0).length).toBeLessThan(FANOUT);
    expect(st.liveDocuments).toBe(ids.length);
    expect(grown.attribute(plantedQuery())).toEqual(flat.attribute(plantedQuery()));
  });

  it('an opt-out removes credit at once (tombstone), and still after the merge that drops it', async () => {
    const idx = newIndex();
    const ids = [...texts.keys()];
    await idx.sync(source(ids, 1));
    const without17 = ids.filter((id) => id !== 17);
    await idx.sync(source(without17, 2));
    expect(idx.status().tombstones).toBe(1);
    const a = idx.attribute(plantedQuery());
    expect(a.contributions.map((c) => c.contribution)).not.toContain(17);
    // Push enough new shards through to merge away the tombstoned document.
    for (let k = 0; k < FANOUT * FANOUT; k++) {
      texts.set(100 + k, `w${k} w${k + 1} w${k + 2}`);
      await idx.sync(source([...without17, ...Array.from({ length: k + 1 }, (_, j) => 100 + j)], 3 + k));
    }
    const after = idx.status();
    expect(after.tombstones).toBe(0);
    expect(idx.attribute(plantedQuery()).contributions.map((c) => c.contribution)).not.toContain(17);
  });

  it('two builds of the same documents give identical shard bytes and results', async () => {
    const a = newIndex();
    const b = newIndex();
    await a.sync(source([...texts.keys()].reverse(), 5));
    await b.sync(source([...texts.keys()], 5));
    const fa = a.status().shards[0].file;
    expect(readFileSync(join(a.dir, fa)).equals(readFileSync(join(b.dir, b.status().shards[0].file)))).toBe(true);
    expect(JSON.stringify(a.attribute(plantedQuery()))).toBe(JSON.stringify(b.attribute(plantedQuery())));
  });

  it('rebuilds from scratch when its manifest is unreadable', async () => {
    const tok = wordTokenizer();
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const a = new AttributionIndex(dir, tok, new InlineBuilder(tok));
    await a.sync(source([...texts.keys()], 5));
    writeFileSync(join(dir, 'manifest.json'), '{ not json');
    const b = new AttributionIndex(dir, tok, new InlineBuilder(tok));
    expect(b.status().shards).toEqual([]);
    await b.sync(source([...texts.keys()], 6));
    expect(b.attribute(plantedQuery())).toEqual(a.attribute(plantedQuery()));
  });
});
