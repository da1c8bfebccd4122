// The node's calls to the LogAnchor: anchoring a checkpoint of its transparency log and
// reading the latest anchored one.
import type { Address, Chain, Hex, PublicClient, TransactionReceipt, Transport } from 'viem';
import { readBytes32, readUint, sendContractTx, type ChainClients } from './clients.ts';

export interface AnchoredCheckpoint {
  treeSize: bigint;
  /** RFC 9162 root of the log at `treeSize`, 0x hex. */
  logRoot: Hex;
  /** State root after the first `treeSize` entries, 0x hex. */
  stateRoot: Hex;
}

/** Anchors `checkpoint`, from the settler. Reverts NotSettler, or TreeSizeNotIncreasing unless the tree grew. */
export function anchorCheckpoint(clients: ChainClients, anchor: Address, checkpoint: AnchoredCheckpoint): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'LogAnchor', address: anchor, functionName: 'anchor', args: [checkpoint.treeSize, checkpoint.logRoot, checkpoint.stateRoot] });
}

/** The latest anchored checkpoint (size 0 and zero roots before the first). */
export async function latestAnchor(publicClient: PublicClient<Transport, Chain>, anchor: Address): Promise<AnchoredCheckpoint> {
  const at = { contract: 'LogAnchor', address: anchor, args: [] } as const;
  const [treeSize, logRoot, stateRoot] = await Promise.all([
    readUint(publicClient, { ...at, functionName: 'treeSize' }),
    readBytes32(publicClient, { ...at, functionName: 'logRoot' }),
    readBytes32(publicClient, { ...at, functionName: 'stateRoot' }),
  ]);
  return { treeSize, logRoot, stateRoot };
}
