import type { Address } from 'viem';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readUint, sendContractTx } from './clients.ts';
import { deposit, depositEvents, depositWithPermit, signPermit } from './deposits.ts';
import { revertOf, settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';
import { approveTokens, tokenBalance, transferTokens } from './token.ts';

const ETHER = 10n ** 18n;
let f: SettlementFixture;
let user: Address;
let snapshot: `0x${string}`;

beforeAll(async () => {
  f = await settlementFixture();
  user = f.chain.accounts[2];
  await transferTokens(f.admin, f.deployment.token, user, 1_000n * ETHER);
});
beforeEach(async () => {
  snapshot = await f.chain.snapshot();
});
afterEach(async () => {
  await f.chain.revert(snapshot);
});

const now = async () => (await f.chain.publicClient.getBlock()).timestamp;

describe('DepositVault deposits', () => {
  it('takes approved deposits and numbers them from 1, in events the node can read', async () => {
    const { token, vault } = f.deployment;
    const start = await f.chain.publicClient.getBlockNumber();
    await approveTokens(f.as(2), token, vault, 300n * ETHER + 1n);
    await deposit(f.as(2), vault, 100n * ETHER);
    await deposit(f.as(2), vault, 200n * ETHER + 1n);
    expect(await tokenBalance(f.chain.publicClient, token, user)).toBe(700n * ETHER - 1n);
    expect(await tokenBalance(f.chain.publicClient, token, vault)).toBe(300n * ETHER + 1n);
    expect(await readUint(f.chain.publicClient, { contract: 'DepositVault', address: vault, functionName: 'depositCount', args: [] })).toBe(2n);
    const events = await depositEvents(f.chain.publicClient, vault, { fromBlock: start, toBlock: await f.chain.publicClient.getBlockNumber() });
    expect(events.map(({ depositor, amount, depositId }) => ({ depositor, amount, depositId }))).toEqual([
      { depositor: user, amount: 100n * ETHER, depositId: 1n },
      { depositor: user, amount: 200n * ETHER + 1n, depositId: 2n },
    ]);
    expect(events[1].blockNumber).toBeGreaterThan(events[0].blockNumber);
  });

  it('takes a deposit with a permit and no approval', async () => {
    const { token, vault } = f.deployment;
    await depositWithPermit(f.as(2), { token, vault, amount: 40n * ETHER, deadline: (await now()) + 600n });
    expect(await tokenBalance(f.chain.publicClient, token, user)).toBe(960n * ETHER);
    expect(await tokenBalance(f.chain.publicClient, token, vault)).toBe(40n * ETHER);
    expect(await readUint(f.chain.publicClient, { contract: 'TributaryToken', address: token, functionName: 'nonces', args: [user] })).toBe(1n);
  });

  it('still deposits when someone spent the permit first (front-run)', async () => {
    const { token, vault } = f.deployment;
    const amount = 25n * ETHER;
    const deadline = (await now()) + 600n;
    const { v, r, s } = await signPermit(f.as(2), { token, spender: vault, amount, deadline });
    // A watcher copies the permit from the mempool and sends it first.
    await sendContractTx(f.as(3), { contract: 'TributaryToken', address: token, functionName: 'permit', args: [user, vault, amount, deadline, v, r, s] });
    await sendContractTx(f.as(2), { contract: 'DepositVault', address: vault, functionName: 'depositWithPermit', args: [amount, deadline, v, r, s] });
    expect(await tokenBalance(f.chain.publicClient, token, vault)).toBe(amount);
  });

  it('refuses an empty deposit, one beyond the allowance, and an expired permit', async () => {
    const { token, vault } = f.deployment;
    expect(await revertOf(deposit(f.as(2), vault, 0n))).toEqual({ errorName: 'ZeroAmount', args: [] });
    expect(await revertOf(deposit(f.as(2), vault, 1n))).toEqual({ errorName: 'ERC20InsufficientAllowance', args: [vault, 0n, 1n] });
    // The failed permit is ignored; with no allowance the transfer is what refuses.
    expect(await revertOf(depositWithPermit(f.as(2), { token, vault, amount: 5n, deadline: (await now()) - 1n }))).toEqual({ errorName: 'ERC20InsufficientAllowance', args: [vault, 0n, 5n] });
    expect(await tokenBalance(f.chain.publicClient, token, vault)).toBe(0n);
  });
});
