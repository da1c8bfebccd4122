import { createRequire } from 'node:module';
import { recoverAddress as viemRecoverAddress } from 'viem';
import { privateKeyToAccount, sign as viemSign } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { keccak256Utf8 } from './keccak.ts';
import { SignatureError, privateKeyToAddress, randomPrivateKey, recoverAddress, signDigest } from './secp256k1.ts';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex') as `0x${string}`;
const word = (n: bigint) => n.toString(16).padStart(64, '0');

// EIP-712's Mail example: the digest, the key keccak256("cow") and its signature.
const MAIL_DIGEST = Buffer.from('be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2', 'hex');
const COW_KEY = keccak256Utf8('cow');
const COW_ADDRESS = '0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826';
const MAIL_R = '4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d';
const MAIL_S = '07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562';
const MAIL_SIG = `0x${MAIL_R}${MAIL_S}1c`;

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SignatureError);
    expect((e as Error).name).toBe('SignatureError');
    return (e as SignatureError).code;
  }
  return undefined;
}

describe('the native binding', () => {
  it('is what loads: secp256k1/bindings resolves and is not the elliptic fallback', () => {
    const require = createRequire(import.meta.url);
    expect(require('secp256k1/bindings')).not.toBe(require('secp256k1/elliptic'));
  });
});

describe('EIP-712 Mail example', () => {
  it('the key is the documented signer', () => {
    expect(privateKeyToAddress(COW_KEY)).toBe(COW_ADDRESS);
  });
  it('signDigest produces the documented signature (RFC 6979, v = 28)', () => {
    expect(signDigest(COW_KEY, MAIL_DIGEST)).toBe(MAIL_SIG);
  });
  it('recoverAddress recovers the signer, with v as 27/28 or 0/1, from hex or bytes', () => {
    expect(recoverAddress(MAIL_DIGEST, MAIL_SIG)).toBe(COW_ADDRESS);
    expect(recoverAddress(MAIL_DIGEST, `0x${MAIL_R}${MAIL_S}01`)).toBe(COW_ADDRESS);
    expect(recoverAddress(MAIL_DIGEST, Buffer.from(MAIL_SIG.slice(2), 'hex'))).toBe(COW_ADDRESS);
    expect(recoverAddress(MAIL_DIGEST, MAIL_SIG.toUpperCase().replace('0X', '0x'))).toBe(COW_ADDRESS);
  });
});

describe('against viem on generated keys and digests', () => {
  it('signs identically and recovers what viem signs', async () => {
    for (let i = 0; i < 200; i++) {
      const key = randomPrivateKey();
      const digest = keccak256Utf8(`digest ${i}`);
      const account = privateKeyToAccount(hex(key));
      expect(privateKeyToAddress(key)).toBe(account.address.toLowerCase());
      const theirs = await viemSign({ hash: hex(digest), privateKey: hex(key), to: 'hex' });
      const ours = signDigest(key, digest);
      expect(ours).toBe(theirs);
      expect(recoverAddress(digest, theirs)).toBe(account.address.toLowerCase());
      expect((await viemRecoverAddress({ hash: hex(digest), signature: ours as `0x${string}` })).toLowerCase()).toBe(
        account.address.toLowerCase(),
      );
    }
  });

  it('a different digest recovers a different address', () => {
    const sig = signDigest(COW_KEY, MAIL_DIGEST);
    const other = Buffer.from(MAIL_DIGEST);
    other[0] ^= 1;
    expect(recoverAddress(other, sig)).not.toBe(COW_ADDRESS);
  });
});

describe('refused signatures', () => {
  it('refuses high s (EIP-2), which the same key could otherwise sign twice', () => {
    const highS = word(N - BigInt('0x' + MAIL_S));
    expect(codeOf(() => recoverAddress(MAIL_DIGEST, `0x${MAIL_R}${highS}1b`))).toBe('high-s');
    expect(() => recoverAddress(MAIL_DIGEST, `0x${MAIL_R}${highS}1b`)).toThrow(/upper half of the curve order \(EIP-2/);
  });

  it.each<[string, string | Uint8Array, string, RegExp]>([
    ['v = 29', `0x${MAIL_R}${MAIL_S}1d`, 'v', /v is 29, want 27 or 28/],
    ['v = 2', `0x${MAIL_R}${MAIL_S}02`, 'v', /v is 2/],
    ['64 bytes (no v)', `0x${MAIL_R}${MAIL_S}`, 'length', /64 bytes, want 65/],
    ['66 bytes', `0x${MAIL_R}${MAIL_S}1c00`, 'length', /66 bytes, want 65/],
    ['an odd number of digits', `0x${MAIL_R}${MAIL_S}1`, 'length', /129 hex digits/],
    ['raw bytes of the wrong length', new Uint8Array(64), 'length', /64 bytes, want 65/],
    ['no 0x prefix', `${MAIL_R}${MAIL_S}1c`, 'format', /0x-prefixed/],
    ['a non-hex digit', `0x${MAIL_R}${MAIL_S}1g`, 'format', /non-hex character "g" at position 131/],
    ['r = 0', `0x${word(0n)}${MAIL_S}1c`, 'r', /r is zero or not below the curve order/],
    ['r = n', `0x${word(N)}${MAIL_S}1c`, 'r', /r is zero/],
    ['s = 0', `0x${MAIL_R}${word(0n)}1c`, 's', /s is zero/],
    ['s = n', `0x${MAIL_R}${word(N)}1c`, 'high-s', /EIP-2/],
  ])('refuses %s', (_name, sig, code, message) => {
    expect(codeOf(() => recoverAddress(MAIL_DIGEST, sig))).toBe(code);
    expect(() => recoverAddress(MAIL_DIGEST, sig)).toThrow(message);
  });

  it('reports an r that is no point on the curve as unrecoverable', () => {
    // About half of all x are not on the curve; find the first small one.
    let r = 1n;
    for (; ; r++) {
      try {
        recoverAddress(MAIL_DIGEST, `0x${word(r)}${MAIL_S}1b`);
      } catch (e) {
        expect((e as SignatureError).code).toBe('recover');
        break;
      }
    }
    expect(r).toBeLessThan(100n);
  });

  it('refuses a digest that is not 32 bytes', () => {
    expect(codeOf(() => recoverAddress(MAIL_DIGEST.subarray(1), MAIL_SIG))).toBe('digest');
    expect(codeOf(() => signDigest(COW_KEY, new Uint8Array(33)))).toBe('digest');
  });

  it('refuses invalid private keys', () => {
    expect(codeOf(() => signDigest(new Uint8Array(32), MAIL_DIGEST))).toBe('private-key');
    expect(codeOf(() => privateKeyToAddress(Buffer.from(word(N), 'hex')))).toBe('private-key');
    expect(codeOf(() => privateKeyToAddress(new Uint8Array(31)))).toBe('private-key');
  });
});

describe('randomPrivateKey', () => {
  it('returns distinct valid 32-byte keys', () => {
    const a = randomPrivateKey();
    const b = randomPrivateKey();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
    expect(privateKeyToAddress(a)).toMatch(/^0x[0-9a-f]{40}$/);
  });
});
