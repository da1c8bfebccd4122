// Proof generation from the SQLite-backed tree at 1M entries: inclusion and
// consistency proof latency and size, as the HTTP API would serve them.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashLeaf } from '../src/nodeLedger/hasher.ts';
import { verifyConsistency, verifyInclusion } from '../src/nodeLedger/proof.ts';
import { MerkleTree } from '../src/nodeLedger/tree.ts';
import { openSqlite } from '../src/store/sqlite.ts';
import { SqlHashStore } from '../src/store/hashStore.ts';

export interface ProofFigures {
  size: number;
  buildSeconds: number;
  inclusionMeanMs: number;
  inclusionP99Ms: number;
  inclusionBytes: number;
  consistencyMeanMs: number;
  consistencyP99Ms: number;
  consistencyBytes: number;
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p99: s[Math.floor(s.length * 0.99)] };
}

export async function runProofBench(size = 1_000_000, queries = 2000): Promise<ProofFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-proof-'));
  const db = openSqlite(join(dir, 'tree.db'));
  try {
    const tree = new MerkleTree(new SqlHashStore(db), 0);
    const t0 = performance.now();
    const leaf = Buffer.alloc(8);
    db.transaction(() => {
      for (let i = 0; i < size; i++) {
        leaf.writeBigUInt64BE(BigInt(i));
        tree.append(hashLeaf(leaf));
      }
    })();
    const buildSeconds = (performance.now() - t0) / 1000;
    const root = tree.root(size);
    const inc: number[] = [];
    const con: number[] = [];
    let incBytes = 0;
    let conBytes = 0;
    for (let q = 0; q < queries; q++) {
      const index = randomBytes(4).readUInt32BE() % size;
      let t = performance.now();
      const p = tree.inclusionProof(index, size);
      inc.push(performance.now() - t);
      incBytes = Math.max(incBytes, p.length * 32);
      leaf.writeBigUInt64BE(BigInt(index));
      verifyInclusion(index, size, hashLeaf(leaf), p, root);
      const from = 1 + (randomBytes(4).readUInt32BE() % (size - 1));
      t = performance.now();
      const c = tree.consistencyProof(from, size);
      con.push(performance.now() - t);
      conBytes = Math.max(conBytes, c.length * 32);
      if (q < 50) verifyConsistency(from, size, c, tree.root(from), root);
    }
    const i = stats(inc);
    const c = stats(con);
    return {
      size,
      buildSeconds,
      inclusionMeanMs: i.mean,
      inclusionP99Ms: i.p99,
      inclusionBytes: incBytes,
      consistencyMeanMs: c.mean,
      consistencyP99Ms: c.p99,
      consistencyBytes: conBytes,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
