// The one way this folder sends a contract transaction, deploys a contract and reads a
// value: with viem clients and the ABIs of the project's own compile, waiting for the
// receipt, and turning a revert into a ContractRevertError that names the contract's
// custom error (`NothingToClaim`, `VoucherExpired`, …) and its arguments, so callers
// branch on a name rather than parse a message. It must never take an ABI from anywhere
// but compile.ts.
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  getAddress,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type TypedDataDomain,
  type WalletClient,
} from 'viem';
import { getEip712Domain } from 'viem/actions';
import { artifact, compiledContracts, type ContractName } from './compile.ts';

/** A wallet client that signs and sends, and a public client that reads and waits. */
export interface ChainClients {
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
}

/** A contract call or deployment reverted. `errorName` is the custom error, when known. */
export class ContractRevertError extends Error {
  override readonly name = 'ContractRevertError';
  constructor(
    readonly contract: ContractName,
    readonly functionName: string,
    /** The Solidity custom error (`InvalidProof`, `ERC20InsufficientBalance`, …), `Error` for a string reason, undefined when undecodable. */
    readonly errorName: string | undefined,
    readonly errorArgs: readonly unknown[],
    readonly data: Hex | undefined,
    options: { cause: unknown },
  ) {
    const shown = errorName ? `${errorName}(${errorArgs.map(String).join(', ')})` : `undecoded data ${data ?? '(none)'}`;
    super(`${contract}.${functionName} reverted: ${shown}`, options);
  }
}

/** A transaction was mined but reverted (it passed gas estimation, then the state changed under it). */
export class TransactionRevertedError extends Error {
  override readonly name = 'TransactionRevertedError';
  constructor(
    readonly contract: ContractName,
    readonly functionName: string,
    readonly receipt: TransactionReceipt,
  ) {
    super(`${contract}.${functionName} was mined in block ${receipt.blockNumber} but reverted (transaction ${receipt.transactionHash}); estimate again and resend`);
  }
}

/** A read returned something other than the type its ABI declares. */
export class UnexpectedReturnError extends Error {
  override readonly name = 'UnexpectedReturnError';
}

/**
 * Decodes revert data against the called contract's ABI and then every other compiled
 * ABI: a claim's revert may come from the token it calls (`ERC20InsufficientBalance`),
 * which the distributor's ABI does not declare.
 */
function decodeRevert(contract: ContractName, data: Hex): { errorName: string; args: readonly unknown[] } | undefined {
  const abis = [artifact(contract).abi, ...Object.values(compiledContracts().contracts).map((c) => c.abi)];
  for (const abi of abis) {
    try {
      const r = decodeErrorResult({ abi, data });
      return { errorName: r.errorName, args: r.args ?? [] };
    } catch {
      // Not declared in this ABI; try the next.
    }
  }
  return undefined;
}

/** Rethrows `e` as a ContractRevertError when it is a revert; other errors (network, nonce) pass through. */
function rethrowRevert(e: unknown, contract: ContractName, functionName: string): never {
  const reverted = e instanceof BaseError ? e.walk((x) => x instanceof ContractFunctionRevertedError) : null;
  if (reverted instanceof ContractFunctionRevertedError) {
    const decoded = reverted.data ? { errorName: reverted.data.errorName, args: reverted.data.args ?? [] } : reverted.raw ? decodeRevert(contract, reverted.raw) : undefined;
    throw new ContractRevertError(contract, functionName, decoded?.errorName, decoded?.args ?? [], reverted.raw, { cause: e });
  }
  throw e;
}

export interface ContractCall {
  contract: ContractName;
  address: Address;
  functionName: string;
  args: readonly unknown[];
}

/** Sends `call` from the wallet client's account and waits for its receipt. */
export async function sendContractTx(clients: ChainClients, call: ContractCall): Promise<TransactionReceipt> {
  const { abi } = artifact(call.contract);
  let hash: Hex;
  try {
    hash = await clients.walletClient.writeContract({ address: call.address, abi, functionName: call.functionName, args: call.args });
  } catch (e) {
    rethrowRevert(e, call.contract, call.functionName);
  }
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new TransactionRevertedError(call.contract, call.functionName, receipt);
  return receipt;
}

/** Deploys one of the project's contracts; returns its address and the deployment receipt. */
export async function deployContract(clients: ChainClients, contract: ContractName, args: readonly unknown[]): Promise<{ address: Address; receipt: TransactionReceipt }> {
  const { abi, bytecode } = artifact(contract);
  let hash: Hex;
  try {
    hash = await clients.walletClient.deployContract({ abi, bytecode, args });
  } catch (e) {
    rethrowRevert(e, contract, 'constructor');
  }
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new TransactionRevertedError(contract, 'constructor', receipt);
  return { address: getAddress(receipt.contractAddress), receipt };
}

/** Calls a view function; throws ContractRevertError when it reverts. */
export async function readContractValue(publicClient: PublicClient<Transport, Chain>, call: ContractCall): Promise<unknown> {
  try {
    return await publicClient.readContract({ address: call.address, abi: artifact(call.contract).abi, functionName: call.functionName, args: call.args });
  } catch (e) {
    rethrowRevert(e, call.contract, call.functionName);
  }
}

/** Calls a view function that returns one uint. */
export async function readUint(publicClient: PublicClient<Transport, Chain>, call: ContractCall): Promise<bigint> {
  const v = await readContractValue(publicClient, call);
  if (typeof v !== 'bigint') throw new UnexpectedReturnError(`${call.contract}.${call.functionName} returned ${typeof v}, want a uint (bigint)`);
  return v;
}

/** Calls a view function that returns one bytes32. */
export async function readBytes32(publicClient: PublicClient<Transport, Chain>, call: ContractCall): Promise<Hex> {
  const v = await readContractValue(publicClient, call);
  if (typeof v !== 'string' || !/^0x[0-9a-f]{64}$/i.test(v)) throw new UnexpectedReturnError(`${call.contract}.${call.functionName} returned ${String(v)}, want a bytes32`);
  return v as Hex;
}

/**
 * The EIP-712 domain a contract reports through ERC-5267 (`eip712Domain()`), keeping only
 * the fields its `fields` bitmask declares. viem's getEip712Domain returns every field,
 * a zero salt included, and a domain with a salt the contract does not hash gives a
 * signature the contract rejects.
 */
export async function readEip712Domain(publicClient: PublicClient<Transport, Chain>, address: Address): Promise<TypedDataDomain> {
  const { domain, fields } = await getEip712Domain(publicClient, { address });
  const has = (bit: number) => (Number.parseInt(fields, 16) & bit) !== 0;
  return {
    ...(has(0x01) ? { name: domain.name } : {}),
    ...(has(0x02) ? { version: domain.version } : {}),
    ...(has(0x04) ? { chainId: domain.chainId } : {}),
    ...(has(0x08) ? { verifyingContract: domain.verifyingContract } : {}),
    ...(has(0x10) ? { salt: domain.salt } : {}),
  };
}
