// Tests of sais.ts against a naive suffix sort (direct suffix comparison) on many small texts
// chosen to reach every path (tiny and huge alphabets, long repeats, ties resolved directly,
// by prefix doubling, and by recursion when doubling gives up or is not tried), and a property
// check on one large text. The oracle must never share code with sais.ts, or it would share
// its bugs.
import { describe, expect, test } from 'vitest';
import { suffixArray, type TokenText } from './sais.ts';
import { prng } from '../random/prng.ts';


/** Compares the suffixes at a and b: the end of text is smaller than every symbol. */
function compareSuffixes(t: ArrayLike<number>, a: number, b: number, maxLength = Infinity): number {
  const n = t.length;
  for (let d = 0; d < maxLength; d++) {
    if (a + d === n) return b + d === n ? 0 : -1;
    if (b + d === n) return 1;
    const x = t[a + d];
    const y = t[b + d];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function naiveSuffixArray(t: ArrayLike<number>): number[] {
  return Array.from({ length: t.length }, (_, i) => i).sort((a, b) => compareSuffixes(t, a, b));
}

function expectNaive(text: TokenText, alphabetSize: number): void {
  const got = suffixArray(text, alphabetSize);
  expect(got).toBeInstanceOf(Int32Array);
  expect(Array.from(got)).toEqual(naiveSuffixArray(text));
}

function randomText(rnd: () => number, n: number, alphabet: number, wide = false): TokenText {
  const t = wide ? new Uint32Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) t[i] = Math.floor(rnd() * alphabet);
  return t;
}

/**
 * Text shaped like tokenised prose: documents of words (one to three ids each, drawn with a
 * strong skew, so that short phrases recur) ended by the separator `vocab`, and with
 * probability `copies` a copied stretch of `copyLength` ids instead of a document.
 */
function tokenLikeText(rnd: () => number, n: number, vocab: number, words: number, copies: number, copyLength: number, wide = false): TokenText {
  const lexicon: number[][] = [];
  for (let w = 0; w < words; w++) {
    lexicon.push(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => Math.floor(vocab * rnd() ** 2)));
  }
  const t = wide ? new Uint32Array(n) : new Uint16Array(n);
  let i = 0;
  while (i < n) {
    if (i > copyLength && rnd() < copies) {
      const from = Math.floor(rnd() * (i - copyLength));
      const len = Math.min(n - i, copyLength);
      t.copyWithin(i, from, from + len);
      i += len;
      continue;
    }
    const end = Math.min(n, i + 50 + Math.floor(rnd() * 250));
    while (i < end - 1) {
      for (const id of lexicon[Math.floor(words * rnd() ** 3)]) if (i < end - 1) t[i++] = id;
    }
    t[i++] = vocab;
  }
  return t;
}

function fibonacciWord(n: number): Uint16Array {
  let a = [0];
  let b = [0, 1];
  while (b.length < n) [a, b] = [b, b.concat(a)];
  return Uint16Array.from(b.slice(0, n));
}

