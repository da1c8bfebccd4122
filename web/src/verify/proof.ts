// RFC 9162 section 2.1.3.2: verifying an inclusion proof in the browser, keeping every
// step so a page can show the path from the leaf to the root. The same algorithm as
// src/ledger/proof.ts, without node:crypto. It must never accept a proof of the wrong
// length, nor compare against a root it did not compute from the leaf given.
import { sha256 } from './bytes.ts';

export class ProofCheckError extends Error {
  override readonly name = 'ProofCheckError';
}

/** One hash of the proof: where the sibling sat and the node it made. */
export interface PathStep {
  sibling: Uint8Array;
  /** 'left': the sibling is the left child, so the node is H(0x01 ‖ sibling ‖ r). */
  side: 'left' | 'right';
  node: Uint8Array;
}

export const hashLeaf = (entry: Uint8Array) => sha256(new Uint8Array([0x00]), entry);
const hashChildren = (left: Uint8Array, right: Uint8Array) => sha256(new Uint8Array([0x01]), left, right);

/** How many hashes PATH(index, D[size]) holds: one for each level where the node has a sibling. */
export function inclusionProofSize(index: number, size: number): number {
  checkIndex(index, size);
  let n = 0;
  // Division, not bit shifts: sizes may pass 2^31.
  for (let fn = index, sn = size - 1; sn > 0; fn = Math.floor(fn / 2), sn = Math.floor(sn / 2)) if (fn % 2 === 1 || fn !== sn) n++;
  return n;
}

/** The path from `leafHash` at `index` up to the root of a tree of `size` leaves; the last node is the root. */
export async function inclusionPath(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Promise<PathStep[]> {
  const want = inclusionProofSize(index, size);
  if (leafHash.length !== 32) throw new ProofCheckError(`the leaf hash is ${leafHash.length} bytes, want 32`);
  proof.forEach((p, i) => {
    if (p.length !== 32) throw new ProofCheckError(`proof hash ${i + 1} is ${p.length} bytes, want 32`);
  });
  if (proof.length !== want) throw new ProofCheckError(`wrong proof size ${proof.length}, want ${want} for index ${index} in a tree of ${size}`);
  const steps: PathStep[] = [];
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (fn % 2 === 1 || fn === sn) {
      r = await hashChildren(p, r);
      steps.push({ sibling: p, side: 'left', node: r });
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await hashChildren(r, p);
      steps.push({ sibling: p, side: 'right', node: r });
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return steps;
}

function checkIndex(index: number, size: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new ProofCheckError(`index ${index} is not a non-negative integer`);
  if (!Number.isSafeInteger(size) || size < 0) throw new ProofCheckError(`size ${size} is not a non-negative integer`);
  if (index >= size) throw new ProofCheckError(`index ${index} is beyond tree size ${size}`);
}
