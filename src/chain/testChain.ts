// An EVM chain in this process, for tests and benches: hardhat@2's network (the EDR
// engine, Rust through N-API) behind viem's `custom()` transport, with funded accounts
// whose keys the chain holds, so a wallet client sends with `eth_sendTransaction` and the
// signing happens natively. It starts in well under a second and needs no hardhat
// project, no config file and no network.
//
// How it is made: hardhat@2 builds its in-process network in
// `hardhat/internal/hardhat-network/provider/provider.js`, `createHardhatNetworkProvider
// (config, loggerConfig)`, which the hardhat runtime calls with the resolved `networks.
// hardhat` config. Calling it directly skips the runtime (which would look for a
// hardhat.config file) and keeps hardhat's own wrapper around EDR, which is pinned to the
// EDR version hardhat ships with. `@nomicfoundation/edr` directly was the alternative; its
// provider API changes between its releases, which hardhat's wrapper absorbs. The path is
// internal (hardhat@2 has no exports map), so a test here fails loudly if a hardhat
// upgrade moves it. Never for production: the node talks to a real chain over HTTP.
import { createRequire } from 'node:module';
import {
  createPublicClient,
  createWalletClient,
  custom,
  keccak256,
  stringToHex,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { hardhat } from 'viem/chains';

/** What the in-process network understands: EIP-1193's `request`. */
export interface Eip1193Provider {
  request(args: { method: string; params?: readonly unknown[] }): Promise<unknown>;
}

export interface TestChainOptions {
  /** Funded accounts whose keys the chain holds (default 10). */
  accounts?: number;
  /** Wei each account starts with (default 10,000 ether). */
  balance?: bigint;
  /** EVM rules (default `cancun`, the target contracts are compiled for). */
  hardfork?: 'cancun' | 'prague';
}

export interface TestChain {
  chain: Chain;
  provider: Eip1193Provider;
  publicClient: PublicClient<Transport, Chain>;
  /** Funded accounts, in order; `wallet(i)` sends from `accounts[i]`. */
  accounts: Address[];
  /** Their private keys, for tests that need to sign outside the chain. */
  privateKeys: Hex[];
  /** A wallet client sending from `accounts[i]` (or that address), signed by the chain. */
  wallet(account: number | Address): WalletClient<Transport, Chain, Account>;
  /** Saves the chain's state; `revert(id)` returns to it (once per id). */
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  /** Moves the clock forward and mines a block at the new time. */
  increaseTime(seconds: number): Promise<void>;
}

/** The subset of hardhat@2's HardhatNetworkProviderConfig it needs without a forked chain. */
interface HardhatNetworkProviderConfig {
  hardfork: string;
  chainId: number;
  networkId: number;
  blockGasLimit: number;
  minGasPrice: bigint;
  automine: boolean;
  intervalMining: number;
  mempoolOrder: 'priority' | 'fifo';
  chains: Map<number, unknown>;
  genesisAccounts: Array<{ privateKey: string; balance: string }>;
  allowUnlimitedContractSize: boolean;
  throwOnTransactionFailures: boolean;
  throwOnCallFailures: boolean;
  allowBlocksWithSameTimestamp: boolean;
  enableTransientStorage: boolean;
  enableRip7212: boolean;
}

type CreateProvider = (config: HardhatNetworkProviderConfig, logger: { enabled: boolean }) => Promise<Eip1193Provider>;

const PROVIDER_MODULE = 'hardhat/internal/hardhat-network/provider/provider.js';

/** hardhat moved or renamed its in-process network factory. */
export class HardhatProviderMissingError extends Error {
  override readonly name = 'HardhatProviderMissingError';
}

function loadCreateProvider(): CreateProvider {
  const mod = createRequire(import.meta.url)(PROVIDER_MODULE) as { createHardhatNetworkProvider?: unknown };
  if (typeof mod.createHardhatNetworkProvider !== 'function') {
    throw new HardhatProviderMissingError(`${PROVIDER_MODULE} exports no createHardhatNetworkProvider; src/chain/testChain.ts needs hardhat 2.x as pinned in package.json`);
  }
  return mod.createHardhatNetworkProvider as CreateProvider;
}

/** The i-th test key: fixed, so addresses are the same in every run, and no known public key. */
export function testPrivateKey(i: number): Hex {
  return keccak256(stringToHex(`tributary test account ${i}`));
}

/** Starts a fresh chain (id 31337, automining, one block per transaction). */
export async function startTestChain(options: TestChainOptions = {}): Promise<TestChain> {
  const count = options.accounts ?? 10;
  const balance = options.balance ?? 10n ** 22n;
  const privateKeys = Array.from({ length: count }, (_, i) => testPrivateKey(i));
  const accounts = privateKeys.map((k) => privateKeyToAddress(k));
  const edr = await loadCreateProvider()(
    {
      hardfork: options.hardfork ?? 'cancun',
      chainId: hardhat.id,
      networkId: hardhat.id,
      blockGasLimit: 60_000_000,
      minGasPrice: 0n,
      automine: true,
      intervalMining: 0,
      mempoolOrder: 'priority',
      // Hardfork histories of other chains, which only a forked network consults.
      chains: new Map(),
      genesisAccounts: privateKeys.map((privateKey) => ({ privateKey, balance: balance.toString() })),
      allowUnlimitedContractSize: false,
      throwOnTransactionFailures: true,
      throwOnCallFailures: true,
      allowBlocksWithSameTimestamp: false,
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false },
  );
  const provider: Eip1193Provider = {
    request: async (args) => {
      try {
        return await edr.request(args);
      } catch (e) {
        // EDR throws a revert as an error that carries the revert data but no JSON-RPC
        // code. A node over HTTP answers code 3 ("execution reverted") with the data, and
        // that is what viem looks for to decode the contract's custom error.
        if (e instanceof Error && typeof (e as { data?: unknown }).data === 'string') Object.assign(e, { code: 3 });
        throw e;
      }
    },
  };
  // In process nothing is flaky, so a retry would only repeat a revert three times slower;
  // and receipts exist as soon as the send returns, so poll at once.
  const transport = custom(provider, { retryCount: 0 });
  const publicClient = createPublicClient({ chain: hardhat, transport, pollingInterval: 1 });
  const wallets = new Map<Address, WalletClient<Transport, Chain, Account>>();
  const wallet = (account: number | Address): WalletClient<Transport, Chain, Account> => {
    const address = typeof account === 'number' ? accounts[account] : account;
    if (address === undefined) throw new RangeError(`test account ${account} does not exist; the chain has ${count} (TestChainOptions.accounts)`);
    let w = wallets.get(address);
    if (!w) {
      w = createWalletClient({ chain: hardhat, transport, account: address, pollingInterval: 1 });
      wallets.set(address, w);
    }
    return w;
  };
  return {
    chain: hardhat,
    provider,
    publicClient,
    accounts,
    privateKeys,
    wallet,
    snapshot: async () => (await provider.request({ method: 'evm_snapshot' })) as Hex,
    revert: async (id) => {
      if ((await provider.request({ method: 'evm_revert', params: [id] })) !== true) throw new Error(`snapshot ${id} is unknown or was already reverted to`);
    },
    increaseTime: async (seconds) => {
      await provider.request({ method: 'evm_increaseTime', params: [seconds] });
      await provider.request({ method: 'evm_mine' });
    },
  };
}