describe('suffixArray equals a naive sort', () => {
  test('empty text and a single token', () => {
    expect(suffixArray(new Uint16Array(0), 1)).toEqual(new Int32Array(0));
    expect(suffixArray(new Uint32Array(0), 0xffffffff)).toEqual(new Int32Array(0));
    expect(Array.from(suffixArray(Uint16Array.of(0), 1))).toEqual([0]);
    expect(Array.from(suffixArray(Uint32Array.of(0xfffffffe), 0xffffffff))).toEqual([0]);
  });

  test('two and three tokens, every text over three symbols', () => {
    for (let n = 2; n <= 6; n++) {
      for (let code = 0; code < 3 ** n; code++) {
        const t = new Uint16Array(n);
        for (let i = 0, c = code; i < n; i++, c = Math.floor(c / 3)) t[i] = c % 3;
        expectNaive(t, 3);
      }
    }
  });

  test.each([1, 2, 3])('random texts over %i symbols', (alphabet) => {
    const rnd = prng(alphabet);
    for (let k = 0; k < 150; k++) expectNaive(randomText(rnd, Math.floor(rnd() * 300), alphabet), alphabet);
    expectNaive(randomText(rnd, 4000, alphabet), alphabet);
  });

  test('random texts over larger alphabets, Uint16 and Uint32', () => {
    const rnd = prng(7);
    for (let k = 0; k < 200; k++) {
      const alphabet = 1 + Math.floor(rnd() * 2000);
      const n = Math.floor(rnd() * (k % 10 === 0 ? 3000 : 200));
      expectNaive(randomText(rnd, n, alphabet, k % 2 === 1), alphabet);
    }
  });

  test('all-equal, periodic and Fibonacci texts (long repeats, deep recursion)', () => {
    for (const n of [2, 3, 10, 100, 2049]) {
      expectNaive(new Uint16Array(n).fill(4), 5);
      expectNaive(Uint16Array.from({ length: n }, (_, i) => i % 2), 2);
      expectNaive(Uint16Array.from({ length: n }, (_, i) => (i % 2) + 1), 3);
      expectNaive(Uint16Array.from({ length: n }, (_, i) => [2, 0, 1][i % 3]), 3);
      expectNaive(Uint16Array.from({ length: n }, (_, i) => 7 - (i % 7)), 8);
      expectNaive(fibonacciWord(n), 2);
    }
  });

  test('documents ended by a separator, with copied spans', () => {
    // Copies make long equal runs (direct tie breaking runs out of budget, then recursion).
    const rnd = prng(11);
    for (let k = 0; k < 60; k++) {
      const vocab = [3, 20, 300, 50_257][k % 4];
      const n = 50 + Math.floor(rnd() * 3000);
      const t = k % 3 === 0 ? new Uint32Array(n) : new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        if (i > 40 && rnd() < 0.02) {
          const from = Math.floor(rnd() * (i - 30));
          const len = Math.min(n - i, 5 + Math.floor(rnd() * 200));
          t.copyWithin(i, from, from + len);
          i += len - 1;
        } else {
          t[i] = rnd() < 0.01 ? vocab : Math.floor(rnd() * vocab);
        }
      }
      t[n - 1] = vocab;
      expectNaive(t, vocab + 1);
    }
  });

  test('long runs and ramps (LMS substrings of hundreds of tokens)', () => {
    const rnd = prng(19);
    for (let k = 0; k < 12; k++) {
      const parts: number[] = [];
      while (parts.length < 3000) {
        const kind = Math.floor(rnd() * 3);
        const len = 200 + Math.floor(rnd() * 200);
        if (kind === 0) for (let i = 0; i < len; i++) parts.push(k % 2 ? 1 : 2);
        else if (kind === 1) for (let i = 0; i < len; i++) parts.push(3 + (i >> (k % 3)));
        else for (let i = 0; i < len; i++) parts.push(900 - (i >> (k % 3)));
        parts.push(Math.floor(rnd() * 4), Math.floor(rnd() * 1000));
      }
      // Repeat a long stretch so that long LMS substrings tie.
      const t = Uint16Array.from(parts.concat(parts.slice(0, 1500)));
      expectNaive(t, 1000);
    }
  });

  test('many equal LMS substrings among distinct ones (ties broken by direct comparison)', () => {
    const rnd = prng(23);
    for (let k = 0; k < 10; k++) {
      const t = randomText(rnd, 3000, 1000) as Uint16Array;
      for (let c = 0; c < 40 + k * 5; c++) t.set([999, 1, 500, 2, 999], Math.floor(rnd() * 2990));
      expectNaive(t, 1000);
    }
  });

  test('token-like text: many equal LMS substrings, ties sorted by prefix doubling', () => {
    // Phrases recur, so most LMS substrings tie, yet suffixes differ within a few of them;
    // copies add ties that take more rounds, some with few entries left (keys gathered).
    const cases: Array<[number, number, number, boolean]> = [
      [300, 0, 0, false],
      [100, 0, 0, false],
      [300, 0.05, 200, false],
      [300, 0.02, 2000, true],
      [1000, 0.1, 400, true],
    ];
    for (const [k, [words, copies, copyLength, wide]] of cases.entries()) {
      const rnd = prng(29 + k);
      const vocab = wide ? 100_000 : 5000;
      expectNaive(tokenLikeText(rnd, 20_000, vocab, words, copies, copyLength, wide), vocab + 1);
    }
  });

  test('token-like text made mostly of copies (doubling not tried: few unique LMS substrings)', () => {
    for (let k = 0; k < 3; k++) expectNaive(tokenLikeText(prng(37 + k), 20_000, 5000, 300 + 700 * k, 0.5, 3000), 5001);
  });

  test('a random stretch, then one block repeated to the end (doubling gives up, recursion sorts)', () => {
    for (let k = 0; k < 3; k++) {
      const rnd = prng(41 + k);
      const t = new Uint16Array(8000);
      const block = 300 + 97 * k;
      for (let i = 0; i < t.length; i++) t[i] = i < 1600 + block ? Math.floor(rnd() * 5000) : t[i - block];
      expectNaive(t, 5000);
    }
  });

  test('empty documents: runs of separators', () => {
    const t = Uint16Array.from([5, 5, 1, 2, 5, 5, 5, 0, 5, 3, 3, 5, 5]);
    expectNaive(t, 6);
    expectNaive(new Uint16Array(300).fill(9), 10);
  });

  test('alphabet much larger than the text (symbols are ranked)', () => {
    const rnd = prng(13);
    for (let k = 0; k < 100; k++) {
      const n = 1 + Math.floor(rnd() * 300);
      const t = new Uint32Array(n);
      for (let i = 0; i < n; i++) t[i] = Math.floor(rnd() * (k % 2 ? 4 : 0xffffffff)) * (k % 2 ? 1_000_000_007 : 1);
      expectNaive(t, 0xffffffff);
    }
    expectNaive(Uint16Array.from([65535, 0, 65535, 1]), 65536);
  });
});

