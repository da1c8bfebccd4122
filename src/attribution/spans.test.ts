import { describe, expect, it } from 'vitest';
import { buildShard, type ShardDocument } from './shard.ts';
import { findSpans, matchingStatistics, mergeSpans, type ShardView } from './spans.ts';
import { prng } from '../random/prng.ts';


function occursAt(doc: ArrayLike<number>, p: number, q: ArrayLike<number>, i: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (doc[p + k] !== q[i + k]) return false;
  return true;
}

/** Brute force: every live document, every position. */
function bruteLongest(docs: ShardDocument[], dead: Set<number>, q: number[], i: number): number {
  let best = 0;
  for (const d of docs) {
    if (dead.has(d.id)) continue;
    for (let p = 0; p < d.tokens.length; p++) {
      let k = 0;
      while (i + k < q.length && p + k < d.tokens.length && d.tokens[p + k] === q[i + k]) k++;
      best = Math.max(best, k);
    }
  }
  return best;
}

function bruteOccurrences(docs: ShardDocument[], dead: Set<number>, q: number[], i: number, len: number) {
  let count = 0;
  const ids = new Set<number>();
  for (const d of docs) {
    if (dead.has(d.id)) continue;
    for (let p = 0; p + len <= d.tokens.length; p++)
      if (occursAt(d.tokens, p, q, i, len)) {
        count++;
        ids.add(d.id);
      }
  }
  return { count, ids: [...ids].sort((a, b) => a - b) };
}

function randomCorpus(r: () => number, alphabet: number) {
  const docs: ShardDocument[] = [];
  const n = 1 + Math.floor(r() * 12);
  for (let d = 0; d < n; d++) {
    const len = Math.floor(r() * 60); // empty documents included
    docs.push({ id: d * 3 + 1, tokens: Array.from({ length: len }, () => Math.floor(r() * alphabet)) });
  }
  return docs;
}

function query(r: () => number, docs: ShardDocument[], alphabet: number): number[] {
  const q: number[] = [];
  while (q.length < 80) {
    const d = docs[Math.floor(r() * docs.length)];
    if (r() < 0.5 && d.tokens.length > 0) {
      const from = Math.floor(r() * d.tokens.length);
      const len = Math.floor(r() * 20);
      for (let k = from; k < Math.min(d.tokens.length, from + len); k++) q.push(d.tokens[k] as number);
    } else q.push(Math.floor(r() * alphabet));
  }
  return q;
}

function views(docs: ShardDocument[], shards: number, dead: Set<number>, vocab: number, r: () => number): ShardView[] {
  const groups: ShardDocument[][] = Array.from({ length: shards }, () => []);
  for (const d of docs) groups[Math.floor(r() * shards)].push(d);
  return groups.map((g) => ({ shard: buildShard(g, vocab, 'test'), tombstones: dead }));
}

describe('span matching equals a brute-force search', () => {
  it('on random corpora, in any number of shards, with tombstones', () => {
    for (let seed = 1; seed <= 120; seed++) {
      const r = prng(seed);
      const alphabet = [2, 3, 5, 50][seed % 4];
      const docs = randomCorpus(r, alphabet);
      const dead = new Set(docs.filter(() => r() < 0.2).map((d) => d.id));
      const q = query(r, docs, alphabet);
      const v = views(docs, 1 + (seed % 4), dead, alphabet, r);
      const { lengths } = matchingStatistics(v, q);
      for (let i = 0; i < q.length; i++) expect(lengths[i], `seed ${seed} position ${i}`).toBe(bruteLongest(docs, dead, q, i));
      const minSpan = 1 + (seed % 6);
      const cap = 1 + (seed % 9);
      const spans = findSpans(v, q, { minSpan, maxOccurrences: cap });
      const want = [];
      for (let i = 0; i < q.length; i++) {
        const len = lengths[i];
        if (len < minSpan || (i > 0 && len <= lengths[i - 1] - 1)) continue;
        const o = bruteOccurrences(docs, dead, q, i, len);
        want.push({ start: i, end: i + len, count: o.count > cap ? null : o.count, contributions: o.count > cap ? [] : o.ids });
      }
      expect(spans, `seed ${seed}`).toEqual(want);
    }
  });

  it('gives the same spans whatever the shard layout', () => {
    const r = prng(99);
    const docs = randomCorpus(r, 4);
    const q = query(r, docs, 4);
    const one = findSpans(views(docs, 1, new Set(), 4, r), q, { minSpan: 3, maxOccurrences: 8 });
    for (let s = 2; s <= 5; s++) expect(findSpans(views(docs, s, new Set(), 4, r), q, { minSpan: 3, maxOccurrences: 8 })).toEqual(one);
  });
});

describe('spans of disjoint parts merge into the spans of the whole', () => {
  it('equals findSpans over every shard, whatever the split (by id or at random), the cap and the tombstones', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = prng(1000 + seed);
      const alphabet = [2, 3, 5, 50][seed % 4];
      const docs = randomCorpus(r, alphabet);
      const dead = new Set(docs.filter(() => r() < 0.2).map((d) => d.id));
      const q = query(r, docs, alphabet);
      const opts = { minSpan: 1 + (seed % 6), maxOccurrences: 1 + (seed % 9) };
      const whole = findSpans(views(docs, 1 + (seed % 3), dead, alphabet, r), q, opts);
      const n = 1 + (seed % 4);
      const byId = seed % 2 === 0;
      const parts: ShardDocument[][] = Array.from({ length: n }, () => []);
      for (const d of docs) parts[byId ? d.id % n : Math.floor(r() * n)].push(d);
      // A part may be empty, and each has shards of its own.
      const partSpans = parts.map((p) => findSpans(views(p, 1 + Math.floor(r() * 3), dead, alphabet, r), q, opts));
      expect(mergeSpans(partSpans, q.length, opts), `seed ${seed}`).toEqual(whole);
    }
  });

  it('puts a span over the cap when the parts together hold it too often', () => {
    const doc = (id: number) => ({ id, tokens: [1, 2, 3, 4] });
    const q = [0, 1, 2, 3, 4, 0];
    const opts = { minSpan: 3, maxOccurrences: 3 };
    const part = (ids: number[]) => findSpans([{ shard: buildShard(ids.map(doc), 5, 'test'), tombstones: new Set() }], q, opts);
    expect(part([1, 2])).toEqual([{ start: 1, end: 5, count: 2, contributions: [1, 2] }]);
    expect(mergeSpans([part([1, 2]), part([3, 4])], q.length, opts)).toEqual([{ start: 1, end: 5, count: null, contributions: [] }]);
    expect(mergeSpans([part([1, 2]), part([3])], q.length, opts)).toEqual([{ start: 1, end: 5, count: 3, contributions: [1, 2, 3] }]);
  });

  it('refuses spans that cannot come from findSpans on this query', () => {
    expect(() => mergeSpans([[{ start: 4, end: 9, count: 1, contributions: [1] }]], 6, { minSpan: 2, maxOccurrences: 4 })).toThrow(/does not fit/);
    expect(() => mergeSpans([[{ start: 0, end: 1, count: 1, contributions: [1] }]], 6, { minSpan: 2, maxOccurrences: 4 })).toThrow(/does not fit/);
  });
});
