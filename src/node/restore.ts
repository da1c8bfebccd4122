// `tributary restore`: rebuilds a node's database from a log, by replaying it. The log is
// verified first (every entry, signature, checkpoint, root and state root, as `verify`
// does); then every entry is applied again exactly as the sequencer applied it, into an
// empty database (SQLite in a data directory, or PostgreSQL): entries, tree, state, the
// journal, payout leaves and earnings views, and the source's own signed checkpoints.
// Contribution bytes are not in the log (only their hashes): they are copied from the
// source for the contributions still live, and checked against their hashes.
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { MerkleTree } from '../nodeLedger/tree.ts';
import type { ProtocolParams } from '../protocol/action.ts';
import { decodeEntry } from '../protocol/entry.ts';
import { BlobStore } from '../store/blobs.ts';
import { openDatabase } from '../store/db.ts';
import { EntryStore } from '../store/entryStore.ts';
import { SqlHashStore } from '../store/hashStore.ts';
import { MoneyStore } from '../store/moneyStore.ts';
import { SqlState } from '../store/stateStore.ts';
import { sha256Hex } from '../datanets/intake.ts';
import { createProtocol } from './actions.ts';
import { genesisParams, replayEntry } from './applyEntry.ts';
import { TributaryClient } from '../client/client.ts';
import type { Db } from '../store/sql.ts';
import { allCheckpoints, databaseSource, type LogSource, verifyLog, type VerifyReport } from './verify.ts';

export interface RestoreSource extends LogSource {
  /** The bytes of a live contribution, by its id (the source's content route or blob table). */
  content(contribution: number, hash: string): Promise<Buffer | undefined>;
}

export interface RestoreReport {
  verified: VerifyReport;
  entries: number;
  checkpoints: number;
  blobs: number;
  /** Live contributions whose bytes the source no longer had: their entries stand, their content is gone. */
  missingBlobs: string[];
  /** The verifier key the log's genesis names: the node key a restored node must sign with. */
  nodeKey: string;
}

const PAGE = 1000;

/** Replays `source` into the empty database of `target`; refuses a target that holds a log already. */
export async function restoreLog(
  source: RestoreSource,
  target: { dataDir: string; databaseUrl?: string },
  opts: { verifierKey?: string; onProgress?(phase: string, done: number, total: number): void } = {},
): Promise<RestoreReport> {
  const verified = await verifyLog(source, { verifierKey: opts.verifierKey, onProgress: (d, t) => opts.onProgress?.('verify', d, t) });
  if (!verified.ok) throw new Error(`the source does not verify, nothing restored: ${verified.divergence?.reason ?? 'unknown divergence'}`);
  const db = openDatabase(target);
  try {
    const entries = new EntryStore(db);
    if (entries.count() > 0) throw new Error('the target already holds a log: restore only into an empty data directory or database');
    const state = new SqlState(db);
    const money = new MoneyStore(db);
    const blobs = new BlobStore(db);
    const tree = new MerkleTree(new SqlHashStore(db), 0);
    const protocol = createProtocol();
    // Checkpoints are the source's own signed notes, kept at the sizes it signed them.
    const cps = await allCheckpoints(source);
    const size = verified.size;
    let nextCp = 0;
    let params: ProtocolParams | undefined;
    // Live blobs: hash → references, and a contribution to fetch the bytes by.
    const live = new Map<string, { refs: number; contribution?: number }>();
    for (let from = 0; from < size; ) {
      const page = await source.entries(from, Math.min(PAGE, size - from));
      db.transaction(() => {
        for (const { index, data } of page) {
          const entry = decodeEntry(data);
          if (index === 0) params = genesisParams(entry);
          // Blob bytes are not in the log: note which live contribution to fetch them by.
          replayEntry(protocol, params!, { entries, tree, state, money, blobs: {
            retain: (hash, result) => {
              const b = live.get(hash) ?? { refs: 0 };
              b.refs++;
              b.contribution ??= result?.contribution as number | undefined;
              live.set(hash, b);
            },
            release: (hash) => {
              const b = live.get(hash);
              if (b && --b.refs <= 0) live.delete(hash);
            },
          } }, entry, data, hashLeaf(data));
          while (nextCp < cps.length && cps[nextCp].size === tree.size) {
            state.saveHash();
            entries.saveCheckpoint({ size: tree.size, note: cps[nextCp].note, stateRoot: state.hash.root() });
            nextCp++;
          }
        }
      })();
      from += page.length;
      opts.onProgress?.('replay', from, size);
    }
    const missingBlobs: string[] = [];
    let done = 0;
    for (const [hash, b] of live) {
      const bytes = b.contribution === undefined ? undefined : await source.content(b.contribution, hash);
      if (!bytes || sha256Hex(bytes) !== hash.toLowerCase()) missingBlobs.push(hash);
      else db.transaction(() => {
        for (let i = 0; i < b.refs; i++) blobs.retain(hash, bytes);
      })();
      opts.onProgress?.('content', ++done, live.size);
    }
    return { verified, entries: tree.size, checkpoints: nextCp, blobs: live.size - missingBlobs.length, missingBlobs, nodeKey: params!.nodeKey };
  } finally {
    db.close();
  }
}

/** Another node's database (SQLite or PostgreSQL) as the source: its log and its blob table. */
export function databaseRestoreSource(db: Db): RestoreSource {
  const blobs = new BlobStore(db);
  return { ...databaseSource(db), content: async (_contribution, hash) => blobs.get(hash) };
}

/** A running node as the source, through its public API only. */
export function nodeRestoreSource(url: string): RestoreSource {
  const client = new TributaryClient(url, { timeoutMs: 60_000 });
  return {
    entries: async (from, limit) => (await client.entries(from, limit)).entries.map((e) => ({ index: e.index, data: Buffer.from(e.data, 'base64') })),
    checkpoints: async (after, limit) => (await client.checkpoints(after, limit)).checkpoints,
    content: async (contribution) => client.content(contribution).then((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength), () => undefined),
  };
}
