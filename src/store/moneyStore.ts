// The settlement tables derived from the log as it is sequenced: every journal line,
// the payout leaves each epoch changed, and the cumulative earnings views. Written in the sequencer's transaction, so
// they never disagree with the state they explain. Balances are protocol state, not
// here; these exist for views, exports and payout proofs. They are derived from the
// actions' effects (node/applyEntry.ts), so a replay rebuilds them, and `verify` compares
// them row by row with the node's (node/materialised.ts).
import { addToView } from '../protocol/effects.ts';
import type { Db } from './db.ts';
import { prefixEnd } from './stateStore.ts';

export interface StoredJournalLine {
  seq: number;
  entry: number;
  time: number;
  from: string;
  to: string;
  amount: string;
  memo: string;
}

export class MoneyStore {
  private readonly addLine;
  private readonly addPayout;
  private readonly linesFor;
  private readonly maxSeq;
  private readonly getView;
  private readonly putView;
  private readonly listViews;
  private readonly leavesAt;
  private nextSeq: number;

  constructor(db: Db) {
    this.addLine = db.prepare('INSERT INTO journal (seq, entry, time, src, dst, amount, memo) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.addPayout = db.prepare('INSERT INTO payouts (account, epoch, cumulative) VALUES (?, ?, ?) ON CONFLICT (account, epoch) DO UPDATE SET cumulative = excluded.cumulative');
    this.linesFor = db.prepare<[number, string, string, number], { seq: number; entry: number; time: number; src: string; dst: string; amount: string; memo: string }>(
      'SELECT seq, entry, time, src, dst, amount, memo FROM journal WHERE seq > ? AND (src = ? OR dst = ?) ORDER BY seq LIMIT ?',
    );
    // Every account's latest cumulative payout as of the epoch: the leaves of its tree.
    this.leavesAt = db.prepare<[number], { account: string; cumulative: string }>(
      `SELECT account, cumulative FROM payouts p WHERE p.epoch = (SELECT max(epoch) FROM payouts q WHERE q.account = p.account AND q.epoch <= ?)`,
    );
    this.maxSeq = db.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM journal');
    this.getView = db.prepare<[string], { value: string }>('SELECT value FROM views WHERE key = ?');
    this.putView = db.prepare('INSERT INTO views (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.listViews = db.prepare<[string, string], { key: string; value: string }>('SELECT key, value FROM views WHERE key >= ? AND key < ? ORDER BY key');
    this.nextSeq = (this.maxSeq.get()!.m ?? -1) + 1;
  }

  /** Call inside the sequencer's transaction. */
  appendLines(entry: number, time: number, lines: ReadonlyArray<{ from: string; to: string; amount: string; memo: string }>): void {
    for (const l of lines) this.addLine.run(this.nextSeq++, entry, time, l.from, l.to, l.amount, l.memo);
  }

  /** Call inside the sequencer's transaction. */
  recordPayouts(epoch: number, leaves: ReadonlyArray<{ account: string; cumulative: string }>): void {
    for (const l of leaves) this.addPayout.run(l.account, epoch, l.cumulative);
  }

  /** Call inside the sequencer's transaction. */
  addToViews(increments: ReadonlyArray<{ key: string; field: string; by: string }>): void {
    for (const { key, field, by } of increments) {
      const row = this.getView.get(key);
      const v = addToView(row ? (JSON.parse(row.value) as Record<string, string>) : undefined, field, by);
      this.putView.run(key, JSON.stringify(v));
    }
  }

  /** A view's fields as decimal strings (absent fields are 0); undefined if nothing was ever added. */
  view(key: string): Record<string, string> | undefined {
    const row = this.getView.get(key);
    return row ? (JSON.parse(row.value) as Record<string, string>) : undefined;
  }

  /** Views whose key starts with `prefix`, ascending by key. */
  views(prefix: string): Array<[string, Record<string, string>]> {
    return this.listViews.all(prefix, prefixEnd(prefix)).map((r) => [r.key, JSON.parse(r.value) as Record<string, string>]);
  }

  /** The sequencer's transaction rolled back: the next line number is whatever is on disk. */
  reload(): void {
    this.nextSeq = (this.maxSeq.get()!.m ?? -1) + 1;
  }

  /** Journal lines that move money to or from a journal account, oldest first, after line `after`. */
  lines(account: string, after = -1, limit = 1000): StoredJournalLine[] {
    return this.linesFor.all(after, account, account, limit).map((r) => ({ seq: r.seq, entry: r.entry, time: r.time, from: r.src, to: r.dst, amount: r.amount, memo: r.memo }));
  }

  /** The payout tree's leaves as of an epoch: each account's cumulative payout then. */
  leaves(epoch: number): Array<{ account: string; amount: bigint }> {
    return this.leavesAt.all(epoch).map((r) => ({ account: r.account, amount: BigInt(r.cumulative) }));
  }
}
