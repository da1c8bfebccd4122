// Finding log entries by what they hold rather than by index: a leaf hash, or an address
// or 0x hash that an entry mentions (its signer, an account it pays, a content hash).
// A first version without indexes of its own: both are scans, the second one bounded to a
// window of entries per call so that one request never reads the whole log. Read-only:
// it must never write to the tables it searches.
import type { Db } from './db.ts';

/** At most this many entries are read by one `mentions` call; the caller pages on with `next`. */
export const SCAN_WINDOW = 20_000;

export interface Mentions {
  /** Matching entries, newest first. */
  matches: Array<{ index: number; data: Buffer }>;
  /** The lowest index this call looked at (inclusive) and the one it started below. */
  scanned: { from: number; before: number };
  /** Search on below this index for older matches; null once entry 0 was reached. */
  next: number | null;
}

export class LogSearch {
  private readonly leafStmt;
  private readonly mentionsStmt;

  /** `window`: how many entries one `mentions` call may read (smaller only in tests). */
  constructor(
    db: Db,
    private readonly window = SCAN_WINDOW,
  ) {
    // Level 0 of the tree holds the leaf hashes; its primary key is (level, idx), so this
    // reads every leaf in the worst case (about 40 bytes a leaf): fine for a first version,
    // an index on hash is the next step when logs get large.
    this.leafStmt = db.prepare<[Buffer], { idx: number }>('SELECT idx FROM tree WHERE level = 0 AND hash = ? LIMIT 1');
    // Entries are canonical JSON with addresses and hashes in lowercase, so a byte search
    // for the lowercase needle finds every mention without parsing.
    this.mentionsStmt = db.prepare<[number, number, Buffer, number], { idx: number; data: Buffer }>(
      `SELECT idx, data FROM entries WHERE idx >= ? AND idx < ? AND ${db.dialect === 'postgres' ? 'position(? in data)' : 'instr(data, ?)'} > 0 ORDER BY idx DESC LIMIT ?`,
    );
  }

  /** The index of the entry with this leaf hash, if the log has one. */
  leaf(hash: Buffer): number | undefined {
    return this.leafStmt.get(hash)?.idx;
  }

  /** Entries below `before` whose bytes contain `needle` (lowercase), newest first, reading at most `window` entries. */
  mentions(needle: string, before: number, limit: number): Mentions {
    const from = Math.max(0, before - this.window);
    const rows = this.mentionsStmt.all(from, before, Buffer.from(needle.toLowerCase(), 'utf8'), limit);
    const matches = rows.map((r) => ({ index: r.idx, data: r.data }));
    // A full page may leave older matches inside the window: continue below the last one.
    const lowest = matches.length === limit ? matches[matches.length - 1].index : from;
    return { matches, scanned: { from: lowest, before }, next: lowest > 0 ? lowest : null };
  }
}
