import { getAddress, type Address } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { readContractValue, readUint, sendContractTx } from './clients.ts';
import { deployTributary, deployVestingWallet } from './deploy.ts';
import { settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';
import { tokenBalance, transferTokens } from './token.ts';

const ETHER = 10n ** 18n;
let f: SettlementFixture;
beforeAll(async () => {
  f = await settlementFixture();
});

describe('deployTributary', () => {
  it('deploys the four contracts wired to each other, and funds the distributor', async () => {
    const { token, vault, distributor, anchor, gasUsed } = f.deployment;
    const [owner, settler] = f.chain.accounts;
    expect(new Set([token, vault, distributor, anchor]).size).toBe(4);
    for (const a of [token, vault, distributor, anchor]) expect(a).toBe(getAddress(a));
    for (const g of Object.values(gasUsed)) expect(g).toBeGreaterThan(100_000n);
    const read = (contract: 'TributaryToken' | 'DepositVault' | 'PayoutDistributor' | 'LogAnchor', address: Address, functionName: string) =>
      readContractValue(f.chain.publicClient, { contract, address, functionName, args: [] });
    expect(await read('TributaryToken', token, 'name')).toBe('Test Settlement Token');
    expect(await read('TributaryToken', token, 'symbol')).toBe('TST');
    expect(await read('TributaryToken', token, 'decimals')).toBe(18);
    expect(await read('TributaryToken', token, 'totalSupply')).toBe(f.supply);
    expect(await tokenBalance(f.chain.publicClient, token, owner)).toBe(f.supply - f.distributorFunding);
    expect(await tokenBalance(f.chain.publicClient, token, distributor)).toBe(f.distributorFunding);
    expect(await read('DepositVault', vault, 'token')).toBe(token);
    expect(await read('DepositVault', vault, 'voucherSigner')).toBe(f.voucherSigner.address);
    expect(await read('DepositVault', vault, 'payoutDistributor')).toBe(distributor);
    expect(await read('DepositVault', vault, 'payoutsFunded')).toBe(0n);
    expect(await read('PayoutDistributor', distributor, 'token')).toBe(token);
    for (const [contract, address] of [['DepositVault', vault], ['PayoutDistributor', distributor], ['LogAnchor', anchor]] as const) {
      expect(await read(contract, address, 'owner')).toBe(owner);
    }
    expect(await read('PayoutDistributor', distributor, 'settler')).toBe(settler);
    expect(await read('LogAnchor', anchor, 'settler')).toBe(settler);
  });

  it('hands ownership to another account when asked', async () => {
    const other = f.chain.accounts[5];
    const d = await deployTributary(f.admin, { tokenName: 'Other', tokenSymbol: 'OTH', initialSupply: 5n, owner: other, settler: other, voucherSigner: other });
    expect(await readContractValue(f.chain.publicClient, { contract: 'PayoutDistributor', address: d.distributor, functionName: 'owner', args: [] })).toBe(other);
    expect(await tokenBalance(f.chain.publicClient, d.token, d.distributor)).toBe(0n);
    // The supply still goes to the deployer, who sent the transactions.
    expect(await tokenBalance(f.chain.publicClient, d.token, f.chain.accounts[0])).toBe(5n);
  });
});

describe('deployVestingWallet', () => {
  it("deploys OpenZeppelin's VestingWallet, which releases linearly to its beneficiary", async () => {
    const { token } = f.deployment;
    const beneficiary = f.chain.accounts[6];
    const start = (await f.chain.publicClient.getBlock()).timestamp + 100n;
    const duration = 1_000n;
    const { address: wallet, gasUsed } = await deployVestingWallet(f.admin, { beneficiary, start, duration });
    expect(gasUsed).toBeGreaterThan(100_000n);
    const total = 1_000n * ETHER;
    await transferTokens(f.admin, token, wallet, total);
    expect(await readContractValue(f.chain.publicClient, { contract: 'VestingWallet', address: wallet, functionName: 'owner', args: [] })).toBe(beneficiary);

    await f.chain.increaseTime(600);
    const receipt = await sendContractTx(f.as(2), { contract: 'VestingWallet', address: wallet, functionName: 'release', args: [token] });
    const at = (await f.chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
    const vested = (total * (at - start)) / duration;
    expect(vested).toBeGreaterThan(0n);
    expect(vested).toBeLessThan(total);
    expect(await tokenBalance(f.chain.publicClient, token, beneficiary)).toBe(vested);
    expect(await readUint(f.chain.publicClient, { contract: 'VestingWallet', address: wallet, functionName: 'released', args: [token] })).toBe(vested);

    await f.chain.increaseTime(2_000);
    await sendContractTx(f.as(2), { contract: 'VestingWallet', address: wallet, functionName: 'release', args: [token] });
    expect(await tokenBalance(f.chain.publicClient, token, beneficiary)).toBe(total);
  });
});
