import { keccak256, parseEventLogs, stringToHex, type Address, type Hex, type LocalAccount, type TypedDataDomain } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deployContract, readBytes32, readContractValue, sendContractTx } from './clients.ts';
import { artifact } from './compile.ts';
import { deposit } from './deposits.ts';
import { testPrivateKey } from '../../test/fixtures/testChain.ts';
import { revertOf, settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';
import { approveTokens, tokenBalance, transferTokens } from './token.ts';
import { signWithdrawalVoucher, WITHDRAWAL_VOUCHER_TYPES, withdrawalVoucherDomain, withdrawWithVoucher, type WithdrawalVoucher } from './vouchers.ts';

const ETHER = 10n ** 18n;
let f: SettlementFixture;
let domain: TypedDataDomain;
let user: Address;
let snapshot: Hex;

beforeAll(async () => {
  f = await settlementFixture();
  user = f.chain.accounts[2];
  // The vault holds what the user deposited.
  await transferTokens(f.admin, f.deployment.token, user, 100n * ETHER);
  await approveTokens(f.as(2), f.deployment.token, f.deployment.vault, 100n * ETHER);
  await deposit(f.as(2), f.deployment.vault, 100n * ETHER);
  domain = await withdrawalVoucherDomain(f.chain.publicClient, f.deployment.vault);
});
beforeEach(async () => {
  snapshot = await f.chain.snapshot();
});
afterEach(async () => {
  await f.chain.revert(snapshot);
});

const now = async () => (await f.chain.publicClient.getBlock()).timestamp;
const voucher = async (over: Partial<WithdrawalVoucher> = {}): Promise<WithdrawalVoucher> => ({ account: user, amount: 60n * ETHER, nonce: 1n, deadline: (await now()) + 3_600n, ...over });
const used = (nonce: bigint) => readContractValue(f.chain.publicClient, { contract: 'DepositVault', address: f.deployment.vault, functionName: 'voucherUsed', args: [nonce] });

describe('DepositVault withdrawals', () => {
  it("signs in the vault's own domain, with the type the vault hashes", async () => {
    expect(domain).toEqual({ name: 'Tributary DepositVault', version: '1', chainId: 31337, verifyingContract: f.deployment.vault });
    const encoded = `Withdrawal(${WITHDRAWAL_VOUCHER_TYPES.Withdrawal.map((m) => `${m.type} ${m.name}`).join(',')})`;
    expect(await readBytes32(f.chain.publicClient, { contract: 'DepositVault', address: f.deployment.vault, functionName: 'WITHDRAWAL_TYPEHASH', args: [] })).toBe(keccak256(stringToHex(encoded)));
  });

  it('pays the voucher to its account, whoever submits it, once', async () => {
    const { token, vault } = f.deployment;
    const v = await voucher();
    const signature = await signWithdrawalVoucher(f.voucherSigner, domain, v);
    const relayer = f.chain.accounts[3];
    const relayerBefore = await tokenBalance(f.chain.publicClient, token, relayer);
    const receipt = await withdrawWithVoucher(f.as(3), vault, v, signature);
    const [event] = parseEventLogs({ abi: artifact('DepositVault').abi, logs: receipt.logs, eventName: 'Withdrawn' });
    expect(event.args).toEqual({ account: user, amount: 60n * ETHER, nonce: 1n });
    expect(await tokenBalance(f.chain.publicClient, token, user)).toBe(60n * ETHER);
    expect(await tokenBalance(f.chain.publicClient, token, vault)).toBe(40n * ETHER);
    expect(await tokenBalance(f.chain.publicClient, token, relayer)).toBe(relayerBefore);
    expect(await used(1n)).toBe(true);
    expect(await used(2n)).toBe(false);

    // Replayed as is, or re-signed with other contents under the same nonce: refused.
    expect(await revertOf(withdrawWithVoucher(f.as(2), vault, v, signature))).toEqual({ errorName: 'VoucherAlreadyUsed', args: [1n] });
    const other = await voucher({ amount: 1n });
    expect(await revertOf(withdrawWithVoucher(f.as(2), vault, other, await signWithdrawalVoucher(f.voucherSigner, domain, other)))).toEqual({ errorName: 'VoucherAlreadyUsed', args: [1n] });
    expect(await tokenBalance(f.chain.publicClient, token, user)).toBe(60n * ETHER);
  });

  it('refuses an expired voucher', async () => {
    const v = await voucher({ deadline: (await now()) + 100n });
    const signature = await signWithdrawalVoucher(f.voucherSigner, domain, v);
    await f.chain.increaseTime(200);
    const { errorName, args } = await revertOf(withdrawWithVoucher(f.as(2), f.deployment.vault, v, signature));
    expect(errorName).toBe('VoucherExpired');
    expect(args[0]).toBe(v.deadline);
    expect(args[1] as bigint).toBeGreaterThan(v.deadline);
    expect(await used(v.nonce)).toBe(false);
  });

  it('refuses a voucher signed by another key, altered, for another vault, or malformed', async () => {
    const { vault, token } = f.deployment;
    const expected = f.voucherSigner.address;
    const v = await voucher();
    const wrongKey: LocalAccount = privateKeyToAccount(testPrivateKey(2_000));
    expect(await revertOf(withdrawWithVoucher(f.as(2), vault, v, await signWithdrawalVoucher(wrongKey, domain, v)))).toEqual({ errorName: 'InvalidVoucherSignature', args: [wrongKey.address, expected] });

    const signature = await signWithdrawalVoucher(f.voucherSigner, domain, v);
    for (const altered of [{ ...v, amount: v.amount + 1n }, { ...v, account: f.chain.accounts[3] }, { ...v, nonce: 2n }, { ...v, deadline: v.deadline + 1n }]) {
      const { errorName, args } = await revertOf(withdrawWithVoucher(f.as(2), vault, altered, signature));
      expect(errorName).toBe('InvalidVoucherSignature');
      expect(args[1]).toBe(expected);
      expect(args[0]).not.toBe(expected);
    }
    expect(await revertOf(withdrawWithVoucher(f.as(2), vault, v, signature.slice(0, 130) as Hex))).toEqual({
      errorName: 'InvalidVoucherSignature',
      args: ['0x0000000000000000000000000000000000000000', expected],
    });

    // The same voucher signed for a second vault of the same token does not pay here.
    const other = (await deployContract(f.admin, 'DepositVault', [token, f.deployment.distributor, f.chain.accounts[0], expected])).address;
    const forOther = await signWithdrawalVoucher(f.voucherSigner, await withdrawalVoucherDomain(f.chain.publicClient, other), v);
    expect((await revertOf(withdrawWithVoucher(f.as(2), vault, v, forOther))).errorName).toBe('InvalidVoucherSignature');
    expect(await tokenBalance(f.chain.publicClient, token, user)).toBe(0n);
  });

  it("lets only the owner rotate the voucher key; the old key's vouchers stop working", async () => {
    const { vault } = f.deployment;
    const next = privateKeyToAccount(testPrivateKey(3_000));
    const rotate = (by: number) => sendContractTx(f.as(by), { contract: 'DepositVault', address: vault, functionName: 'setVoucherSigner', args: [next.address] });
    expect(await revertOf(rotate(2))).toEqual({ errorName: 'OwnableUnauthorizedAccount', args: [user] });
    await rotate(0);
    const v = await voucher();
    expect(await revertOf(withdrawWithVoucher(f.as(2), vault, v, await signWithdrawalVoucher(f.voucherSigner, domain, v)))).toEqual({
      errorName: 'InvalidVoucherSignature',
      args: [f.voucherSigner.address, next.address],
    });
    await withdrawWithVoucher(f.as(2), vault, v, await signWithdrawalVoucher(next, domain, v));
    expect(await tokenBalance(f.chain.publicClient, f.deployment.token, user)).toBe(60n * ETHER);
  });

  it('refuses a voucher for nothing', async () => {
    const v = await voucher({ amount: 0n });
    expect(await revertOf(withdrawWithVoucher(f.as(2), f.deployment.vault, v, await signWithdrawalVoucher(f.voucherSigner, domain, v)))).toEqual({ errorName: 'ZeroAmount', args: [] });
  });
});