describe('suffixArray rejects what it cannot sort', () => {
  test('an id outside the alphabet', () => {
    expect(() => suffixArray(Uint16Array.of(0, 3, 1), 3)).toThrow(RangeError);
    expect(() => suffixArray(Uint32Array.of(5), 2)).toThrow(/outside the alphabet/);
    expect(() => suffixArray(Uint32Array.of(9, 10), 10)).toThrow(/outside the alphabet/);
    expect(() => suffixArray(Uint16Array.of(1), 1)).toThrow(/outside the alphabet/);
    expect(() => suffixArray(Uint32Array.of(0xffffffff), 0xffffffff)).toThrow(/outside the alphabet/);
  });

  test('a bad alphabet size', () => {
    expect(() => suffixArray(Uint16Array.of(0), 0)).toThrow(/alphabetSize/);
    expect(() => suffixArray(Uint16Array.of(0), 1.5)).toThrow(/alphabetSize/);
    expect(() => suffixArray(Uint16Array.of(0), 2 ** 32)).toThrow(/alphabetSize/);
  });
});

describe('suffixArray on a large text', () => {
  test('1M random tokens with separators: a permutation, adjacent suffixes in order', () => {
    const rnd = prng(17);
    const n = 1_000_000;
    const vocab = 50_257;
    const t = new Uint16Array(n);
    for (let i = 0; i < n; i++) t[i] = rnd() < 1 / 300 ? vocab : Math.floor(vocab * rnd() ** 3);
    // Some repeated documents, as real corpora have.
    for (let k = 0; k < 20; k++) {
      const from = Math.floor(rnd() * (n - 2000));
      t.copyWithin(Math.floor(rnd() * (n - 2000)), from, from + 2000);
    }
    const calls: Array<[number, number]> = [];
    const sa = suffixArray(t, vocab + 1, (done, total) => calls.push([done, total]));
    expect(sa.length).toBe(n);
    const seen = new Uint8Array(n);
    let repeated = 0;
    for (let i = 0; i < n; i++) {
      if (!(sa[i] >= 0 && sa[i] < n) || seen[sa[i]] === 1) repeated++;
      else seen[sa[i]] = 1;
    }
    expect(repeated).toBe(0);
    let bad = 0;
    for (let i = 1; i < n; i++) {
      // Most neighbours differ within a few tokens; compare fully only when the prefix ties.
      let c = compareSuffixes(t, sa[i - 1], sa[i], 64);
      if (c === 0) c = compareSuffixes(t, sa[i - 1], sa[i]);
      if (c >= 0) bad++;
    }
    expect(bad).toBe(0);
    // Progress: a handful of calls, never decreasing, ending at the total.
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.length).toBeLessThan(200);
    for (let k = 1; k < calls.length; k++) expect(calls[k][0]).toBeGreaterThanOrEqual(calls[k - 1][0]);
    const [done, total] = calls[calls.length - 1];
    expect(done).toBe(total);
  });
});
