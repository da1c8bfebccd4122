// A receipt: everything needed to prove, offline and to anyone, that an action is in
// the log: the entry bytes, its leaf hash, a signed checkpoint and the inclusion
// proof from the leaf to that checkpoint's root.
import { hashLeaf } from '../ledger/hasher.ts';
import { openNote, parseVerifierKey } from '../ledger/note.ts';
import { parseCheckpoint } from '../ledger/checkpoint.ts';
import { verifyInclusion } from '../ledger/proof.ts';
import type { Receipt } from '../wire/receipt.ts';

/** The shape is the wire contract's (src/wire/receipt.ts); this module checks one. */
export type { Receipt };

export class ReceiptError extends Error {
  override readonly name = 'ReceiptError';
}

export interface VerifiedReceipt {
  index: number;
  size: number;
  origin: string;
  entry: Buffer;
}

/** Checks a receipt against the node's verifier key, offline. Throws ReceiptError naming what failed. */
export function verifyReceipt(receipt: Omit<Receipt, 'result'>, verifierKey: string): VerifiedReceipt {
  const entry = Buffer.from(receipt.entry, 'base64');
  const leaf = hashLeaf(entry);
  if (leaf.toString('hex') !== receipt.leafHash)
    throw new ReceiptError(`leaf hash mismatch: entry hashes to ${leaf.toString('hex')}, receipt says ${receipt.leafHash}`);
  if (receipt.inclusionProof.leafHash !== receipt.leafHash) throw new ReceiptError('inclusion proof is for another leaf');
  if (receipt.inclusionProof.index !== receipt.index) throw new ReceiptError('inclusion proof is for another index');
  let text: string;
  try {
    text = openNote(receipt.checkpoint, parseVerifierKey(verifierKey));
  } catch (e) {
    throw new ReceiptError(`checkpoint signature: ${(e as Error).message}`);
  }
  const cp = parseCheckpoint(text);
  if (cp.size !== receipt.inclusionProof.size)
    throw new ReceiptError(`inclusion proof is for tree size ${receipt.inclusionProof.size}, checkpoint is size ${cp.size}`);
  try {
    verifyInclusion(
      receipt.index,
      cp.size,
      leaf,
      receipt.inclusionProof.hashes.map((h) => Buffer.from(h, 'hex')),
      cp.rootHash,
    );
  } catch (e) {
    throw new ReceiptError(`inclusion proof: ${(e as Error).message}`);
  }
  return { index: receipt.index, size: cp.size, origin: cp.origin, entry };
}
