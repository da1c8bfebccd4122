// Settlements per second in-process: an inference's attribution weights → the exact
// fee split → journal lines → balances, in memory, with the baseline pooled per model as
// the node does (bench/settlementState.bench.ts measures the same through the state
// machine and SQLite). A plain script; `benchSettlement()` returns the figures.
import { prng } from '../random/prng.ts';
import type { FeePolicy } from './feePolicy.ts';
import { Journal } from '../money/journal.ts';
import { splitFee, type UsageWeight } from './split.ts';

export function benchSettlement(settlements = 200_000): { settlements: number; perSecond: number; lines: number } {
  const r = prng(3);
  const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');
  const policy: FeePolicy = {
    pricePer1kInput: 2n * 10n ** 15n,
    pricePer1kOutput: 6n * 10n ** 15n,
    shares: { data: 5000, owner: 2500, compute: 2000, treasury: 500 },
    baselineBps: 2000,
  };
  let lines = 0;
  const journal = new Journal(() => lines++);
  for (let k = 0; k < 100; k++) journal.deposit(addr(k), 10n ** 30n, 0);
  const usages: UsageWeight[][] = Array.from({ length: 256 }, () =>
    Array.from({ length: 1 + Math.floor(r() * 5) }, () => {
      const c = 1 + Math.floor(r() * 50);
      return { contribution: c, author: addr(1000 + ((c - 1) % 20)), ppm: 1 + Math.floor(r() * 300_000) };
    }).filter((u, i, a) => a.findIndex((x) => x.contribution === u.contribution) === i),
  );
  const t0 = performance.now();
  for (let i = 0; i < settlements; i++) {
    const fee = (BigInt(200 + (i % 300)) * policy.pricePer1kInput + BigInt(50 + (i % 200)) * policy.pricePer1kOutput + 999n) / 1000n;
    const credits = splitFee({ fee, policy, owner: addr(7), compute: addr(8), treasury: addr(9), training: [], usage: usages[i & 255], baselinePool: 'pool:m@1' });
    journal.settle(addr(i % 100), credits, i);
  }
  const seconds = (performance.now() - t0) / 1000;
  journal.checkInvariant();
  return { settlements, perSecond: settlements / seconds, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(benchSettlement());
