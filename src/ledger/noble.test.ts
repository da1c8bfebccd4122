// The ledger's code on noble's crypto (what the browser runs) held to the same fixed points
// as on node:crypto: the published RFC 6962 hashes, every RFC 9162 inclusion and
// consistency vector in testdata/ (valid and tampered), and Go's signed-note vector. And
// the two Ed25519 checks accept exactly the same signatures: a malleated one (S + L, which
// a lenient ZIP-215 verifier would take) fails on both.
import { describe, expect, test } from 'vitest';
import { nodeCrypto } from '../nodeLedger/crypto.ts';
import type { LedgerCrypto } from './crypto.ts';
import { toHex } from './encoding.ts';
import { nobleCrypto } from './noble.ts';
import { NoteError, openNote, parseVerifierKey } from './note.ts';
import { ProofError, verifyConsistency, verifyInclusion } from './proof.ts';
import { consistencyCases, inclusionCases, rfc6962, unhex } from './testdata/vectors.ts';

// Go's golang.org/x/mod/sumdb/note example (as in note.test.ts).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG_B64 = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const PETER_NOTE = `${TEXT}\n— PeterNeumann ${PETER_SIG_B64}\n`;

/** The order of the Ed25519 group, L = 2^252 + 27742317777372353535851937790883648493. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function outcome(f: () => void): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (e instanceof ProofError || e instanceof NoteError) return e.code;
    throw e;
  }
}

/** The note with its signature's S replaced by S + L: the same signature to a lenient verifier. */
function malleated(): string {
  const blob = Buffer.from(PETER_SIG_B64, 'base64');
  const s = blob.subarray(4 + 32, 4 + 64);
  let n = 0n;
  for (let i = 31; i >= 0; i -= 1) n = (n << 8n) | BigInt(s[i]!);
  n += L;
  expect(n < 2n ** 256n).toBe(true);
  for (let i = 0; i < 32; i += 1) {
    s[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return `${TEXT}\n— PeterNeumann ${blob.toString('base64')}\n`;
}

describe.each([
  ['noble', nobleCrypto],
  ['node:crypto', nodeCrypto],
] as [string, LedgerCrypto][])('the ledger on %s', (_, crypto) => {
  const v = rfc6962();

  test('reproduces the published RFC 6962 hashes and the empty root', () => {
    expect(toHex(crypto.hasher.emptyRoot)).toBe(v.roots[0]);
    for (const c of v.hasher) {
      const got = c.leaf !== undefined ? crypto.hasher.hashLeaf(unhex(c.leaf)) : crypto.hasher.hashChildren(unhex(c.left!), unhex(c.right!));
      expect(toHex(got), c.desc).toBe(c.want);
    }
    // Past the hasher's scratch buffer, the input is assembled in a fresh one.
    const big = new Uint8Array(5000).fill(7);
    expect(toHex(crypto.hasher.hashLeaf(big))).toBe(toHex(nodeCrypto.hasher.hashLeaf(big)));
  });

  test('gives every inclusion vector its expected outcome', () => {
    for (const c of inclusionCases()) {
      const got = outcome(() => verifyInclusion(crypto.hasher, c.index, c.size, unhex(c.leafHash), c.proof.map(unhex), unhex(c.root)));
      expect(got, c.desc).toBe(c.want);
    }
  });

  test('gives every consistency vector its expected outcome', () => {
    for (const c of consistencyCases()) {
      const got = outcome(() => verifyConsistency(crypto.hasher, c.from, c.to, c.proof.map(unhex), unhex(c.fromRoot), unhex(c.toRoot)));
      expect(got, c.desc).toBe(c.want);
    }
  });

  test("opens Go's signed note, and refuses it edited or with a malleated signature", () => {
    const peter = parseVerifierKey(PETER_VKEY, crypto.note);
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(openNote(PETER_NOTE, peter)).toBe(TEXT);
    expect(outcome(() => openNote(PETER_NOTE.replace('answer', 'ANSWER'), peter))).toBe('bad-signature');
    expect(outcome(() => openNote(malleated(), peter))).toBe('bad-signature');
    expect(outcome(() => parseVerifierKey(PETER_VKEY.replace('+c74f20a3+', '+c74f20a4+'), crypto.note))).toBe('malformed-key');
  });

  test('refuses a signature of the wrong length as a bad signature, not a crash', () => {
    const blob = Buffer.from(PETER_SIG_B64, 'base64').subarray(0, 40);
    const note = `${TEXT}\n— PeterNeumann ${blob.toString('base64')}\n`;
    expect(outcome(() => openNote(note, parseVerifierKey(PETER_VKEY, crypto.note)))).toBe('bad-signature');
  });
});
