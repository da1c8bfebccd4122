// The Merkle tree's perfect-subtree hashes, kept in the database (SQLite or
// PostgreSQL). Writes join whatever transaction the sequencer has open, so the tree
// and the entries commit together.
// Receipts ask for proofs of entries just appended, and every proof touches the upper
// levels, so those and the most recent writes are also kept in memory.
import type { HashStore } from '../nodeLedger/tree.ts';
import type { Db } from './db.ts';

/** Levels at or above this are few (n / 2^level) and on every proof path: keep them all. */
const PINNED_LEVEL = 6;
const RECENT = 16_384;

const keyOf = (level: number, index: number) => level * 2 ** 40 + index;

export class SqlHashStore implements HashStore {
  private readonly getStmt;
  private readonly putStmt;
  private readonly pinned = new Map<number, Buffer>();
  private readonly recent = new Map<number, Buffer>();

  constructor(db: Db) {
    this.getStmt = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM tree WHERE level = ? AND idx = ?');
    // Plain INSERT: the tree is append-only, so a second write to one position is a bug to surface.
    this.putStmt = db.prepare('INSERT INTO tree (level, idx, hash) VALUES (?, ?, ?)');
  }

  get(level: number, index: number): Buffer | undefined {
    const k = keyOf(level, index);
    const hit = level >= PINNED_LEVEL ? this.pinned.get(k) : this.recent.get(k);
    if (hit) return hit;
    const hash = this.getStmt.get(level, index)?.hash;
    if (hash && level >= PINNED_LEVEL) this.pinned.set(k, hash);
    return hash;
  }

  put(level: number, index: number, hash: Buffer): void {
    this.putStmt.run(level, index, hash);
    const k = keyOf(level, index);
    if (level >= PINNED_LEVEL) this.pinned.set(k, hash);
    else {
      this.recent.set(k, hash);
      if (this.recent.size > RECENT) this.recent.delete(this.recent.keys().next().value as number);
    }
  }

  /** Drops everything cached, e.g. after the transaction that wrote it rolled back. */
  clearCache(): void {
    this.pinned.clear();
    this.recent.clear();
  }
}
