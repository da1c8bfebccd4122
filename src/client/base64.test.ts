import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from './base64.ts';

describe('bytesToBase64', () => {
  it('writes the same text without Node\'s Buffer (a browser) as with it, for any bytes and any view offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat({ max: 7 }), (raw, skip) => {
        const view = raw.subarray(Math.min(skip, raw.length));
        expect(bytesToBase64(view, undefined)).toBe(Buffer.from(view).toString('base64'));
        expect(bytesToBase64(view)).toBe(Buffer.from(view).toString('base64'));
      }),
    );
  });

  it('handles a body larger than one chunk of the browser path', () => {
    const big = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    expect(bytesToBase64(big, undefined)).toBe(Buffer.from(big).toString('base64'));
  });
});
