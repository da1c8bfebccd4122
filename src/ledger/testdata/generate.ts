// Writes inclusion.json and consistency.json: proofs built by the naive RFC 9162
// definitions in reference.ts, each followed by its tampered variants, every case with the
// outcome the naive verifiers reach. It must never consult tree.ts or proof.ts, or the
// vectors would only check the code against itself. Run: npx tsx src/ledger/testdata/generate.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  hashLeaf,
  type RefOutcome,
  refPath,
  refProof,
  refRoot,
  refVerifyConsistency,
  refVerifyInclusion,
} from './reference.ts';

export const LEAF_RULE = 'leaf i is the UTF-8 text "tributary test leaf <i>"';

export function leafData(i: number): Buffer {
  return Buffer.from(`tributary test leaf ${i}`, 'utf8');
}

export interface InclusionVector {
  desc: string;
  index: number;
  size: number;
  leafHash: string;
  proof: string[];
  root: string;
  want: RefOutcome;
}

export interface ConsistencyVector {
  desc: string;
  from: number;
  to: number;
  proof: string[];
  fromRoot: string;
  toRoot: string;
  want: RefOutcome;
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 17];
// A well-formed hash that is no node of any vector tree.
const FOREIGN = hashLeaf(Buffer.from('not in the tree', 'utf8'));

const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafData(i));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unique = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

function flipped(h: Uint8Array): Buffer {
  const out = Buffer.from(h);
  out[out.length - 1] = (out[out.length - 1] as number) ^ 0x01;
  return out;
}

type Input = number | Uint8Array | readonly Uint8Array[];

