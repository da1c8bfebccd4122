// Deploys one Tributary settlement set (token, deposit vault, payout distributor, log
// anchor) from a wallet client, and vesting wallets one at a time. Deployment only: the
// calls the node makes afterwards live in payouts.ts, anchors.ts, deposits.ts, funding.ts
// and vouchers.ts. It must never deploy bytecode other than compile.ts's.
import type { Address } from 'viem';
import { deployContract, type ChainClients } from './clients.ts';
import { transferTokens } from './token.ts';

export interface DeployTributaryParameters {
  tokenName: string;
  tokenSymbol: string;
  /** Whole supply, in base units, minted to the deployer (the wallet client's account). */
  initialSupply: bigint;
  /** The account that may rotate the settler and the voucher signer; default the deployer. */
  owner?: Address;
  /** The node's account that posts payout roots and log checkpoints. */
  settler: Address;
  /** The node's key whose withdrawal vouchers the vault honours, and the only one that may move deposits to the distributor. */
  voucherSigner: Address;
  /**
   * Base units moved from the deployer to the distributor, which pays claims from its
   * balance, on top of the deposits the vault moves there (`fundPayouts`); default none.
   */
  distributorFunding?: bigint;
}

export interface TributaryDeployment {
  token: Address;
  vault: Address;
  distributor: Address;
  anchor: Address;
  /** Gas each deployment used, for the bench and for budgeting a real chain. */
  gasUsed: { token: bigint; vault: bigint; distributor: bigint; anchor: bigint };
}

/**
 * Deploys the token, the distributor, the vault and the anchor, in that order (the vault
 * takes the distributor's address, fixed for good), and pre-funds the distributor.
 */
export async function deployTributary(clients: ChainClients, p: DeployTributaryParameters): Promise<TributaryDeployment> {
  const owner = p.owner ?? clients.walletClient.account.address;
  const token = await deployContract(clients, 'TributaryToken', [p.tokenName, p.tokenSymbol, p.initialSupply]);
  const distributor = await deployContract(clients, 'PayoutDistributor', [token.address, owner, p.settler]);
  const vault = await deployContract(clients, 'DepositVault', [token.address, distributor.address, owner, p.voucherSigner]);
  const anchor = await deployContract(clients, 'LogAnchor', [owner, p.settler]);
  if (p.distributorFunding) await transferTokens(clients, token.address, distributor.address, p.distributorFunding);
  return {
    token: token.address,
    vault: vault.address,
    distributor: distributor.address,
    anchor: anchor.address,
    gasUsed: { token: token.receipt.gasUsed, vault: vault.receipt.gasUsed, distributor: distributor.receipt.gasUsed, anchor: anchor.receipt.gasUsed },
  };
}

export interface DeployVestingWalletParameters {
  beneficiary: Address;
  /** Unix time (seconds) at which vesting starts. */
  start: bigint;
  /** Seconds over which everything sent to the wallet vests linearly. */
  duration: bigint;
}

/** Deploys OpenZeppelin's VestingWallet; fund it by transferring tokens to the address. */
export async function deployVestingWallet(clients: ChainClients, p: DeployVestingWalletParameters): Promise<{ address: Address; gasUsed: bigint }> {
  const { address, receipt } = await deployContract(clients, 'VestingWallet', [p.beneficiary, p.start, p.duration]);
  return { address, gasUsed: receipt.gasUsed };
}
