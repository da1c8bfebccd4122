// src/ledger/tree.ts's Merkle tree bound to node:crypto's hasher, with Buffer hashes: the
// tree the sequencer appends to. Only binds; the tree itself lives in src/ledger/tree.ts.
import { type HashStore, MemoryHashStore as LedgerMemoryHashStore, MerkleTree as LedgerMerkleTree } from '../ledger/tree.ts';
import { nodeCrypto } from './crypto.ts';

export { type HashStore, TreeRangeError, TreeStoreError } from '../ledger/tree.ts';

export class MerkleTree extends LedgerMerkleTree<Buffer> {
  /** `size` is the number of leaves already in `store`; the tree trusts the store to hold them. */
  constructor(store: HashStore, size: number) {
    super(nodeCrypto.hasher, store, size);
  }
}

/** A HashStore in memory whose hashes come back as Buffers. */
export class MemoryHashStore extends LedgerMemoryHashStore<Buffer> {
  constructor() {
    super(nodeCrypto.hasher.from);
  }
}
