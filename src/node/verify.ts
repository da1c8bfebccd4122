// `tributary verify`: replays a whole log from nothing into a scratch database and
// checks every entry's encoding, leaf hash and signature, every checkpoint's signature,
// root and state root, and finally every table the node materialised from its log and
// serves the API from (state, journal, earnings views, payout leaves, checkpoints, tree,
// blob references), each rebuilt by the replay (materialised.ts). It stops at the first
// divergence and names it. Trusts nothing from the source but the bytes it replays.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TributaryClient } from '../client/client.ts';
import { parseCheckpoint } from '../nodeLedger/checkpoint.ts';
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { openNote, parseVerifierKey } from '../nodeLedger/note.ts';
import { MerkleTree } from '../nodeLedger/tree.ts';
import type { ProtocolParams } from '../protocol/action.ts';
import { decodeEntry, type Entry } from '../protocol/entry.ts';
import { auditMoney, type MoneyAudit } from '../settlement/audit.ts';
import { BlobStore } from '../store/blobs.ts';
import { openPostgres } from '../store/postgres.ts';
import type { Db } from '../store/sql.ts';
import { openSqlite } from '../store/sqlite.ts';
import { EntryStore } from '../store/entryStore.ts';
import { SqlHashStore } from '../store/hashStore.ts';
import { MoneyStore } from '../store/moneyStore.ts';
import { SqlState } from '../store/stateStore.ts';
import { pagedRows, type RowDifference } from '../store/tableDiff.ts';
import { createProtocol } from './actions.ts';
import { genesisParams, ReplayRefused, replayEntry } from './applyEntry.ts';
import { compareMaterialised, MaterialisedMismatch, type MaterialisedReport, TREE_TABLE } from './materialised.ts';
import { STATE_EXTENSION } from './nodeKey.ts';

export interface VerifyReport {
  ok: boolean;
  size: number;
  entries: number;
  checkpoints: number;
  stateRoot: string;
  /** The books as replay recomputed them (present when the replay reached the end). */
  money?: MoneyAudit;
  /** How the node's materialised tables compared with replay's (sources that are a database). */
  materialised?: MaterialisedReport;
  divergence?: {
    index: number | null;
    checkpointSize?: number;
    reason: string;
    /** A materialised row that differs: its table, key, column, the node's value and replay's. */
    row?: RowDifference;
  };
}

export interface VerifyOptions {
  /** Pin the node key: the genesis entry must name exactly this verifier key. */
  verifierKey?: string;
  onProgress?(done: number, total: number): void;
}

/** Where the log comes from: a data directory or a node's HTTP API. */
export interface LogSource {
  entries(from: number, limit: number): Promise<Array<{ index: number; data: Buffer }>>;
  checkpoints(after: number, limit: number): Promise<Array<{ size: number; note: string }>>;
  /** The leaf hash the source stored for an entry, if it keeps one. */
  storedLeafHash?(index: number): Buffer | undefined;
  /** The source's stored Merkle tree nodes (level, index, hash), if it keeps them, to compare with replay's. */
  storedTreeNodes?(): Iterable<{ level: number; idx: number; hash: Buffer }>;
  /** The source's own database, whose materialised tables are compared with replay's. */
  database?: Db;
}

class Divergence extends Error {
  constructor(
    readonly index: number | null,
    reason: string,
    readonly checkpointSize?: number,
    readonly row?: RowDifference,
  ) {
    super(reason);
  }
}

const PAGE = 1000;
/** How many times verify replays what a running node appended meanwhile, to compare its tables at one size. */
const CATCH_UP_TRIES = 3;

/** Every checkpoint the source lists (above size `from`), ascending by size, read in pages. */
export async function allCheckpoints(source: LogSource, from = 0): Promise<Array<{ size: number; note: string }>> {
  const cps: Array<{ size: number; note: string }> = [];
  for (let after = from; ; ) {
    const page = await source.checkpoints(after, PAGE);
    cps.push(...page);
    if (page.length < PAGE) return cps;
    after = page[page.length - 1].size;
  }
}

