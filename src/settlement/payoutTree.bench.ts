// Measures the payout tree build: at 100k accounts beside @openzeppelin/merkle-tree on the
// same input (the anchor: ~16 s there, ARCHITECTURE.md), reported as a ratio, and at 1M
// accounts alone (target ≤ 10 s, issue #4). A plain script, so the project's bench runner
// can import benchPayoutTree and print its figures beside the others. It must never
// report a time for a tree whose root differs from the library's: a fast wrong tree is
// worth nothing, so it checks the roots before it prints.
// Run: node bin/run-ts.js src/settlement/payoutTree.bench.ts [compareLeaves] [largeLeaves]
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PayoutLeaf } from './payoutFormat.ts';
import { PayoutTree, type PayoutTreeBuildStats } from './payoutTree.ts';

export interface PayoutTreeBenchResult {
  cores: number;
  compare: {
    leaves: number;
    librarySeconds: number;
    /** Ours with default options (one thread below PARALLEL_MIN_LEAVES). */
    oursSeconds: number;
    /** Ours on every core (at most 8), the same tree. */
    oursAllCoresSeconds: number;
    /** librarySeconds / oursSeconds. */
    speedup: number;
    speedupAllCores: number;
  };
  large: {
    leaves: number;
    seconds: number;
    stats: PayoutTreeBuildStats;
    /** Mean time of `proof(account)` over 10,000 accounts. */
    proofMicros: number;
  };
}

/** Random accounts (lowercase, as the protocol stores them) and 18-decimal amounts, from a fixed seed. */
export function randomPayoutLeaves(n: number, seed = 1): PayoutLeaf[] {
  // xorshift32: a reproducible input, so that runs compare like with like.
  let x = seed >>> 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const word = (): string => next().toString(16).padStart(8, '0');
  const leaves = new Array<PayoutLeaf>(n);
  for (let i = 0; i < n; i++) {
    // Up to ~4.3 million tokens of 18 decimals: realistic cumulative earnings.
    const amount = BigInt(next()) * 10n ** 18n + BigInt(next()) * BigInt(next());
    leaves[i] = { account: `0x${word()}${word()}${word()}${word()}${word()}`, amount };
  }
  return leaves;
}

const seconds = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
};

export function benchPayoutTree(compareLeaves = 100_000, largeLeaves = 1_000_000): PayoutTreeBenchResult {
  const cores = Math.min(availableParallelism(), 8);
  const small = randomPayoutLeaves(compareLeaves, 1);
  let library!: StandardMerkleTree<string[]>;
  const librarySeconds = seconds(() => {
    library = StandardMerkleTree.of(
      small.map((l) => [l.account, l.amount.toString()]),
      ['address', 'uint256'],
    );
  });
  let ours!: PayoutTree;
  const oursSeconds = seconds(() => (ours = PayoutTree.build(small)));
  let oursAll!: PayoutTree;
  const oursAllCoresSeconds = seconds(() => (oursAll = PayoutTree.build(small, { threads: cores })));
  if (ours.root !== library.root || oursAll.root !== library.root) {
    throw new Error(`payout tree root ${ours.root} / ${oursAll.root} differs from the library's ${library.root}`);
  }
  for (const i of [0, compareLeaves >> 1, compareLeaves - 1]) {
    if (JSON.stringify(ours.proof(small[i].account)) !== JSON.stringify(library.getProof(i))) throw new Error(`proof of leaf ${i} differs from the library's`);
  }

  const big = randomPayoutLeaves(largeLeaves, 2);
  let large!: PayoutTree;
  const largeSeconds = seconds(() => (large = PayoutTree.build(big)));
  const samples = Math.min(10_000, largeLeaves);
  const t0 = performance.now();
  for (let k = 0; k < samples; k++) large.proof(big[(k * 7919) % largeLeaves].account);
  const proofMicros = ((performance.now() - t0) * 1000) / samples;

  return {
    cores,
    compare: {
      leaves: compareLeaves,
      librarySeconds,
      oursSeconds,
      oursAllCoresSeconds,
      speedup: librarySeconds / oursSeconds,
      speedupAllCores: librarySeconds / oursAllCoresSeconds,
    },
    large: { leaves: largeLeaves, seconds: largeSeconds, stats: large.stats, proofMicros },
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = benchPayoutTree(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 1_000_000));
  const s = (x: number): string => `${x.toFixed(2)} s`;
  const c = r.compare;
  const row = (name: string, value: string, anchor: string) => console.log(`  ${name.padEnd(44)} ${value.padStart(10)}   ${anchor}`);
  console.log(`Payout tree (OpenZeppelin StandardMerkleTree format), node ${process.version}, ${r.cores} cores`);
  row(`library, ${c.leaves.toLocaleString('en')} accounts`, s(c.librarySeconds), 'anchor: ~16 s at 100k (ARCHITECTURE.md)');
  row(`ours, ${c.leaves.toLocaleString('en')} accounts, default`, s(c.oursSeconds), `${c.speedup.toFixed(0)}x faster, same root and proofs`);
  row(`ours, ${c.leaves.toLocaleString('en')} accounts, ${r.cores} threads`, s(c.oursAllCoresSeconds), `${c.speedupAllCores.toFixed(0)}x faster`);
  const st = r.large.stats;
  row(`ours, ${r.large.leaves.toLocaleString('en')} accounts, ${st.threads} threads`, s(r.large.seconds), 'target <= 10 s (issue #4)');
  console.log(
    `    phases: encode ${st.encodeMs.toFixed(0)} ms, account sort ${st.accountSortMs.toFixed(0)} ms, leaf hashes ${st.leafHashMs.toFixed(0)} ms, ` +
      `leaf sort ${st.leafSortMs.toFixed(0)} ms, nodes ${st.nodeHashMs.toFixed(0)} ms; workers joined ${st.workersJoined}`,
  );
  row('proof lookup at that size', `${r.large.proofMicros.toFixed(1)} µs`, 'binary search by account, then log2(n) siblings');
}
