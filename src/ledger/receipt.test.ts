// Tests of receipt.ts, the one receipt verifier, on both cryptos it runs on (node:crypto for
// `tributary receipt verify`, noble for the explorer): a real receipt from a signed
// checkpoint and a Merkle tree passes every step; each tampering fails at the step that
// catches it, with the same words on both, and no later step runs.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { formatCheckpoint } from '../nodeLedger/checkpoint.ts';
import { nodeCrypto } from '../nodeLedger/crypto.ts';
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { formatVerifierKey, signNote } from '../nodeLedger/note.ts';
import { MemoryHashStore, MerkleTree } from '../nodeLedger/tree.ts';
import type { LedgerCrypto } from './crypto.ts';
import { nobleCrypto } from './noble.ts';
import { checkReceipt, type ReceiptCheck, type ReceiptProof, receiptShapeProblem } from './receipt.ts';

const NAME = 'receipts.test/log';
const { privateKey } = generateKeyPairSync('ed25519');
const KEY = formatVerifierKey(NAME, privateKey);
const entries = Array.from({ length: 11 }, (_, i) => JSON.stringify({ index: i, action: { type: 'Test', n: i } }));
const tree = new MerkleTree(new MemoryHashStore(), 0);
for (const e of entries) tree.append(hashLeaf(Buffer.from(e)));
const checkpoint = signNote(formatCheckpoint({ origin: NAME, size: tree.size, rootHash: tree.root() }), NAME, privateKey);

function receiptFor(index: number): ReceiptProof {
  const leafHash = tree.leafHash(index).toString('hex');
  return {
    index,
    leafHash,
    entry: Buffer.from(entries[index]!).toString('base64'),
    checkpoint,
    inclusionProof: { index, size: tree.size, leafHash, hashes: tree.inclusionProof(index, tree.size).map((h) => h.toString('hex')) },
  };
}

const good = receiptFor(6);
const edited = Buffer.from(entries[6]!.replace('"n":6', '"n":7')).toString('base64');
const editedLeaf = hashLeaf(Buffer.from(entries[6]!.replace('"n":6', '"n":7'))).toString('hex');

/** Each tampering, the step that must catch it, and words its message must hold. */
const tampered: [string, ReceiptProof, string, string, RegExp][] = [
  ['another key id', good, KEY.replace(/\+[0-9a-f]{8}\+/, '+00000000+'), 'key', /key id 00000000 does not match its name and key/],
  ['a key that did not sign', good, formatVerifierKey(NAME, generateKeyPairSync('ed25519').privateKey), 'signature', /no signature by a trusted key/],
  ['a checkpoint with another size', { ...good, checkpoint: checkpoint.replace(/\n11\n/, '\n12\n') }, KEY, 'signature', /does not verify over the note's text/],
  ['edited entry bytes', { ...good, entry: edited }, KEY, 'leaf', /^The entry bytes hash to [0-9a-f]{64}, but the receipt's leaf hash is/],
  ['entry not canonical base64', { ...good, entry: `${good.entry.slice(0, 8)} ${good.entry.slice(8)}` }, KEY, 'leaf', /not standard padded base64/],
  ['a proof for another leaf', { ...good, inclusionProof: { ...good.inclusionProof, leafHash: receiptFor(5).leafHash } }, KEY, 'leaf', /inclusion proof is for leaf/],
  ['edited entry with its leaf hash relabelled', { ...good, entry: edited, leafHash: editedLeaf, inclusionProof: { ...good.inclusionProof, leafHash: editedLeaf } }, KEY, 'proof', /this entry is not at index 6 of that tree/],
  ['a proof for another index', { ...good, inclusionProof: { ...good.inclusionProof, index: 5 } }, KEY, 'proof', /proof is for index 5, but the receipt is for index 6/],
  ['a proof for another size', { ...good, inclusionProof: { ...good.inclusionProof, size: 10 } }, KEY, 'proof', /tree size 10, but the signed checkpoint is for size 11/],
  ['a proof hash in upper case', { ...good, inclusionProof: { ...good.inclusionProof, hashes: good.inclusionProof.hashes.map((h, i) => (i === 1 ? h.toUpperCase() : h)) } }, KEY, 'proof', /Proof hash 2 is not 64 lowercase hex digits/],
  ['a proof one hash short', { ...good, inclusionProof: { ...good.inclusionProof, hashes: good.inclusionProof.hashes.slice(1) } }, KEY, 'proof', /wrong proof size 3, want 4/],
  ['the receipt moved to another index', { ...receiptFor(6), index: 7, inclusionProof: { ...good.inclusionProof, index: 7 } }, KEY, 'proof', /not at index 7 of that tree/],
];

/** What two runs must agree on: each step's outcome, words and values. */
const summary = (c: ReceiptCheck) => c.steps.map((s) => ({ id: s.id, ok: s.ok, message: s.message, values: s.values, path: s.path?.map((p) => [p.side, Buffer.from(p.node).toString('hex')]) }));

describe.each([
  ['node:crypto', nodeCrypto],
  ['noble', nobleCrypto],
] as [string, LedgerCrypto][])('checkReceipt on %s', (_, crypto) => {
  test('passes a real receipt at every index, each step with the values it compared', () => {
    for (let i = 0; i < entries.length; i += 1) {
      const c = checkReceipt(receiptFor(i), KEY, crypto);
      expect(c.steps.map((s) => [s.id, s.ok])).toEqual([['key', true], ['signature', true], ['leaf', true], ['proof', true]]);
      expect(c.ok).toBe(true);
      expect(Buffer.from(c.entry!).toString()).toBe(entries[i]);
      expect(c.checkpoint?.size).toBe(11);
    }
    const c = checkReceipt(good, KEY, crypto);
    const proof = c.steps[3]!;
    expect(proof.values.find((v) => v.label === "checkpoint's root")?.value).toBe(tree.root().toString('hex'));
    expect(Buffer.from(proof.path!.at(-1)!.node).equals(tree.root())).toBe(true);
  });

  test.each(tampered)('fails %s at the step that catches it', (_, receipt, key, step, words) => {
    const c = checkReceipt(receipt, key, crypto);
    expect(c.ok).toBe(false);
    const last = c.steps.at(-1)!;
    expect([last.id, last.ok]).toEqual([step, false]);
    expect(c.steps.slice(0, -1).every((s) => s.ok)).toBe(true);
    expect(last.message).toMatch(words);
  });
});

describe('both cryptos', () => {
  test('report every receipt, good or tampered, in the same words and values', () => {
    for (const [, receipt, key] of [['good', good, KEY] as const, ...tampered]) {
      expect(summary(checkReceipt(receipt, key, nobleCrypto))).toEqual(summary(checkReceipt(receipt, key, nodeCrypto)));
    }
  });
});

describe('receiptShapeProblem', () => {
  test('names the first field a receipt lacks', () => {
    expect(receiptShapeProblem(good)).toBeUndefined();
    expect(receiptShapeProblem(null)).toBe('an object');
    expect(receiptShapeProblem([good])).toBe('an object');
    expect(receiptShapeProblem({ index: 1 })).toBe('"leafHash"');
    expect(receiptShapeProblem({ ...good, index: '1' })).toBe('"index"');
    expect(receiptShapeProblem({ ...good, inclusionProof: { ...good.inclusionProof, size: undefined } })).toBe('"inclusionProof"');
  });
});
