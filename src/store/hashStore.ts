// The Merkle tree's perfect-subtree hashes, kept in SQLite. Writes join whatever
// transaction the sequencer has open, so the tree and the entries commit together.
import type { HashStore } from '../ledger/tree.ts';
import type { Db } from './db.ts';

export class SqliteHashStore implements HashStore {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[number, number], { hash: Buffer }>('SELECT hash FROM tree WHERE level = ? AND idx = ?');
    this.putStmt = db.prepare('INSERT OR REPLACE INTO tree (level, idx, hash) VALUES (?, ?, ?)');
  }

  get(level: number, index: number): Buffer | undefined {
    return this.getStmt.get(level, index)?.hash;
  }

  put(level: number, index: number, hash: Buffer): void {
    this.putStmt.run(level, index, hash);
  }
}
