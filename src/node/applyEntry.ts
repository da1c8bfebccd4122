// One accepted entry, written down: what the sequencer, `restore` and `verify` each do
// once `apply` has accepted an entry. It appends the entry to the log and the Merkle
// tree, writes its state changes, and carries out its effects (journal lines, earnings
// views, payout leaves, blob references). Because all three share it, a replay rebuilds
// exactly the tables the sequencer wrote, and `verify` can compare them row by row.
// It must never decide whether an entry is accepted (the caller's `apply` did), and never
// commit: it runs inside the caller's transaction.
import type { MerkleTree } from '../ledger/tree.ts';
import type { ApplyResult } from '../protocol/action.ts';
import type { Entry } from '../protocol/entry.ts';
import { carryOutEffects } from '../protocol/effects.ts';
import type { EntryStore } from '../store/entryStore.ts';
import type { MoneyStore } from '../store/moneyStore.ts';
import type { SqliteState } from '../store/stateStore.ts';

/**
 * What a blob effect does where the entry is written: the sequencer stores the bytes the
 * submission carries, `restore` notes which contributions' bytes to fetch, `verify`
 * counts references only.
 */
export interface BlobEffects {
  retain(hash: string): void;
  release(hash: string): void;
}

export interface EntryTargets {
  /** Where the entry's bytes go; `verify` keeps none (they stay in the source it reads). */
  entries?: EntryStore;
  tree: MerkleTree;
  state: SqliteState;
  money: MoneyStore;
  blobs: BlobEffects;
}

/** Writes an entry `apply` accepted: its bytes (leaf hash `leaf`), state changes and effects. */
export function recordEntry(t: EntryTargets, entry: Pick<Entry, 'index' | 'time'>, bytes: Uint8Array, leaf: Buffer, applied: ApplyResult): void {
  t.entries?.append(entry.index, bytes);
  t.tree.append(leaf);
  t.state.write(applied.changes);
  carryOutEffects({
    retainBlob: (hash) => t.blobs.retain(hash),
    releaseBlob: (hash) => t.blobs.release(hash),
    journal: (at, lines) => t.money.appendLines(at.index, at.time, lines),
    views: (increments) => t.money.addToViews(increments),
    payouts: (epoch, leaves) => t.money.recordPayouts(epoch, leaves),
  }, entry, applied.effects);
}
