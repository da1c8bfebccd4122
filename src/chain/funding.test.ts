import { BaseError, decodeErrorResult, parseEventLogs, type Address, type Hex } from 'viem';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PayoutTree } from '../settlement/payoutTree.ts';
import { deployContract, sendContractTx } from './clients.ts';
import { artifact } from './compile.ts';
import { deposit } from './deposits.ts';
import { fundPayouts, payoutsFunded } from './funding.ts';
import { claimPayout, payoutClaim, postPayoutRoot } from './payouts.ts';
import { freshAddresses, revertOf, settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';
import { approveTokens, tokenBalance, transferTokens } from './token.ts';

const ETHER = 10n ** 18n;
// Not a round number, so a transfer off by a unit shows.
const DEPOSITED = 500n * ETHER + 123_456_789n;
let f: SettlementFixture;
let snapshot: Hex;

beforeAll(async () => {
  // The distributor starts empty: whatever it pays came from deposits.
  f = await settlementFixture({ distributorFunding: 0n });
  const { token, vault } = f.deployment;
  await transferTokens(f.admin, token, f.chain.accounts[2], DEPOSITED);
  await approveTokens(f.as(2), token, vault, DEPOSITED);
  await deposit(f.as(2), vault, DEPOSITED);
});
beforeEach(async () => {
  snapshot = await f.chain.snapshot();
});
afterEach(async () => {
  await f.chain.revert(snapshot);
});

const balance = (account: Address) => tokenBalance(f.chain.publicClient, f.deployment.token, account);

/**
 * The custom error a DepositVault deployment reverted with. deployContract passes a
 * constructor's revert through undecoded (viem raises no ContractFunctionRevertedError
 * for a deployment), so the revert data is dug out of the error's causes here.
 */
async function constructorRevert(args: readonly unknown[]): Promise<{ errorName: string; args: readonly unknown[] }> {
  const error = await deployContract(f.admin, 'DepositVault', args).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('expected the deployment to revert, but it succeeded');
  const withData = error instanceof BaseError ? error.walk((e) => typeof (e as { data?: unknown }).data === 'string') : null;
  if (!withData) throw error;
  const decoded = decodeErrorResult({ abi: artifact('DepositVault').abi, data: (withData as unknown as { data: Hex }).data });
  return { errorName: decoded.errorName, args: decoded.args ?? [] };
}

describe('DepositVault.fundPayouts', () => {
  it('moves exactly the amount to the distributor, keeps a running total, and a claim is paid from it', async () => {
    const { vault, distributor } = f.deployment;
    expect(await balance(distributor)).toBe(0n);
    expect(await payoutsFunded(f.chain.publicClient, vault)).toBe(0n);

    const first = 120n * ETHER + 7n;
    const receipt = await fundPayouts(f.voucherSignerClients, vault, first);
    const [event] = parseEventLogs({ abi: artifact('DepositVault').abi, logs: receipt.logs, eventName: 'PayoutsFunded' });
    expect(event.args).toEqual({ amount: first, totalFunded: first });
    expect(await balance(vault)).toBe(DEPOSITED - first);
    expect(await balance(distributor)).toBe(first);

    const second = 30n * ETHER;
    const [again] = parseEventLogs({ abi: artifact('DepositVault').abi, logs: (await fundPayouts(f.voucherSignerClients, vault, second)).logs, eventName: 'PayoutsFunded' });
    expect(again.args).toEqual({ amount: second, totalFunded: first + second });
    expect(await payoutsFunded(f.chain.publicClient, vault)).toBe(first + second);
    expect(await balance(vault)).toBe(DEPOSITED - first - second);
    expect(await balance(distributor)).toBe(first + second);

    // An epoch's payouts, claimed from what the deposits funded; the vault is untouched.
    const [alice, bob] = freshAddresses(2, 40);
    const leaves = [
      { account: alice, amount: 100n * ETHER + 3n },
      { account: bob, amount: 50n * ETHER + 5n },
    ];
    const tree = PayoutTree.build(leaves);
    await postPayoutRoot(f.settler, distributor, 1n, tree.root as Hex);
    await claimPayout(f.as(3), distributor, payoutClaim(tree, alice));
    expect(await balance(alice)).toBe(100n * ETHER + 3n);
    expect(await balance(distributor)).toBe(first + second - (100n * ETHER + 3n));
    // Bob is owed 1 unit more than what is left: the distributor cannot pay him yet.
    expect(await revertOf(claimPayout(f.as(3), distributor, payoutClaim(tree, bob)))).toEqual({
      errorName: 'ERC20InsufficientBalance',
      args: [distributor, 50n * ETHER + 4n, 50n * ETHER + 5n],
    });
    await fundPayouts(f.voucherSignerClients, vault, 1n);
    await claimPayout(f.as(3), distributor, payoutClaim(tree, bob));
    expect(await balance(bob)).toBe(50n * ETHER + 5n);
    expect(await balance(distributor)).toBe(0n);
    expect(await balance(vault)).toBe(DEPOSITED - first - second - 1n);
    expect(await payoutsFunded(f.chain.publicClient, vault)).toBe(first + second + 1n);
  });

  it('lets only the voucher signer fund payouts (NotVoucherSigner), the owner and settler included', async () => {
    const { vault, distributor } = f.deployment;
    const signer = f.voucherSigner.address;
    const [owner, settler, user] = f.chain.accounts;
    for (const [i, caller] of [owner, settler, user].entries()) {
      expect(await revertOf(fundPayouts(f.as(i), vault, 1n))).toEqual({ errorName: 'NotVoucherSigner', args: [caller, signer] });
    }
    // After the owner rotates the key, the new one may and the old one may not.
    const next = f.chain.accounts[4];
    await sendContractTx(f.admin, { contract: 'DepositVault', address: vault, functionName: 'setVoucherSigner', args: [next] });
    expect(await revertOf(fundPayouts(f.voucherSignerClients, vault, 1n))).toEqual({ errorName: 'NotVoucherSigner', args: [signer, next] });
    await fundPayouts(f.as(4), vault, 2n);
    expect(await balance(distributor)).toBe(2n);
    expect(await payoutsFunded(f.chain.publicClient, vault)).toBe(2n);
  });

  it('refuses nothing (ZeroAmount) and more than the vault holds (the token: ERC20InsufficientBalance)', async () => {
    const { vault, distributor } = f.deployment;
    expect(await revertOf(fundPayouts(f.voucherSignerClients, vault, 0n))).toEqual({ errorName: 'ZeroAmount', args: [] });
    expect(await revertOf(fundPayouts(f.voucherSignerClients, vault, DEPOSITED + 1n))).toEqual({
      errorName: 'ERC20InsufficientBalance',
      args: [vault, DEPOSITED, DEPOSITED + 1n],
    });
    expect(await balance(vault)).toBe(DEPOSITED);
    expect(await balance(distributor)).toBe(0n);
    expect(await payoutsFunded(f.chain.publicClient, vault)).toBe(0n);
    // All of it, to the unit, is allowed.
    await fundPayouts(f.voucherSignerClients, vault, DEPOSITED);
    expect(await balance(vault)).toBe(0n);
    expect(await balance(distributor)).toBe(DEPOSITED);
  });

  it('is deployed only with a distributor of its own token (InvalidPayoutDistributor)', async () => {
    const { token, distributor } = f.deployment;
    const [owner] = f.chain.accounts;
    const signer = f.voucherSigner.address;
    const otherToken = (await deployContract(f.admin, 'TributaryToken', ['Other', 'OTH', 1n])).address;
    const otherDistributor = (await deployContract(f.admin, 'PayoutDistributor', [otherToken, owner, owner])).address;
    expect(await constructorRevert([token, otherDistributor, owner, signer])).toEqual({
      errorName: 'InvalidPayoutDistributor',
      args: [otherDistributor, otherToken],
    });
    // An account with no code (a typo, the zero address) is no distributor either.
    const zero = '0x0000000000000000000000000000000000000000';
    for (const to of [owner, zero]) {
      expect(await constructorRevert([token, to, owner, signer])).toEqual({ errorName: 'InvalidPayoutDistributor', args: [to, zero] });
    }
    // A second vault for the same distributor is fine.
    await deployContract(f.admin, 'DepositVault', [token, distributor, owner, signer]);
  });
});
