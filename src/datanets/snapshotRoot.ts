// The Merkle root of a datanet version: an RFC 9162 tree whose leaves are the
// canonical JSON of each accepted contribution's (id, contentHash, author, size), in
// id order. Anyone holding the contribution list can recompute it.
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { MemoryHashStore, MerkleTree } from '../nodeLedger/tree.ts';
import { canonicalBytes } from '../protocol/canonical.ts';
import type { ContributionRecord } from './records.ts';

export function snapshotLeaf(c: Pick<ContributionRecord, 'id' | 'contentHash' | 'author' | 'size'>): Buffer {
  return hashLeaf(canonicalBytes({ id: c.id, contentHash: c.contentHash, author: c.author, size: c.size }));
}

export function snapshotRoot(contributions: Array<Pick<ContributionRecord, 'id' | 'contentHash' | 'author' | 'size'>>): string {
  const tree = new MerkleTree(new MemoryHashStore(), 0);
  for (const c of contributions) tree.append(snapshotLeaf(c));
  return '0x' + tree.root().toString('hex');
}
