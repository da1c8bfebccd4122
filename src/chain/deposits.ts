// Requesters' deposits into the DepositVault, and the node's view of them. A requester
// deposits after an approval, or in one transaction with an EIP-2612 permit; the node
// reads `Deposited` events and credits a deposit once it is deep enough (the confirmation
// policy is the caller's). Withdrawals are in vouchers.ts.
import { parseSignature, type Address, type Chain, type Hex, type PublicClient, type TransactionReceipt, type Transport } from 'viem';
import { artifact } from './compile.ts';
import { readEip712Domain, readUint, sendContractTx, UnexpectedReturnError, type ChainClients } from './clients.ts';

/** Deposits `amount` from the wallet client's account; the vault must be approved for it. Reverts ZeroAmount. */
export function deposit(clients: ChainClients, vault: Address, amount: bigint): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'DepositVault', address: vault, functionName: 'deposit', args: [amount] });
}

export interface PermitParameters {
  token: Address;
  spender: Address;
  amount: bigint;
  /** Unix time (seconds) after which the permit is void. */
  deadline: bigint;
}

/** An EIP-2612 permit signature, split as `permit` and `depositWithPermit` take it. */
export interface PermitSignature {
  v: number;
  r: Hex;
  s: Hex;
}

/**
 * Signs an EIP-2612 permit from the wallet client's account (viem `signTypedData`), in
 * the domain the token reports through ERC-5267 and with the account's current nonce.
 */
export async function signPermit(clients: ChainClients, p: PermitParameters): Promise<PermitSignature> {
  const owner = clients.walletClient.account.address;
  const [domain, nonce] = await Promise.all([
    readEip712Domain(clients.publicClient, p.token),
    readUint(clients.publicClient, { contract: 'TributaryToken', address: p.token, functionName: 'nonces', args: [owner] }),
  ]);
  const signature = await clients.walletClient.signTypedData({
    domain,
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner, spender: p.spender, value: p.amount, nonce, deadline: p.deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { v: Number(v ?? 27n + BigInt(yParity)), r, s };
}

/**
 * Deposits with no prior approval: the wallet client's account signs a permit for the
 * vault and sends it along with the deposit, in one transaction.
 */
export async function depositWithPermit(clients: ChainClients, p: { token: Address; vault: Address; amount: bigint; deadline: bigint }): Promise<TransactionReceipt> {
  const { v, r, s } = await signPermit(clients, { token: p.token, spender: p.vault, amount: p.amount, deadline: p.deadline });
  return sendContractTx(clients, { contract: 'DepositVault', address: p.vault, functionName: 'depositWithPermit', args: [p.amount, p.deadline, v, r, s] });
}

export interface DepositEvent {
  depositor: Address;
  amount: bigint;
  /** Running id from 1; a gap means a missed event. */
  depositId: bigint;
  blockNumber: bigint;
  transactionHash: Hex;
}

/** The vault's deposits in blocks [fromBlock, toBlock], in chain order. */
export async function depositEvents(publicClient: PublicClient<Transport, Chain>, vault: Address, range: { fromBlock: bigint; toBlock: bigint }): Promise<DepositEvent[]> {
  const logs = await publicClient.getContractEvents({ address: vault, abi: artifact('DepositVault').abi, eventName: 'Deposited', fromBlock: range.fromBlock, toBlock: range.toBlock });
  return logs.map((log) => {
    const args = log.args as { depositor?: unknown; amount?: unknown; depositId?: unknown };
    if (typeof args.depositor !== 'string' || typeof args.amount !== 'bigint' || typeof args.depositId !== 'bigint' || log.blockNumber === null || log.transactionHash === null) {
      throw new UnexpectedReturnError(`a Deposited log of ${vault} does not decode to (address, uint256, uint256) in a mined block`);
    }
    return { depositor: args.depositor as Address, amount: args.amount, depositId: args.depositId, blockNumber: log.blockNumber, transactionHash: log.transactionHash };
  });
}
