import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rateLimit.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with the whole seconds until the next token', () => {
    const r = new RateLimiter({ perSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) expect(r.take('a', 1000)).toEqual({ ok: true });
    expect(r.take('a', 1000)).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Half a second later one token (2/s) has come back.
    expect(r.take('a', 1500)).toEqual({ ok: true });
    expect(r.take('a', 1500)).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('rounds Retry-After up: a slow rate waits several seconds', () => {
    const r = new RateLimiter({ perSecond: 0.25, burst: 1 });
    expect(r.take('a', 0).ok).toBe(true);
    expect(r.take('a', 0)).toEqual({ ok: false, retryAfterSeconds: 4 });
    expect(r.take('a', 1_000)).toEqual({ ok: false, retryAfterSeconds: 3 });
    expect(r.take('a', 4_000).ok).toBe(true);
  });

  it('refusals cost nothing: a client that keeps asking still recovers on time', () => {
    const r = new RateLimiter({ perSecond: 1, burst: 1 });
    expect(r.take('a', 0).ok).toBe(true);
    for (let t = 0; t < 1000; t += 10) expect(r.take('a', t).ok).toBe(false);
    expect(r.take('a', 1000).ok).toBe(true);
  });

  it('check looks without taking; charge takes even past empty, into a bounded debt', () => {
    const r = new RateLimiter({ perSecond: 1, burst: 2 });
    expect(r.check('a', 0).ok).toBe(true);
    expect(r.check('a', 0).ok).toBe(true);
    for (let i = 0; i < 10; i++) r.charge('a', 0);
    // Debt stops at -burst: from -2, a token is back after 3 s.
    expect(r.check('a', 0)).toEqual({ ok: false, retryAfterSeconds: 3 });
    expect(r.check('a', 2_999).ok).toBe(false);
    expect(r.check('a', 3_000).ok).toBe(true);
  });

  it('keeps keys apart', () => {
    const r = new RateLimiter({ perSecond: 1, burst: 1 });
    expect(r.take('a', 0).ok).toBe(true);
    expect(r.take('a', 0).ok).toBe(false);
    expect(r.take('b', 0).ok).toBe(true);
  });

  it('never refills past the burst, and a clock that steps back does not add tokens', () => {
    const r = new RateLimiter({ perSecond: 100, burst: 2 });
    expect(r.take('a', 0).ok).toBe(true);
    expect(r.take('a', 1_000_000).ok).toBe(true);
    expect(r.take('a', 1_000_000).ok).toBe(true);
    expect(r.take('a', 1_000_000).ok).toBe(false);
    expect(r.take('a', 0).ok).toBe(false);
  });

  it('a rate of 0 is off', () => {
    const r = new RateLimiter({ perSecond: 0, burst: 0 });
    expect(r.enabled).toBe(false);
    for (let i = 0; i < 100; i++) expect(r.take('a', 0).ok).toBe(true);
    expect(r.size).toBe(0);
  });

  it('forgets buckets that have refilled, so a stream of new keys holds little memory', () => {
    const r = new RateLimiter({ perSecond: 10, burst: 5 });
    // 10,000 distinct keys, one request each, 10 ms apart: each refills in 100 ms.
    for (let i = 0; i < 10_000; i++) r.take(`k${i}`, i * 10);
    expect(r.size).toBeLessThan(20);
  });

  it('holds at most maxKeys buckets, dropping the least recently used', () => {
    const r = new RateLimiter({ perSecond: 1, burst: 1, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) r.take(`k${i}`, 0);
    expect(r.size).toBeLessThanOrEqual(100);
    // The newest keys are still limited; the oldest were forgotten and start full.
    expect(r.take('k999', 0).ok).toBe(false);
    expect(r.take('k0', 0).ok).toBe(true);
  });

  it('refuses nonsense settings', () => {
    expect(() => new RateLimiter({ perSecond: -1, burst: 1 })).toThrow(/perSecond/);
    expect(() => new RateLimiter({ perSecond: Number.NaN, burst: 1 })).toThrow(/perSecond/);
    expect(() => new RateLimiter({ perSecond: 1, burst: 0 })).toThrow(/burst/);
  });
});
