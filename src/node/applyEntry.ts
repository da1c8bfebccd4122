// One entry, applied and written down: what the sequencer, `restore` and `verify` each do
// with an entry. `recordEntry` appends an accepted entry to the log and the Merkle tree,
// writes its state changes, and carries out its effects (journal lines, earnings views,
// payout leaves, blob references); `replayEntry` is the replay's step before it (check the
// signature, run `apply`), and `genesisParams` the one reading of a log's entry 0. Because
// all three share them, a replay rebuilds exactly the tables the sequencer wrote, and
// `verify` can compare them row by row. `recordEntry` must never decide whether an entry
// is accepted (the caller's `apply` did); nothing here ever commits: it runs inside the
// caller's transaction.
import type { MerkleTree } from '../nodeLedger/tree.ts';
import type { ApplyResult, ProtocolParams } from '../protocol/action.ts';
import type { Entry } from '../protocol/entry.ts';
import { genesisAction } from '../protocol/genesis.ts';
import type { Protocol } from '../protocol/protocol.ts';
import { carryOutEffects } from '../protocol/effects.ts';
import type { EntryStore } from '../store/entryStore.ts';
import type { MoneyStore } from '../store/moneyStore.ts';
import type { SqlState } from '../store/stateStore.ts';

/**
 * What a blob effect does where the entry is written: the sequencer stores the bytes the
 * submission carries, `restore` notes which contributions' bytes to fetch, `verify`
 * counts references only.
 */
export interface BlobEffects {
  /** `result` is the entry's own (restore fetches a contribution's bytes by the id it names). */
  retain(hash: string, result: ApplyResult['result']): void;
  release(hash: string): void;
}

export interface EntryTargets {
  /** Where the entry's bytes go; `verify` keeps none (they stay in the source it reads). */
  entries?: EntryStore;
  tree: MerkleTree;
  state: SqlState;
  money: MoneyStore;
  blobs: BlobEffects;
}

/** Writes an entry `apply` accepted: its bytes (leaf hash `leaf`), state changes and effects. */
export function recordEntry(t: EntryTargets, entry: Pick<Entry, 'index' | 'time'>, bytes: Uint8Array, leaf: Buffer, applied: ApplyResult): void {
  t.entries?.append(entry.index, bytes);
  t.tree.append(leaf);
  t.state.write(applied.changes);
  carryOutEffects(
    {
      retainBlob: (hash) => t.blobs.retain(hash, applied.result),
      releaseBlob: (hash) => t.blobs.release(hash),
      journal: (at, lines) => t.money.appendLines(at.index, at.time, lines),
      views: (increments) => t.money.addToViews(increments),
      payouts: (epoch, leaves) => t.money.recordPayouts(epoch, leaves),
    },
    entry,
    applied.effects,
  );
}

/** The protocol parameters a log's genesis entry (entry 0) fixes: replay reads them from the log, never from config. */
export function genesisParams(entry: Entry): ProtocolParams {
  if (entry.action.type !== genesisAction.type) throw new ReplayRefused('genesis', `entry 0 is ${entry.action.type}, not ${genesisAction.type}`);
  const a = entry.action as unknown as ProtocolParams;
  return { origin: a.origin, chainId: a.chainId, nodeKey: a.nodeKey };
}

/** Why replay refused an entry the log holds: its signature, or a rule `apply` enforces. */
export class ReplayRefused extends Error {
  constructor(
    readonly step: 'genesis' | 'signature' | 'rules',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Replays one entry of a log: checks its signature, applies it to the state, and writes
 * it down (recordEntry). Throws ReplayRefused, having written nothing, if the entry would
 * not have been sequenced.
 */
export function replayEntry(protocol: Protocol, params: ProtocolParams, t: EntryTargets, entry: Entry, bytes: Uint8Array, leaf: Buffer): ApplyResult {
  let signer: string;
  try {
    signer = protocol.authenticate(params, entry.action, entry.auth);
  } catch (e) {
    throw new ReplayRefused('signature', (e as Error).message);
  }
  let applied: ApplyResult;
  try {
    applied = protocol.apply(t.state, params, entry, signer);
  } catch (e) {
    throw new ReplayRefused('rules', (e as Error).message);
  }
  recordEntry(t, entry, bytes, leaf, applied);
  return applied;
}
