// The log's entries and the checkpoints signed over them: append and read, nothing
// else. Rows are never updated or deleted.
import type { Db } from './db.ts';

export interface StoredCheckpoint {
  size: number;
  note: string;
  stateRoot: Buffer;
}

export class EntryStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly rangeStmt;
  private readonly countStmt;
  private readonly insertCpStmt;
  private readonly latestCpStmt;
  private readonly cpRangeStmt;
  private readonly cpAtStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare('INSERT INTO entries (idx, data) VALUES (?, ?)');
    this.getStmt = db.prepare<[number], { data: Buffer }>('SELECT data FROM entries WHERE idx = ?');
    this.rangeStmt = db.prepare<[number, number], { idx: number; data: Buffer }>(
      'SELECT idx, data FROM entries WHERE idx >= ? ORDER BY idx LIMIT ?',
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entries');
    this.insertCpStmt = db.prepare('INSERT INTO checkpoints (size, note, state_root) VALUES (?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note, state_root = excluded.state_root');
    this.latestCpStmt = db.prepare<[], { size: number; note: string; state_root: Buffer }>(
      'SELECT size, note, state_root FROM checkpoints ORDER BY size DESC LIMIT 1',
    );
    this.cpRangeStmt = db.prepare<[number, number], { size: number; note: string; state_root: Buffer }>(
      'SELECT size, note, state_root FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?',
    );
    this.cpAtStmt = db.prepare<[number], { size: number; note: string; state_root: Buffer }>(
      'SELECT size, note, state_root FROM checkpoints WHERE size = ?',
    );
  }

  append(index: number, data: Uint8Array): void {
    this.insertStmt.run(index, data);
  }

  get(index: number): Buffer | undefined {
    return this.getStmt.get(index)?.data;
  }

  /** Up to `limit` entries from `from` on, in order. */
  range(from: number, limit: number): Array<{ index: number; data: Buffer }> {
    return this.rangeStmt.all(from, limit).map((r) => ({ index: r.idx, data: r.data }));
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  saveCheckpoint(cp: StoredCheckpoint): void {
    this.insertCpStmt.run(cp.size, cp.note, cp.stateRoot);
  }

  latestCheckpoint(): StoredCheckpoint | undefined {
    const r = this.latestCpStmt.get();
    return r && { size: r.size, note: r.note, stateRoot: r.state_root };
  }

  checkpointAt(size: number): StoredCheckpoint | undefined {
    const r = this.cpAtStmt.get(size);
    return r && { size: r.size, note: r.note, stateRoot: r.state_root };
  }

  /** Checkpoints with size greater than `after`, ascending. */
  checkpoints(after: number, limit: number): StoredCheckpoint[] {
    return this.cpRangeStmt.all(after, limit).map((r) => ({ size: r.size, note: r.note, stateRoot: r.state_root }));
  }
}
