// Double-entry money: every movement is a journal line that takes an amount from one
// account and gives it to another, and balances are the sum of the lines. Money enters
// only by a deposit (from the external account) and leaves only by a withdrawal, so
// balances always sum to deposits minus withdrawals. Amounts are bigint base units;
// a balance never goes below zero.
import type { Credit } from './split.ts';

/** The account on the other side of deposits and withdrawals: the world outside. */
export const EXTERNAL = 'external';

export interface JournalLine {
  seq: number;
  from: string;
  to: string;
  amount: bigint;
  memo: string;
  /** What caused it, e.g. the log index of an inference record. */
  ref: number;
}

export class InsufficientBalance extends Error {
  override readonly name = 'InsufficientBalance';
  constructor(
    readonly account: string,
    readonly balance: bigint,
    readonly needed: bigint,
  ) {
    super(`account ${account} holds ${balance} base units but needs ${needed}: deposit more first`);
  }
}

export class Journal {
  private readonly balances = new Map<string, bigint>();
  private deposited = 0n;
  private withdrawn = 0n;
  private seq = 0;

  /** Every line written, in order, for whoever persists or audits them. */
  constructor(private readonly sink: (line: JournalLine) => void = () => {}) {}

  balance(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  deposit(account: string, amount: bigint, ref: number): void {
    this.move(EXTERNAL, account, amount, 'deposit', ref);
    this.deposited += amount;
  }

  withdraw(account: string, amount: bigint, ref: number): void {
    this.move(account, EXTERNAL, amount, 'withdrawal', ref);
    this.withdrawn += amount;
  }

  /**
   * Charges the requester the sum of the credits and pays each credit, or, if the
   * requester cannot pay, changes nothing and throws InsufficientBalance.
   */
  settle(requester: string, credits: readonly Credit[], ref: number): bigint {
    const fee = credits.reduce((s, c) => s + c.amount, 0n);
    const have = this.balance(requester);
    if (have < fee) throw new InsufficientBalance(requester, have, fee);
    for (const c of credits) this.move(requester, c.account, c.amount, c.contribution === undefined ? c.role : `${c.role}:${c.contribution}`, ref);
    return fee;
  }

  /** Balances plus the treasury equal deposits minus withdrawals; throws if not. */
  checkInvariant(): void {
    let sum = 0n;
    for (const [account, b] of this.balances) {
      if (account === EXTERNAL) continue;
      if (b < 0n) throw new Error(`invariant broken: ${account} has a negative balance ${b}`);
      sum += b;
    }
    if (sum !== this.deposited - this.withdrawn)
      throw new Error(`invariant broken: balances sum to ${sum}, deposits minus withdrawals are ${this.deposited - this.withdrawn}`);
  }

  totals(): { deposited: bigint; withdrawn: bigint } {
    return { deposited: this.deposited, withdrawn: this.withdrawn };
  }

  private move(from: string, to: string, amount: bigint, memo: string, ref: number): void {
    if (amount < 0n) throw new RangeError(`journal amounts are never negative (${amount})`);
    if (amount === 0n) return;
    if (from !== EXTERNAL) {
      const have = this.balance(from);
      if (have < amount) throw new InsufficientBalance(from, have, amount);
      this.balances.set(from, have - amount);
    }
    if (to !== EXTERNAL) this.balances.set(to, this.balance(to) + amount);
    this.sink({ seq: this.seq++, from, to, amount, memo, ref });
  }
}