export async function verifyLog(source: LogSource, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const scratchDir = mkdtempSync(join(tmpdir(), 'tributary-verify-'));
  const db = openSqlite(join(scratchDir, 'replay.db'), { scratch: true });
  const state = new SqlState(db);
  const tree = new MerkleTree(new SqlHashStore(db), 0);
  // The tables the sequencer writes beside state, rebuilt the same way to compare them.
  const replayed = new EntryStore(db);
  const money = new MoneyStore(db);
  const blobRefs = new BlobStore(db);
  const NO_BYTES = Buffer.alloc(0); // verify counts references; the bytes are checked against their hashes in place
  const protocol = createProtocol();
  let params: ProtocolParams | undefined;
  let checked = 0;
  let lastTime = -Infinity;
  const report = (extra: Partial<VerifyReport>): VerifyReport => ({
    ok: false,
    size: tree.size,
    entries: tree.size,
    checkpoints: checked,
    stateRoot: state.hash.root().toString('hex'),
    ...extra,
  });

  try {
    // All checkpoints up front (they are small): the last one fixes how far we replay.
    const cps = await allCheckpoints(source);
    const target = cps.length ? cps[cps.length - 1].size : 0;
    if (target === 0) throw new Divergence(null, 'the source has no signed checkpoint');
    let nextCp = 0;

    const checkCheckpoint = (cp: { size: number; note: string }) => {
      let text: string;
      try {
        text = openNote(cp.note, parseVerifierKey(params!.nodeKey));
      } catch (e) {
        throw new Divergence(null, `checkpoint at size ${cp.size}: signature: ${(e as Error).message}`, cp.size);
      }
      const parsed = parseCheckpoint(text);
      if (parsed.size !== cp.size) throw new Divergence(null, `checkpoint listed at size ${cp.size} says size ${parsed.size}`, cp.size);
      if (parsed.origin !== params!.origin)
        throw new Divergence(null, `checkpoint at size ${cp.size} has origin ${parsed.origin}, genesis says ${params!.origin}`, cp.size);
      const root = tree.root(cp.size);
      if (!root.equals(parsed.rootHash))
        throw new Divergence(
          null,
          `checkpoint at size ${cp.size}: signed root ${Buffer.from(parsed.rootHash).toString('hex')} but the entries give ${root.toString('hex')}`,
          cp.size,
        );
      const ext = parsed.extensions.find((l) => l.startsWith(STATE_EXTENSION + ' '));
      if (!ext) throw new Divergence(null, `checkpoint at size ${cp.size} carries no ${STATE_EXTENSION} line`, cp.size);
      const want = ext.slice(STATE_EXTENSION.length + 1);
      const got = state.hash.root().toString('base64');
      if (want !== got)
        throw new Divergence(cp.size - 1, `checkpoint at size ${cp.size}: signed state root ${want} but replay gives ${got}`, cp.size);
      replayed.saveCheckpoint({ size: cp.size, note: cp.note, stateRoot: state.hash.root() });
      checked++;
    };

    const replayTo = async (target: number) => {
      for (let from = tree.size; from < target; ) {
        const page = await source.entries(from, Math.min(PAGE, target - from));
        if (page.length === 0) throw new Divergence(from, `the source has no entry ${from}, but a checkpoint covers ${target}`);
        db.transaction(() => {
          for (const { index, data } of page) {
            if (index !== tree.size) throw new Divergence(tree.size, `expected entry ${tree.size}, the source sent ${index}`);
            replayOne(index, data);
            while (nextCp < cps.length && cps[nextCp].size === tree.size) checkCheckpoint(cps[nextCp++]);
          }
        })();
        from += page.length;
        opts.onProgress?.(from, target);
      }
    };
    await replayTo(target);

    if (source.storedTreeNodes) {
      const mine = new SqlHashStore(db);
      for (const n of source.storedTreeNodes()) {
        const want = mine.get(n.level, n.idx);
        // Nodes past the replayed size belong to entries appended after our target checkpoint.
        if (want && !want.equals(n.hash))
          throw new Divergence(null, `stored tree node at level ${n.level}, index ${n.idx} is ${n.hash.toString('hex')}, replay gives ${want.toString('hex')}: proofs served from it would fail`);
      }
    }
    const scanned = state.scanHash().root();
    if (!scanned.equals(state.hash.root())) throw new Divergence(null, 'replayed state hash disagrees with a full scan (verifier bug)');
    let materialised: MaterialisedReport | undefined;
    if (source.database) {
      try {
        // A running node may have appended since: catch up with its newer checkpoints, a few times.
        for (let tries = 0; ; tries++) {
          materialised = compareMaterialised(source.database, db, tree.size);
          if (materialised.compared || tries === CATCH_UP_TRIES) break;
          const newer = await allCheckpoints(source, tree.size);
          if (newer.length === 0) break;
          cps.push(...newer);
          await replayTo(newer[newer.length - 1].size);
        }
      } catch (e) {
        if (!(e instanceof MaterialisedMismatch)) throw e;
        const { what: _what, ...row } = e.difference;
        throw new Divergence(null, `the node's materialised ${row.table} differs from replay: ${e.message}`, undefined, row);
      }
    }
    const audit = auditMoney(state);
    if (!audit.conserved)
      throw new Divergence(null, `money is not conserved: balances hold ${audit.held} base units, deposits minus withdrawals are ${BigInt(audit.deposited) - BigInt(audit.withdrawn)}`);
    return { ...report({}), money: audit, materialised, ok: true };
  } catch (e) {
    if (e instanceof Divergence)
      return report({ divergence: { index: e.index, checkpointSize: e.checkpointSize, reason: e.message, ...(e.row ? { row: e.row } : {}) } });
    throw e;
  } finally {
    db.close();
    rmSync(scratchDir, { recursive: true, force: true });
  }

  function replayOne(index: number, data: Buffer): void {
    let entry: Entry;
    try {
      entry = decodeEntry(data);
    } catch (e) {
      throw new Divergence(index, `entry ${index}: ${(e as Error).message}`);
    }
    const leaf = hashLeaf(data);
    const stored = source.storedLeafHash?.(index);
    if (stored && !stored.equals(leaf))
      throw new Divergence(index, `entry ${index}: its bytes hash to ${leaf.toString('hex')}, but the tree holds leaf ${stored.toString('hex')}`);
    if (entry.index !== index) throw new Divergence(index, `entry ${index} says it is entry ${entry.index}`);
    if (entry.time < lastTime) throw new Divergence(index, `entry ${index} is timed ${entry.time}, before its predecessor (${lastTime})`);
    lastTime = entry.time;
    try {
      if (index === 0) {
        params = genesisParams(entry);
        if (opts.verifierKey && opts.verifierKey !== params.nodeKey)
          throw new Divergence(0, `genesis names node key ${params.nodeKey}, not the pinned ${opts.verifierKey}`);
      }
      replayEntry(protocol, params!, { tree, state, money, blobs: { retain: (h) => blobRefs.retain(h, NO_BYTES), release: (h) => blobRefs.release(h) } }, entry, data, leaf);
    } catch (e) {
      if (!(e instanceof ReplayRefused)) throw e;
      if (e.step === 'genesis') throw new Divergence(0, e.message);
      if (e.step === 'signature') throw new Divergence(index, `entry ${index} (${entry.action.type}): ${e.message}`);
      throw new Divergence(index, `entry ${index} (${entry.action.type}) breaks a rule on replay: ${e.message}`);
    }
  }
}

