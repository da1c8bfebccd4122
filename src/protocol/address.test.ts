import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { AddressError, assertAddress, isAddress, normalizeAddress, toChecksumAddress } from './address.ts';

// EIP-55's own test vectors.
const CHECKSUMMED = [
  '0x52908400098527886E0F7030069857D2E4169EE7',
  '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
  '0xde709f2102306220921060314715629080e2fb77',
  '0x27b1fdb04752bbc536007a920d24acb045561c26',
  '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
  '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
  '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB',
  '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
];

describe('toChecksumAddress', () => {
  it.each(CHECKSUMMED.slice(4))('reproduces the EIP-55 vector %s', (a) => {
    expect(toChecksumAddress(a.toLowerCase())).toBe(a);
    expect(toChecksumAddress(a.slice(0, 2) + a.slice(2).toUpperCase())).toBe(a);
  });

  it('agrees with viem on generated addresses', () => {
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 300; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 160n) - 1n);
      const lower = '0x' + x.toString(16).padStart(40, '0');
      expect(toChecksumAddress(lower)).toBe(getAddress(lower));
    }
  });
});

describe('isAddress and normalizeAddress', () => {
  it.each(CHECKSUMMED)('accepts %s', (a) => {
    expect(isAddress(a)).toBe(true);
    expect(normalizeAddress(a)).toBe(a.toLowerCase());
  });

  it('accepts all-lowercase and all-uppercase hex, which carry no checksum', () => {
    expect(isAddress('0x' + 'ab'.repeat(20))).toBe(true);
    expect(isAddress('0x' + 'AB'.repeat(20))).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['a wrong checksum', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD', 'EIP-55 checksum mismatch (the checksummed form is 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed)'],
    ['no prefix', '5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', 'missing "0x" prefix'],
    ['an uppercase prefix', '0X5aaeb6053f3e94c9b9a09f33669435e7ef1beaed', 'prefix must be lowercase "0x"'],
    ['too short', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea', '38 hex digits, want 40'],
    ['too long', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00', '42 hex digits, want 40'],
    ['a non-hex digit', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg', 'non-hex character "g" at position 41'],
    ['a number', 42, 'not a string'],
    ['null', null, 'not a string'],
  ])('refuses %s', (_name, value, reason) => {
    expect(isAddress(value)).toBe(false);
    let err: unknown;
    try {
      normalizeAddress(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AddressError);
    expect((err as AddressError).name).toBe('AddressError');
    expect((err as AddressError).reason).toBe(reason);
    expect(() => assertAddress(value)).toThrow(AddressError);
  });

  it('refuses to checksum an address whose mixed case is already wrong', () => {
    expect(() => toChecksumAddress('0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')).toThrow(/checksum mismatch/);
  });
});
