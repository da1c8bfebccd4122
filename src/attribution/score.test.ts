import { describe, expect, it } from 'vitest';
import { lcmUpTo, log2Fixed, PPM, score } from './score.ts';

describe('log2Fixed', () => {
  it('is exact on powers of two and close elsewhere', () => {
    expect(log2Fixed(1n)).toBe(0n);
    expect(log2Fixed(1024n)).toBe(10n << 32n);
    for (const v of [3n, 10n, 12345n, 10_000_000n, 2n ** 40n + 17n]) {
      const got = Number(log2Fixed(v)) / 2 ** 32;
      expect(Math.abs(got - Math.log2(Number(v)))).toBeLessThan(1e-8);
    }
  });
});

describe('score', () => {
  it('weights sum exactly to the attributed share, and the rest is unattributed', () => {
    const spans = [
      { start: 0, end: 10, count: 1, contributions: [5] },
      { start: 8, end: 20, count: 3, contributions: [5, 7, 9] },
      { start: 30, end: 38, count: 2, contributions: [9] },
    ];
    const s = score(spans, 50, 10_000, 64);
    expect(s.attributedPpm).toBe(Math.floor((28 * PPM) / 50));
    expect(s.unattributedPpm).toBe(PPM - s.attributedPpm);
    expect(s.contributions.reduce((a, c) => a + c.ppm, 0)).toBe(s.attributedPpm);
    expect(s.contributions[0].contribution).toBe(5);
  });

  it('credits nobody for too-common spans and nothing for no spans', () => {
    expect(score([{ start: 0, end: 9, count: null, contributions: [] }], 9, 100, 64)).toEqual({ attributedPpm: 0, unattributedPpm: PPM, contributions: [] });
    expect(score([], 0, 100, 64)).toEqual({ attributedPpm: 0, unattributedPpm: PPM, contributions: [] });
  });

  it('makes every equal split exact', () => {
    const l = lcmUpTo(64);
    for (let k = 1n; k <= 64n; k++) expect(l % k).toBe(0n);
  });
});