/** Verifies a node's data directory (it may be running: SQLite WAL lets us read alongside). */
export async function verifyDataDir(dataDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const path = join(dataDir, 'tributary.db');
  if (!existsSync(path)) throw new Error(`${dataDir} holds no Tributary log (no tributary.db): is it the node's --data directory?`);
  return verifyDatabase(openSqlite(path, { readonly: true }), opts);
}

/** Verifies the log a cluster keeps in PostgreSQL (it may be running: reads see committed batches only). */
export async function verifyPostgres(url: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyDatabase(openPostgres(url), opts);
}

/** Verifies what a node's database holds, and closes it. */
async function verifyDatabase(db: Db, opts: VerifyOptions): Promise<VerifyReport> {
  try {
    return await verifyLog(databaseSource(db), opts);
  } finally {
    db.close();
  }
}

/** A node's database as a log source, with what it stores beside the log for the deeper checks. */
export function databaseSource(db: Db): LogSource {
  const entries = new EntryStore(db);
  const leaf = db.prepare<[number], { hash: Buffer }>('SELECT hash FROM tree WHERE level = 0 AND idx = ?');
  return {
    entries: async (from, limit) => entries.range(from, limit),
    checkpoints: async (after, limit) => entries.checkpoints(after, limit),
    storedLeafHash: (i) => leaf.get(i)?.hash,
    storedTreeNodes: function* () {
      for (const r of pagedRows(db, TREE_TABLE))
        yield { level: Number(r.level), idx: Number(r.idx), hash: Buffer.from(r.hash, 'hex') };
    },
    database: db,
  };
}

/** Verifies a remote node through its public log API only. */
export async function verifyNode(url: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const client = new TributaryClient(url);
  const source: LogSource = {
    entries: async (from, limit) =>
      (await client.entries(from, limit)).entries.map((e) => ({ index: e.index, data: Buffer.from(e.data, 'base64') })),
    checkpoints: async (after, limit) => (await client.checkpoints(after, limit)).checkpoints,
  };
  return verifyLog(source, opts);
}

