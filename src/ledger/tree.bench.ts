// Measures the Merkle tree over a MemoryHashStore: append throughput, and the latency and
// size of inclusion and consistency proofs at a million leaves. A plain script (no vitest),
// so the project's bench runner can import benchTree and print its figures beside others.
// It must never touch a database or the network: it measures the tree alone.
// Run: npx tsx src/ledger/tree.bench.ts [leaves]
import { fileURLToPath } from 'node:url';
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { verifyConsistency, verifyInclusion } from '../nodeLedger/proof.ts';
import { MemoryHashStore, MerkleTree } from '../nodeLedger/tree.ts';

export interface TreeBenchResult {
  leaves: number;
  /** hashLeaf (node:crypto, as the sequencer runs it) of entry-sized inputs. */
  leafHashesPerSecond: number;
  appendsPerSecond: number;
  rootMeanUs: number;
  inclusionProofMeanUs: number;
  inclusionVerifyMeanUs: number;
  inclusionProofBytes: number;
  consistencyProofMeanUs: number;
  consistencyVerifyMeanUs: number;
  consistencyProofBytes: number;
  /** JS heap plus ArrayBuffers (where MemoryHashStore keeps its hashes), after the run. */
  memoryMiB: number;
}

/** Appends `n` leaves, then samples proofs at size n between random points. */
export function benchTree(n = 1_000_000, samples = 2_000): TreeBenchResult {
  const tree = new MerkleTree(new MemoryHashStore(), 0);
  const chunk = 10_000;
  // An entry-sized leaf (a log entry is a few hundred bytes of canonical JSON), its first
  // 8 bytes the index so every leaf differs.
  const entry = Buffer.alloc(300, 0x61);
  let appendMs = 0;
  let leafMs = 0;
  for (let start = 0; start < n; start += chunk) {
    // Leaf hashing is the caller's cost, not the tree's: timed apart from the appends.
    const leaves: Buffer[] = [];
    const l0 = performance.now();
    for (let i = start; i < Math.min(start + chunk, n); i += 1) {
      entry.writeBigUInt64BE(BigInt(i));
      leaves.push(hashLeaf(entry));
    }
    leafMs += performance.now() - l0;
    const t0 = performance.now();
    for (const leaf of leaves) tree.append(leaf);
    appendMs += performance.now() - t0;
  }

  let seed = 42;
  const random = (below: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * below);
  };
  const mean = (f: (k: number) => void): number => {
    const t0 = performance.now();
    for (let k = 0; k < samples; k += 1) f(k);
    return ((performance.now() - t0) * 1000) / samples;
  };
  const bytes = (proofs: Buffer[][]): number => proofs.reduce((sum, p) => sum + p.length * 32, 0) / proofs.length;

  const root = tree.root();
  const indices = Array.from({ length: samples }, () => random(n));
  const froms = Array.from({ length: samples }, () => 1 + random(n - 1));
  const leafHashes = indices.map((i) => tree.leafHash(i));
  const fromRoots = froms.map((f) => tree.root(f));
  const inclusion: Buffer[][] = new Array<Buffer[]>(samples);
  const consistency: Buffer[][] = new Array<Buffer[]>(samples);

  const rootMeanUs = mean((k) => tree.root(froms[k]));
  const inclusionProofMeanUs = mean((k) => {
    inclusion[k] = tree.inclusionProof(indices[k]!, n);
  });
  const inclusionVerifyMeanUs = mean((k) => verifyInclusion(indices[k]!, n, leafHashes[k]!, inclusion[k]!, root));
  const consistencyProofMeanUs = mean((k) => {
    consistency[k] = tree.consistencyProof(froms[k]!, n);
  });
  const consistencyVerifyMeanUs = mean((k) => verifyConsistency(froms[k]!, n, consistency[k]!, fromRoots[k]!, root));

  return {
    leaves: n,
    leafHashesPerSecond: Math.round(n / (leafMs / 1000)),
    appendsPerSecond: Math.round(n / (appendMs / 1000)),
    rootMeanUs,
    inclusionProofMeanUs,
    inclusionVerifyMeanUs,
    inclusionProofBytes: bytes(inclusion),
    consistencyProofMeanUs,
    consistencyVerifyMeanUs,
    consistencyProofBytes: bytes(consistency),
    memoryMiB: Math.round((process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers) / 2 ** 20),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 1_000_000);
  const r = benchTree(n);
  const us = (x: number): string => `${x.toFixed(1)} µs`;
  console.log(`Merkle tree, MemoryHashStore, ${r.leaves.toLocaleString('en')} leaves (node ${process.version})`);
  console.log(`  leaf hash (300 B)    ${r.leafHashesPerSecond.toLocaleString('en')} /s`);
  console.log(`  append               ${r.appendsPerSecond.toLocaleString('en')} /s`);
  console.log(`  root(random size)    ${us(r.rootMeanUs)}`);
  const proof = (build: number, check: number, size: number): string =>
    `${us(build)} build, ${us(check)} verify, ${size.toFixed(0)} bytes`;
  console.log(`  inclusion proof      ${proof(r.inclusionProofMeanUs, r.inclusionVerifyMeanUs, r.inclusionProofBytes)}`);
  console.log(`  consistency proof    ${proof(r.consistencyProofMeanUs, r.consistencyVerifyMeanUs, r.consistencyProofBytes)}`);
  console.log(`  memory (heap + bufs) ${r.memoryMiB} MiB`);
}
