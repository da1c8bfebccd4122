import { keccak256 as viemKeccak } from 'viem';
import { describe, expect, it } from 'vitest';
import { keccak256, keccak256Concat, keccak256Utf8 } from './keccak.ts';

const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');

describe('keccak256', () => {
  it('matches the known Keccak-256 vectors (not SHA3-256)', () => {
    expect(hex(keccak256(new Uint8Array()))).toBe('0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(keccak256Utf8('abc'))).toBe('0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    // EIP-712's own example: keccak256 of the Mail type's encoding.
    expect(hex(keccak256Utf8('Mail(Person from,Person to,string contents)Person(string name,address wallet)'))).toBe(
      '0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2',
    );
  });

  it('agrees with viem on every length around the 136-byte rate, and on views into larger buffers', () => {
    const big = new Uint8Array(600);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 0xff;
    for (let len = 0; len <= 420; len++) {
      const view = big.subarray(3, 3 + len); // byteOffset ≠ 0: must hash the view, not the whole buffer
      expect(hex(keccak256(view))).toBe(viemKeccak(view));
    }
  });

  it('hashes concatenations without building them', () => {
    const parts = [Buffer.from([0x19, 0x01]), new Uint8Array(32).fill(1), new Uint8Array(200).fill(2), new Uint8Array()];
    expect(keccak256Concat(parts).equals(keccak256(Buffer.concat(parts)))).toBe(true);
  });

  it('hashes text as UTF-8', () => {
    const s = 'héllo € 😀';
    expect(keccak256Utf8(s).equals(keccak256(Buffer.from(s, 'utf8')))).toBe(true);
  });

  it('refuses a string where bytes are expected', () => {
    expect(() => keccak256('abc' as unknown as Uint8Array)).toThrow(/keccak256Utf8/);
  });

  it('returns a fresh 32-byte Buffer each time', () => {
    const a = keccak256Utf8('a');
    const b = keccak256Utf8('b');
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
    expect(hex(a)).toBe(viemKeccak(new TextEncoder().encode('a')));
  });
});
