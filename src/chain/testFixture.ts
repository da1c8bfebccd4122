// A deployed settlement set on a fresh in-process chain, with the roles the node and its
// users play, for this folder's tests and the gas bench. Test support only.
import { createWalletClient, custom, numberToHex, type Address, type LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ContractRevertError, type ChainClients } from './clients.ts';
import { deployTributary, type TributaryDeployment } from './deploy.ts';
import { startTestChain, testPrivateKey, type TestChain } from './testChain.ts';

export interface SettlementFixture {
  chain: TestChain;
  deployment: TributaryDeployment;
  /** Account 0: deployed everything, owns the contracts, holds the rest of the supply. */
  admin: ChainClients;
  /** Account 1: the node's settler (posts roots and checkpoints). */
  settler: ChainClients;
  /** Clients sending from test account `i` (2 and up are plain users). */
  as(i: number): ChainClients;
  /** The node's voucher key: a local key the chain does not hold, as in production. */
  voucherSigner: LocalAccount;
  /** Clients sending from the voucher key (signed here, not by the chain), with ether for gas: it funds payouts. */
  voucherSignerClients: ChainClients;
  supply: bigint;
  distributorFunding: bigint;
}

const ETHER = 10n ** 18n;

export interface SettlementFixtureOptions {
  accounts?: number;
  /** Token supply in base units (default 10^9 tokens). */
  supply?: bigint;
  /** What the distributor starts with (default 10^8 tokens). */
  distributorFunding?: bigint;
}

export async function settlementFixture(options: SettlementFixtureOptions = {}): Promise<SettlementFixture> {
  const chain = await startTestChain({ accounts: options.accounts ?? 8 });
  const as = (i: number): ChainClients => ({ publicClient: chain.publicClient, walletClient: chain.wallet(i) });
  const admin = as(0);
  const voucherSigner = privateKeyToAccount(testPrivateKey(1_000));
  const supply = options.supply ?? 1_000_000_000n * ETHER;
  const distributorFunding = options.distributorFunding ?? 100_000_000n * ETHER;
  const deployment = await deployTributary(admin, {
    tokenName: 'Test Settlement Token',
    tokenSymbol: 'TST',
    initialSupply: supply,
    settler: chain.accounts[1],
    voucherSigner: voucherSigner.address,
    distributorFunding,
  });
  // Ether for gas without a transaction, so blocks and the deployer's nonce stay as they were.
  await chain.provider.request({ method: 'hardhat_setBalance', params: [voucherSigner.address, numberToHex(ETHER)] });
  const voucherSignerClients: ChainClients = {
    publicClient: chain.publicClient,
    walletClient: createWalletClient({ chain: chain.chain, transport: custom(chain.provider, { retryCount: 0 }), account: voucherSigner, pollingInterval: 1 }),
  };
  return { chain, deployment, admin, settler: as(1), as, voucherSigner, voucherSignerClients, supply, distributorFunding };
}

/** `n` distinct fresh addresses from a seed (no keys: claims are sent for them). */
export function freshAddresses(n: number, seed: number): Address[] {
  return Array.from({ length: n }, (_, i) => privateKeyToAccount(testPrivateKey(seed * 1_000_000 + i)).address);
}

/** The custom error `p` reverted with (name and arguments); throws if it did not revert that way. */
export async function revertOf(p: Promise<unknown>): Promise<{ errorName: string | undefined; args: readonly unknown[] }> {
  const outcome = await p.then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (outcome.ok) throw new Error('expected a revert, but the call succeeded');
  if (!(outcome.error instanceof ContractRevertError)) throw outcome.error;
  return { errorName: outcome.error.errorName, args: outcome.error.errorArgs };
}
