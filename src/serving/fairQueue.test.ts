import { describe, expect, it } from 'vitest';
import { FairQueue } from './fairQueue.ts';

describe('FairQueue', () => {
  it('gives each lane one batch per round, in arrival order within a lane', () => {
    const q = new FairQueue<string>();
    for (let i = 0; i < 10; i++) q.push('hot', `h${i}`);
    q.push('cold', 'c0');
    q.push('other', 'o0');
    q.push('other', 'o1');
    expect(q.size).toBe(13);
    expect(q.next(4)).toEqual({ lane: 'hot', items: ['h0', 'h1', 'h2', 'h3'] });
    // The hot lane waits for the others before its next batch.
    expect(q.next(4)).toEqual({ lane: 'cold', items: ['c0'] });
    expect(q.next(4)).toEqual({ lane: 'other', items: ['o0', 'o1'] });
    expect(q.next(4)).toEqual({ lane: 'hot', items: ['h4', 'h5', 'h6', 'h7'] });
    q.push('cold', 'c1');
    expect(q.next(4)).toEqual({ lane: 'hot', items: ['h8', 'h9'] });
    expect(q.next(4)).toEqual({ lane: 'cold', items: ['c1'] });
    expect(q.next(4)).toBeUndefined();
    expect(q.size).toBe(0);
  });

  it('skips lanes that are busy without losing their turn', () => {
    const q = new FairQueue<number>();
    q.push('a', 1);
    q.push('b', 2);
    q.push('a', 3);
    expect(q.next(1, (lane) => lane === 'a')).toEqual({ lane: 'b', items: [2] });
    expect(q.next(1, (lane) => lane === 'a')).toBeUndefined();
    expect(q.next(1)).toEqual({ lane: 'a', items: [1] });
  });

  it('removes an abandoned item, and the lane when it empties', () => {
    const q = new FairQueue<number>();
    q.push('a', 1);
    q.push('b', 2);
    expect(q.remove('a', 1)).toBe(true);
    expect(q.remove('a', 1)).toBe(false);
    expect(q.remove('zz', 1)).toBe(false);
    expect(q.size).toBe(1);
    expect(q.next(8)).toEqual({ lane: 'b', items: [2] });
  });
});
