// viem clients for a chain RPC over HTTP and one local key: how the node's chain worker
// posts and the CLI deploys, claims and withdraws.
import { createPublicClient, createWalletClient, defineChain, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ChainClients } from './clients.ts';

export function chainClients(rpcUrl: string, privateKey: Hex, chainId = 1, timeoutMs = 30_000): ChainClients {
  const chain = defineChain({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } });
  // No retries here: the node's worker and the CLI decide themselves when to try again.
  const transport = http(rpcUrl, { timeout: timeoutMs, retryCount: 0 });
  return {
    publicClient: createPublicClient({ chain, transport }),
    walletClient: createWalletClient({ account: privateKeyToAccount(privateKey), chain, transport }),
  };
}
