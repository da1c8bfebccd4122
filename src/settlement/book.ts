// The books as one action sees them: a Journal whose opening balances are read from
// state, plus the cumulative earnings views (per account, contribution, datanet and
// model) that the same movements update. `changes()` turns everything touched into
// state changes, and `lines` are the journal lines the node stores beside the log.
// Pure over a StateReader: it never writes; an action that throws leaves no trace.
import type { JsonValue, StateChange, StateReader } from '../protocol/state.ts';
import { Journal, type JournalLine } from './journal.ts';
import { amount, type Earnings, emptyEarnings, type MoneyTotals, moneyKeys } from './records.ts';

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
  /** Records read and changed through `bump`/`put`, by key. */
  private readonly records = new Map<string, JsonValue>();

  constructor(private readonly state: StateReader) {
    const totals = state.get<MoneyTotals>(moneyKeys.totals);
    this.journal = new Journal(
      (l: JournalLine) => this.lines.push({ from: l.from, to: l.to, amount: l.amount.toString(), memo: l.memo }),
      {
        balance: (account) => amount(state.get<string>(moneyKeys.balance(account))),
        deposited: amount(totals?.deposited),
        withdrawn: amount(totals?.withdrawn),
      },
    );
  }

  /** A record as this action has left it so far (its state value until changed). */
  get<T>(key: string): T | undefined {
    if (this.records.has(key)) return this.records.get(key) as T;
    return this.state.get<T>(key);
  }

  put(key: string, value: JsonValue): void {
    this.records.set(key, value);
  }

  /** Adds `by` to the money field `field` of the Earnings record at `key`. */
  earn(key: string, field: keyof Earnings, by: bigint): void {
    if (by === 0n) return;
    const e: Earnings = { ...(this.get<Earnings>(key) ?? emptyEarnings()) };
    e[field] = (amount(e[field]) + by).toString();
    this.put(key, { ...e });
  }

  changes(): StateChange[] {
    const out: StateChange[] = [];
    for (const [account, b] of this.journal.touched()) {
      const key = moneyKeys.balance(account);
      const before = this.state.get<string>(key);
      // Zero balances are not kept, so that state holds only accounts with money.
      const value = b === 0n ? null : b.toString();
      if ((before ?? null) !== value) out.push({ key, value });
    }
    const { deposited, withdrawn } = this.journal.totals();
    const totals: MoneyTotals = { deposited: deposited.toString(), withdrawn: withdrawn.toString() };
    const before = this.state.get<MoneyTotals>(moneyKeys.totals);
    if (before?.deposited !== totals.deposited || before?.withdrawn !== totals.withdrawn) out.push({ key: moneyKeys.totals, value: { ...totals } });
    for (const [key, value] of this.records) out.push({ key, value });
    return out;
  }
}
