import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeePolicy } from '../settlement/feePolicy.ts';
import { InsufficientBalance, Journal, type JournalLine } from './journal.ts';
import { splitFee } from '../settlement/split.ts';

const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');

describe('Journal', () => {
  it('refuses a charge the requester cannot pay, changing nothing', () => {
    const lines: JournalLine[] = [];
    const j = new Journal((l) => lines.push(l));
    j.deposit(addr(1), 100n, 0);
    expect(() => j.settle(addr(1), [{ account: addr(2), role: 'owner', amount: 101n }], 1)).toThrow(InsufficientBalance);
    expect(j.balance(addr(1))).toBe(100n);
    expect(lines).toHaveLength(1);
    expect(() => j.withdraw(addr(2), 1n, 2)).toThrow(/holds 0 base units but needs 1/);
  });

  it('keeps balances equal to deposits minus withdrawals over random traffic, and the lines replay to the same balances', () => {
    const policy = (shares: FeePolicy['shares'], baselineBps: number): FeePolicy => ({ pricePer1kInput: 7n, pricePer1kOutput: 13n, shares, baselineBps });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('deposit' as const), who: fc.nat(5), amount: fc.bigInt({ min: 0n, max: 10n ** 24n }) }),
            fc.record({ kind: fc.constant('withdraw' as const), who: fc.nat(5), amount: fc.bigInt({ min: 0n, max: 10n ** 22n }) }),
            fc.record({
              kind: fc.constant('infer' as const),
              who: fc.nat(5),
              fee: fc.bigInt({ min: 0n, max: 10n ** 21n }),
              split: fc.tuple(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000)),
              baselineBps: fc.nat(10_000),
              weights: fc.array(fc.record({ contribution: fc.nat(30), author: fc.nat(8), ppm: fc.nat(1_000_000) }), { maxLength: 6 }),
            }),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const lines: JournalLine[] = [];
          const j = new Journal((l) => lines.push(l));
          ops.forEach((op, ref) => {
            try {
              if (op.kind === 'deposit') j.deposit(addr(op.who), op.amount, ref);
              else if (op.kind === 'withdraw') j.withdraw(addr(op.who), op.amount, ref);
              else {
                const [x, y, z] = [...op.split].sort((a, b) => a - b);
                const usage = [...new Map(op.weights.map((w) => [w.contribution, { ...w, author: addr(100 + w.author) }])).values()];
                const credits = splitFee({
                  fee: op.fee,
                  policy: policy({ data: x, owner: y - x, compute: z - y, treasury: 10_000 - z }, op.baselineBps),
                  owner: addr(50),
                  compute: addr(51),
                  treasury: addr(52),
                  training: [{ contribution: 1, author: addr(60), tokens: 10 }],
                  usage,
                });
                j.settle(addr(op.who), credits, ref);
              }
            } catch (e) {
              if (!(e instanceof InsufficientBalance)) throw e;
            }
            j.checkInvariant();
          });
          // Replaying the lines alone gives the same balances: the journal is the record.
          const replay = new Map<string, bigint>();
          for (const l of lines) {
            replay.set(l.from, (replay.get(l.from) ?? 0n) - l.amount);
            replay.set(l.to, (replay.get(l.to) ?? 0n) + l.amount);
          }
          for (const [account, b] of replay) if (account !== 'external') expect(b).toBe(j.balance(account));
        },
      ),
      { numRuns: 300 },
    );
  });
});
