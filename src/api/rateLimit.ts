// Token buckets, one per key (a client address, an account, an API key): each holds up to
// `burst` tokens, refills at `perSecond`, and a request takes one. A refusal says how long
// until the next token. Memory stays bounded: a bucket that has refilled is the same as no
// bucket, so idle ones are dropped, and past `maxKeys` the least recently used go first.
// It must never grow with the number of keys ever seen.

export interface RateLimitOptions {
  /** Tokens added per second; 0 turns the limit off. */
  perSecond: number;
  /** Most tokens a bucket holds: the requests a quiet key may send at once. */
  burst: number;
  /** Most buckets kept; past it the least recently used is forgotten (its key starts full again). */
  maxKeys?: number;
}

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  at: number;
}

const DEFAULT_MAX_KEYS = 100_000;
/** How many least-recently-used buckets one take looks at for eviction: amortised O(1). */
const SWEEP = 4;

export class RateLimiter {
  readonly perSecond: number;
  readonly burst: number;
  private readonly maxKeys: number;
  /** In least-recently-used order: a take moves its key to the end. */
  private readonly buckets = new Map<string, Bucket>();

  constructor(opts: RateLimitOptions) {
    if (!(opts.perSecond >= 0) || !Number.isFinite(opts.perSecond)) throw new RangeError(`perSecond must be a finite number ≥ 0, got ${opts.perSecond}`);
    if (opts.perSecond > 0 && !(Number.isInteger(opts.burst) && opts.burst >= 1)) throw new RangeError(`burst must be a whole number ≥ 1, got ${opts.burst}`);
    this.perSecond = opts.perSecond;
    this.burst = opts.burst;
    this.maxKeys = opts.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** Buckets held now (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket at time `now` (ms), or says when to retry. */
  take(key: string, now: number = Date.now()): Take {
    return this.update(key, now, 'take');
  }

  /** Whether `key` has a token now, without taking it. */
  check(key: string, now: number = Date.now()): Take {
    return this.update(key, now, 'check');
  }

  /**
   * Takes a token whether or not there is one: for requests counted only after they were
   * let through (and checked). The bucket may go into debt, at most `burst` deep.
   */
  charge(key: string, now: number = Date.now()): void {
    this.update(key, now, 'charge');
  }

  private update(key: string, now: number, mode: 'take' | 'check' | 'charge'): Take {
    if (!this.enabled) return { ok: true };
    const b = this.buckets.get(key);
    let tokens = this.burst;
    if (b) {
      tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.perSecond) / 1000);
      this.buckets.delete(key);
    }
    this.sweep(now);
    const ok = tokens >= 1;
    if (mode === 'charge' || (mode === 'take' && ok)) tokens = Math.max(-this.burst, tokens - 1);
    this.buckets.set(key, { tokens, at: now });
    return ok ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.perSecond)) };
  }

  /** Drops the oldest buckets that have refilled, and any past `maxKeys`. */
  private sweep(now: number): void {
    let looked = 0;
    for (const [key, b] of this.buckets) {
      const full = b.tokens + ((now - b.at) * this.perSecond) / 1000 >= this.burst;
      if (full || this.buckets.size >= this.maxKeys) this.buckets.delete(key);
      else if (++looked >= SWEEP) return;
    }
  }
}
