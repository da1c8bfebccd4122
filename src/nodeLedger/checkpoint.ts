// src/ledger/checkpoint.ts with the root hash as a Buffer, for the node's code. Only
// converts; parsing and its rules live in src/ledger/checkpoint.ts.
import * as checkpoint from '../ledger/checkpoint.ts';

export { CheckpointError, type CheckpointErrorCode, type CheckpointInput, formatCheckpoint } from '../ledger/checkpoint.ts';

export type Checkpoint = checkpoint.Checkpoint<Buffer>;

/** Parses and validates a checkpoint body (the text `openNote` returns). */
export function parseCheckpoint(text: string): Checkpoint {
  const cp = checkpoint.parseCheckpoint(text);
  return { ...cp, rootHash: Buffer.from(cp.rootHash) };
}