/** Passes each combination of inputs once: two tamperings can coincide (to + 1 and to * 2 when to is 1). */
function distinct(): (...inputs: Input[]) => boolean {
  const seen = new Set<string>();
  const key = (x: Input): unknown => (typeof x === 'number' ? x : Array.isArray(x) ? x.map(hex) : hex(x as Uint8Array));
  return (...inputs) => {
    const k = JSON.stringify(inputs.map(key));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
}

/** The proof with hash i flipped in its last bit. */
function flipAt(proof: readonly Buffer[], i: number): Buffer[] {
  return proof.map((p, j) => (j === i ? flipped(p) : p));
}

/** The proof with hash i cut to 31 bytes. */
function cutAt(proof: readonly Buffer[], i: number): Buffer[] {
  return proof.map((p, j) => (j === i ? p.subarray(0, 31) : p));
}

/**
 * Tampered variants that still verify are flagged, so nobody mistakes them for a bug: a
 * proof commits to the shape of a path, not to the tree size, and a consistency proof from
 * the empty tree commits to nothing; binding a size to a root is the signed checkpoint's job.
 */
function describe(desc: string, want: RefOutcome, tampered: boolean): string {
  return tampered && want === 'ok' ? `${desc} (still verifies: the proof does not commit to this)` : desc;
}

export function inclusionVectors(): InclusionVector[] {
  const out: InclusionVector[] = [];
  for (const size of SIZES) {
    const data = leaves(size);
    const root = refRoot(data);
    for (const index of unique([0, Math.floor((size - 1) / 2), size - 1])) {
      const leaf = hashLeaf(data[index] as Buffer);
      const proof = refPath(index, data);
      const name = `index ${index} in size ${size}`;
      const fresh = distinct();
      const add = (desc: string, i: number, n: number, l: Buffer, p: Buffer[], r: Buffer, tampered = true): void => {
        if (!fresh(i, n, l, p, r)) return;
        const want = refVerifyInclusion(i, n, l, p, r);
        out.push({
          desc: describe(`${name}: ${desc}`, want, tampered),
          index: i,
          size: n,
          leafHash: hex(l),
          proof: p.map(hex),
          root: hex(r),
          want,
        });
      };
      add('valid', index, size, leaf, proof, root, false);
      if (index + 1 < size) add('wrong index: index + 1', index + 1, size, leaf, proof, root);
      add('wrong index: index = size', size, size, leaf, proof, root);
      add('wrong size: size + 1', index, size + 1, leaf, proof, root);
      if (size - 1 > index) add('wrong size: size - 1', index, size - 1, leaf, proof, root);
      add('wrong size: size * 2', index, size * 2, leaf, proof, root);
      add('wrong leaf: flipped bit', index, size, flipped(leaf), proof, root);
      add('wrong root: flipped bit', index, size, leaf, proof, flipped(root));
      add('extra hash appended', index, size, leaf, [...proof, FOREIGN], root);
      add('extra hash prepended', index, size, leaf, [FOREIGN, ...proof], root);
      if (proof.length > 0) {
        add('truncated proof: last hash removed', index, size, leaf, proof.slice(0, -1), root);
        add('flipped bit in proof hash 0', index, size, leaf, flipAt(proof, 0), root);
        add('proof hash 0 cut to 31 bytes', index, size, leaf, cutAt(proof, 0), root);
      }
      if (proof.length > 1) {
        const last = proof.length - 1;
        add(`flipped bit in proof hash ${last}`, index, size, leaf, flipAt(proof, last), root);
        add('proof hashes reversed', index, size, leaf, [...proof].reverse(), root);
      }
    }
  }
  return out;
}

export function consistencyVectors(): ConsistencyVector[] {
  const out: ConsistencyVector[] = [];
  for (const to of SIZES) {
    const data = leaves(to);
    const toRoot = refRoot(data);
    // from 0 (the empty tree) needs an empty proof; one size is enough to pin that down.
    const froms = unique([1, Math.floor(to / 2), to - 1, to].filter((f) => f > 0));
    if (to === 5) froms.unshift(0);
    for (const from of froms) {
      const fromRoot = refRoot(data.slice(0, from));
      const proof = from === 0 ? [] : refProof(from, data);
      const name = `from ${from} to ${to}`;
      const fresh = distinct();
      const add = (desc: string, m: number, n: number, p: Buffer[], r1: Buffer, r2: Buffer, tampered = true): void => {
        if (!fresh(m, n, p, r1, r2)) return;
        const want = refVerifyConsistency(m, n, p, r1, r2);
        out.push({
          desc: describe(`${name}: ${desc}`, want, tampered),
          from: m,
          to: n,
          proof: p.map(hex),
          fromRoot: hex(r1),
          toRoot: hex(r2),
          want,
        });
      };
      add('valid', from, to, proof, fromRoot, toRoot, false);
      if (from > 0) add('wrong from: from - 1', from - 1, to, proof, fromRoot, toRoot);
      if (from < to) add('wrong from: from + 1', from + 1, to, proof, fromRoot, toRoot);
      add('wrong to: to + 1', from, to + 1, proof, fromRoot, toRoot);
      if (to > from) add('wrong to: to - 1', from, to - 1, proof, fromRoot, toRoot);
      add('wrong to: to * 2', from, to * 2, proof, fromRoot, toRoot);
      if (from < to) add('sizes swapped', to, from, proof, fromRoot, toRoot);
      add('wrong from root: flipped bit', from, to, proof, flipped(fromRoot), toRoot);
      add('wrong to root: flipped bit', from, to, proof, fromRoot, flipped(toRoot));
      if (!fromRoot.equals(toRoot)) add('roots swapped', from, to, proof, toRoot, fromRoot);
      add('extra hash appended', from, to, [...proof, FOREIGN], fromRoot, toRoot);
      if (proof.length > 0) {
        add('extra hash prepended', from, to, [FOREIGN, ...proof], fromRoot, toRoot);
        add('truncated proof: last hash removed', from, to, proof.slice(0, -1), fromRoot, toRoot);
        add('flipped bit in proof hash 0', from, to, flipAt(proof, 0), fromRoot, toRoot);
        add('proof hash 0 cut to 31 bytes', from, to, cutAt(proof, 0), fromRoot, toRoot);
      }
      if (proof.length > 1) {
        const last = proof.length - 1;
        add(`flipped bit in proof hash ${last}`, from, to, flipAt(proof, last), fromRoot, toRoot);
        add('empty proof', from, to, [], fromRoot, toRoot);
      }
    }
  }
  return out;
}

/** JSON with one case per line, so that a regenerated file diffs case by case. */
export function render(description: string, cases: readonly object[]): string {
  const body = cases.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  const head = `  "description": ${JSON.stringify(description)},\n  "leaves": ${JSON.stringify(LEAF_RULE)},\n`;
  return `{\n${head}  "cases": [\n${body}\n  ]\n}\n`;
}

export const INCLUSION_DESCRIPTION =
  'RFC 9162 inclusion proofs (PATH, section 2.1.3.1) from the naive definition, each valid case followed by tampered ones; ' +
  'hashes are lowercase hex; want is "ok" or the ProofError code a verifier must throw.';
export const CONSISTENCY_DESCRIPTION =
  'RFC 9162 consistency proofs (PROOF, section 2.1.4.1) from the naive definition, each valid case followed by tampered ones; ' +
  'hashes are lowercase hex; want is "ok" or the ProofError code a verifier must throw.';

export function renderInclusion(): string {
  return render(INCLUSION_DESCRIPTION, inclusionVectors());
}

export function renderConsistency(): string {
  return render(CONSISTENCY_DESCRIPTION, consistencyVectors());
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = new URL('.', import.meta.url);
  writeFileSync(new URL('inclusion.json', dir), renderInclusion());
  writeFileSync(new URL('consistency.json', dir), renderConsistency());
  console.log('wrote inclusion.json and consistency.json');
}
