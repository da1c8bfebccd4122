// Withdrawal vouchers: the node signs one (EIP-712, viem `signTypedData`) after debiting
// a requester's balance in its ledger, and anyone submits it to the DepositVault, which
// pays `account` once. The node must never sign two vouchers with one nonce for
// different contents, and never reuse a nonce: the vault honours the first one it sees.
import type { Address, Chain, Hex, LocalAccount, PublicClient, TransactionReceipt, Transport, TypedDataDomain } from 'viem';
import { readEip712Domain, sendContractTx, type ChainClients } from './clients.ts';

export interface WithdrawalVoucher {
  /** Who is paid, whoever submits the voucher. */
  account: Address;
  amount: bigint;
  /** The voucher's id, unique across all accounts of one vault. */
  nonce: bigint;
  /** Unix time (seconds) after which the vault refuses it (inclusive: valid at `deadline`). */
  deadline: bigint;
}

/** The voucher's EIP-712 type; the vault's WITHDRAWAL_TYPEHASH is the hash of its encoding (a test checks). */
export const WITHDRAWAL_VOUCHER_TYPES = {
  Withdrawal: [
    { name: 'account', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

/**
 * The vault's EIP-712 domain, as it reports it (ERC-5267): its name and version, the
 * chain id and its own address, so a voucher for one vault or chain fails on any other.
 * Read it once and keep it; it never changes for a deployed vault.
 */
export function withdrawalVoucherDomain(publicClient: PublicClient<Transport, Chain>, vault: Address): Promise<TypedDataDomain> {
  return readEip712Domain(publicClient, vault);
}

/** Signs `voucher` with the node's voucher key, offline. */
export function signWithdrawalVoucher(signer: LocalAccount, domain: TypedDataDomain, voucher: WithdrawalVoucher): Promise<Hex> {
  return signer.signTypedData({ domain, types: WITHDRAWAL_VOUCHER_TYPES, primaryType: 'Withdrawal', message: { ...voucher } });
}

/**
 * Submits a signed voucher from the wallet client's account; the vault pays
 * `voucher.account`. Reverts VoucherExpired, VoucherAlreadyUsed or InvalidVoucherSignature.
 */
export function withdrawWithVoucher(clients: ChainClients, vault: Address, voucher: WithdrawalVoucher, signature: Hex): Promise<TransactionReceipt> {
  return sendContractTx(clients, {
    contract: 'DepositVault',
    address: vault,
    functionName: 'withdraw',
    args: [voucher.account, voucher.amount, voucher.nonce, voucher.deadline, signature],
  });
}
