// Double-entry money: every movement is a journal line that takes an amount from one
// account and gives it to another, and balances are the sum of the lines. Money enters
// only by a deposit (from the external account) and leaves only by a withdrawal, so
// balances always sum to deposits minus withdrawals. Amounts are bigint base units;
// a balance never goes below zero.

/** Why an account is credited, as the split names it. */
export type Role = 'baseline' | 'usage' | 'owner' | 'compute' | 'treasury';

/** One account's share of a settled fee. */
export interface Credit {
  account: string;
  role: Role;
  /** The contribution the credit is for (baseline and usage credits). */
  contribution?: number;
  amount: bigint;
}

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

/** Where a journal starts from: the balances and totals already on the books. */
export interface Opening {
  balance(account: string): bigint;
  deposited: bigint;
  withdrawn: bigint;
}

export class Journal {
  /** Balances this journal has read or changed; the rest are still the opening ones. */
  private readonly balances = new Map<string, bigint>();
  private deposited: bigint;
  private withdrawn: bigint;
  private seq = 0;

  /**
   * `sink` gets every line written, in order, for whoever persists or audits them.
   * `opening` is the books as they stand (none: a journal that starts empty).
   */
  constructor(
    private readonly sink: (line: JournalLine) => void = () => {},
    private readonly opening?: Opening,
  ) {
    this.deposited = opening?.deposited ?? 0n;
    this.withdrawn = opening?.withdrawn ?? 0n;
  }

  balance(account: string): bigint {
    let b = this.balances.get(account);
    if (b === undefined) {
      b = this.opening?.balance(account) ?? 0n;
      this.balances.set(account, b);
    }
    return b;
  }

  /** Every balance this journal has read or moved, with its value now. */
  touched(): ReadonlyMap<string, bigint> {
    return this.balances;
  }

  deposit(account: string, amount: bigint, ref: number): void {
    this.move(EXTERNAL, account, amount, 'deposit', ref);
    this.deposited += amount;
  }

  /** Money leaving the books: a withdrawal, or an epoch's payout to the chain. */
  withdraw(account: string, amount: bigint, ref: number, memo = 'withdrawal'): void {
    this.move(account, EXTERNAL, amount, memo, ref);
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

  /** Moves money between two accounts on the books; throws InsufficientBalance, changing nothing, if `from` cannot pay. */
  transfer(from: string, to: string, amount: bigint, memo: string, ref: number): void {
    if (from === EXTERNAL || to === EXTERNAL) throw new RangeError('money enters by deposit and leaves by withdraw, not by transfer');
    this.move(from, to, amount, memo, ref);
  }

  /**
   * Balances plus the treasury equal deposits minus withdrawals; throws if not. Only
   * for a journal that started empty (it sums the balances it holds).
   */
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
