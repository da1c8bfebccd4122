// The books as one action sees them: a Journal whose opening balances are read from
// state, plus the additions the same movements make to the earnings views (per account,
// contribution, datanet and model). `changes()` turns the balances touched into state
// changes; `effects()` gives the journal lines and view additions the node stores beside
// the log (views are not state: no rule reads them, so they cost no state-root update).
// Pure over a StateReader: it never writes; an action that throws leaves no trace.
import type { Effect, JsonValue, StateChange, StateReader } from '../protocol/state.ts';
import { Journal, type JournalLine } from './journal.ts';
import { amount, type MoneyTotals, bookKeys } from './accounts.ts';

/** A journal line as stored: amounts as decimal strings. */
export interface JournalLineJson {
  from: string;
  to: string;
  amount: string;
  memo: string;
}

export class Book {
  readonly journal: Journal;
  readonly lines: JournalLineJson[] = [];
  /** State records written through `put`, by key. */
  private readonly records = new Map<string, JsonValue>();
  /** View additions, by key then field. */
  private readonly increments = new Map<string, Map<string, bigint>>();

  constructor(private readonly state: StateReader) {
    const totals = state.get<MoneyTotals>(bookKeys.totals);
    this.journal = new Journal(
      (l: JournalLine) => this.lines.push({ from: l.from, to: l.to, amount: l.amount.toString(), memo: l.memo }),
      {
        balance: (account) => amount(state.get<string>(bookKeys.balance(account))),
        deposited: amount(totals?.deposited),
        withdrawn: amount(totals?.withdrawn),
      },
    );
  }

  /** Writes a state record along with the balances (e.g. an epoch record). */
  put(key: string, value: JsonValue): void {
    this.records.set(key, value);
  }

  /** Adds `by` to field `field` of the view at `key` (see records.ts for the view keys). */
  add(key: string, field: string, by: bigint | number): void {
    if (by === 0n || by === 0) return;
    let fields = this.increments.get(key);
    if (!fields) this.increments.set(key, (fields = new Map()));
    fields.set(field, (fields.get(field) ?? 0n) + BigInt(by));
  }

  effects(): Effect[] {
    const increments: Array<{ key: string; field: string; by: string }> = [];
    for (const [key, fields] of this.increments) for (const [field, by] of fields) increments.push({ key, field, by: by.toString() });
    return [
      ...(this.lines.length > 0 ? [{ kind: 'journal' as const, lines: this.lines }] : []),
      ...(increments.length > 0 ? [{ kind: 'views' as const, increments }] : []),
    ];
  }

  changes(): StateChange[] {
    const out: StateChange[] = [];
    for (const [account, b] of this.journal.touched()) {
      const key = bookKeys.balance(account);
      const before = this.state.get<string>(key);
      // Zero balances are not kept, so that state holds only accounts with money.
      const value = b === 0n ? null : b.toString();
      if ((before ?? null) !== value) out.push({ key, value });
    }
    const { deposited, withdrawn } = this.journal.totals();
    const totals: MoneyTotals = { deposited: deposited.toString(), withdrawn: withdrawn.toString() };
    const before = this.state.get<MoneyTotals>(bookKeys.totals);
    if (before?.deposited !== totals.deposited || before?.withdrawn !== totals.withdrawn) out.push({ key: bookKeys.totals, value: { ...totals } });
    for (const [key, value] of this.records) out.push({ key, value });
    return out;
  }
}
