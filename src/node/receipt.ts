// A receipt: everything needed to prove, offline and to anyone, that an action is in
// the log: the entry bytes, its leaf hash, a signed checkpoint and the inclusion
// proof from the leaf to that checkpoint's root. The checking itself is src/ledger/receipt.ts's.
import { checkReceipt, type ReceiptStepId } from '../ledger/receipt.ts';
import { nodeCrypto } from '../nodeLedger/crypto.ts';
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

// What each step's failure is called on the command line, before the step's own sentence.
const FAILURE: Record<ReceiptStepId, string> = {
  key: 'verifier key',
  signature: 'checkpoint signature',
  leaf: 'leaf hash mismatch',
  proof: 'inclusion proof',
};

/**
 * Checks a receipt against the node's verifier key, offline, with the same step-by-step
 * verifier the explorer runs (src/ledger/receipt.ts), on node:crypto. Throws ReceiptError
 * naming the step that failed and what did not hold.
 */
export function verifyReceipt(receipt: Omit<Receipt, 'result'>, verifierKey: string): VerifiedReceipt {
  const check = checkReceipt(receipt, verifierKey, nodeCrypto);
  const failed = check.steps.find((s) => !s.ok);
  if (failed !== undefined || !check.ok) {
    const message = failed?.message ?? 'no step ran';
    throw new ReceiptError(`${FAILURE[failed?.id ?? 'key']}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`);
  }
  const cp = check.checkpoint!;
  return { index: receipt.index, size: cp.size, origin: cp.origin, entry: Buffer.from(check.entry!) };
}
