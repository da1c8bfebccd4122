import { parseEventLogs, type Address, type Hex } from 'viem';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PayoutTree, type PayoutLeaf } from '../settlement/payoutTree.ts';
import { prng } from '../random/prng.ts';
import { deployContract, sendContractTx } from './clients.ts';
import { artifact } from './compile.ts';
import { claimedAmount, claimPayout, latestPayoutRoot, payoutClaim, postPayoutRoot } from './payouts.ts';
import { freshAddresses, revertOf, settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';
import { tokenBalance, transferTokens } from './token.ts';

const ETHER = 10n ** 18n;
let f: SettlementFixture;
let snapshot: Hex;

beforeAll(async () => {
  f = await settlementFixture();
});
beforeEach(async () => {
  snapshot = await f.chain.snapshot();
});
afterEach(async () => {
  await f.chain.revert(snapshot);
});

function leavesFor(accounts: Address[], seed: number): PayoutLeaf[] {
  const r = prng(seed);
  // Up to ~1,000 tokens with a sub-token remainder, so amounts use many bytes.
  return accounts.map((account) => ({ account, amount: BigInt(Math.floor(r() * 1000) + 1) * ETHER + BigInt(Math.floor(r() * 1e9)) }));
}

describe('PayoutDistributor', () => {
  it('posts roots with strictly increasing epochs, gaps allowed, and records each in an event', async () => {
    const { distributor } = f.deployment;
    expect(await latestPayoutRoot(f.chain.publicClient, distributor)).toEqual({ epoch: 0n, root: `0x${'00'.repeat(32)}` });
    const rootA = `0x${'aa'.repeat(32)}` as Hex;
    const rootB = `0x${'bb'.repeat(32)}` as Hex;
    const receipt = await postPayoutRoot(f.settler, distributor, 1n, rootA);
    const [posted] = parseEventLogs({ abi: artifact('PayoutDistributor').abi, logs: receipt.logs, eventName: 'RootPosted' });
    expect(posted.args).toEqual({ epoch: 1n, root: rootA });
    await postPayoutRoot(f.settler, distributor, 5n, rootB);
    expect(await latestPayoutRoot(f.chain.publicClient, distributor)).toEqual({ epoch: 5n, root: rootB });
    expect(await revertOf(postPayoutRoot(f.settler, distributor, 5n, rootA))).toEqual({ errorName: 'EpochNotIncreasing', args: [5n, 5n] });
    expect(await revertOf(postPayoutRoot(f.settler, distributor, 2n, rootA))).toEqual({ errorName: 'EpochNotIncreasing', args: [2n, 5n] });
    expect(await latestPayoutRoot(f.chain.publicClient, distributor)).toEqual({ epoch: 5n, root: rootB });
  });

  it('lets only the settler post, and only the owner change the settler', async () => {
    const { distributor } = f.deployment;
    const root = `0x${'cc'.repeat(32)}` as Hex;
    const [owner, settler, user] = f.chain.accounts;
    expect(await revertOf(postPayoutRoot(f.as(2), distributor, 1n, root))).toEqual({ errorName: 'NotSettler', args: [user, settler] });
    // The owner administers but does not post.
    expect(await revertOf(postPayoutRoot(f.admin, distributor, 1n, root))).toEqual({ errorName: 'NotSettler', args: [owner, settler] });
    const setSettler = (by: number, to: Address) => sendContractTx(f.as(by), { contract: 'PayoutDistributor', address: distributor, functionName: 'setSettler', args: [to] });
    expect(await revertOf(setSettler(2, user))).toEqual({ errorName: 'OwnableUnauthorizedAccount', args: [user] });
    await setSettler(0, user);
    await postPayoutRoot(f.as(2), distributor, 1n, root);
    expect(await revertOf(postPayoutRoot(f.settler, distributor, 2n, root))).toEqual({ errorName: 'NotSettler', args: [settler, user] });
  });

  it('pays 50 accounts exactly their amounts, whoever sends the claims', async () => {
    const { distributor, token } = f.deployment;
    const accounts = freshAddresses(50, 1);
    const leaves = leavesFor(accounts, 1);
    const tree = PayoutTree.build(leaves);
    await postPayoutRoot(f.settler, distributor, 1n, tree.root as Hex);
    const relayer = f.as(3);
    const relayerBalance = await tokenBalance(f.chain.publicClient, token, f.chain.accounts[3]);
    for (const leaf of leaves) await claimPayout(relayer, distributor, payoutClaim(tree, leaf.account as Address));
    const total = leaves.reduce((s, l) => s + l.amount, 0n);
    for (const leaf of leaves) {
      expect(await tokenBalance(f.chain.publicClient, token, leaf.account as Address)).toBe(leaf.amount);
      expect(await claimedAmount(f.chain.publicClient, distributor, leaf.account as Address)).toBe(leaf.amount);
    }
    expect(await tokenBalance(f.chain.publicClient, token, distributor)).toBe(f.distributorFunding - total);
    // The sender gets nothing.
    expect(await tokenBalance(f.chain.publicClient, token, f.chain.accounts[3])).toBe(relayerBalance);
  });

  it('pays the difference on a later epoch, and refuses a claim with nothing new (NothingToClaim)', async () => {
    const { distributor, token } = f.deployment;
    const accounts = freshAddresses(20, 2);
    const epoch1 = leavesFor(accounts, 2);
    const tree1 = PayoutTree.build(epoch1);
    await postPayoutRoot(f.settler, distributor, 1n, tree1.root as Hex);
    // The first half claims in epoch 1.
    for (const leaf of epoch1.slice(0, 10)) await claimPayout(f.as(2), distributor, payoutClaim(tree1, leaf.account as Address));
    const first = epoch1[0];
    expect(await revertOf(claimPayout(f.as(2), distributor, payoutClaim(tree1, first.account as Address)))).toEqual({
      errorName: 'NothingToClaim',
      args: [first.account, first.amount, first.amount],
    });

    // Epoch 2: even accounts earned more, odd ones nothing new; one newcomer.
    const [newcomer] = freshAddresses(1, 3);
    const epoch2 = [...epoch1.map((l, i) => ({ account: l.account, amount: i % 2 === 0 ? l.amount + BigInt(i + 1) * ETHER + 7n : l.amount })), { account: newcomer, amount: 3n * ETHER }];
    const tree2 = PayoutTree.build(epoch2);
    await postPayoutRoot(f.settler, distributor, 2n, tree2.root as Hex);
    // An epoch-1 proof no longer verifies against the latest root.
    const stale = payoutClaim(tree1, epoch1[12].account as Address);
    expect(await revertOf(claimPayout(f.as(2), distributor, stale))).toEqual({ errorName: 'InvalidProof', args: [stale.account, stale.cumulativeAmount] });

    for (const [i, leaf] of epoch2.entries()) {
      const account = leaf.account as Address;
      const claim = payoutClaim(tree2, account);
      const before = await tokenBalance(f.chain.publicClient, token, account);
      if (i < 10 && i % 2 === 1) {
        expect((await revertOf(claimPayout(f.as(2), distributor, claim))).errorName).toBe('NothingToClaim');
        continue;
      }
      await claimPayout(f.as(2), distributor, claim);
      // Claimed in epoch 1: the difference; not claimed yet: the whole cumulative amount.
      const paid = i < 10 ? leaf.amount - epoch1[i].amount : leaf.amount;
      expect(await tokenBalance(f.chain.publicClient, token, account)).toBe(before + paid);
      expect(await tokenBalance(f.chain.publicClient, token, account)).toBe(leaf.amount);
    }
    const total = epoch2.reduce((s, l) => s + l.amount, 0n);
    expect(await tokenBalance(f.chain.publicClient, token, distributor)).toBe(f.distributorFunding - total);
  });

  it('rejects a wrong proof, a wrong amount and a wrong account (InvalidProof)', async () => {
    const { distributor } = f.deployment;
    const leaves = leavesFor(freshAddresses(9, 4), 4);
    const tree = PayoutTree.build(leaves);
    await postPayoutRoot(f.settler, distributor, 1n, tree.root as Hex);
    const good = payoutClaim(tree, leaves[3].account as Address);
    const bad = [
      { ...good, cumulativeAmount: good.cumulativeAmount + 1n },
      { ...good, account: leaves[4].account as Address },
      { ...good, proof: good.proof.slice(0, -1) },
      { ...good, proof: [...good.proof, good.proof[0]] },
      { ...good, proof: [...good.proof.slice(1), good.proof[0]] },
      { ...good, proof: good.proof.map((h, i) => (i === 1 ? (`0x${(BigInt(h) ^ 1n).toString(16).padStart(64, '0')}` as Hex) : h)) },
    ];
    for (const claim of bad) expect(await revertOf(claimPayout(f.as(2), distributor, claim))).toEqual({ errorName: 'InvalidProof', args: [claim.account, claim.cumulativeAmount] });
    await claimPayout(f.as(2), distributor, good);
  });

  it('verifies proofs of every length from 0 to 11 (trees of 1 to 2,051 leaves)', async () => {
    const { distributor, token } = f.deployment;
    let epoch = 0n;
    for (const size of [1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 33, 65, 129, 257, 513, 1025, 2051]) {
      const leaves = leavesFor(freshAddresses(size, 100 + size), size);
      const tree = PayoutTree.build(leaves);
      await postPayoutRoot(f.settler, distributor, ++epoch, tree.root as Hex);
      // One leaf of each proof length the tree has.
      const byLength = new Map<number, PayoutLeaf>();
      for (const l of leaves) if (!byLength.has(tree.proof(l.account).length)) byLength.set(tree.proof(l.account).length, l);
      for (const [length, leaf] of byLength) {
        const claim = payoutClaim(tree, leaf.account as Address);
        expect(claim.proof).toHaveLength(length);
        await claimPayout(f.as(2), distributor, claim);
        expect(await tokenBalance(f.chain.publicClient, token, claim.account)).toBe(leaf.amount);
      }
    }
  });

  it("rejects a proof from another distributor's tree", async () => {
    const { distributor, token } = f.deployment;
    const other = (await deployContract(f.admin, 'PayoutDistributor', [token, f.chain.accounts[0], f.chain.accounts[1]])).address;
    await transferTokens(f.admin, token, other, 1_000_000n * ETHER);
    const treeA = PayoutTree.build(leavesFor(freshAddresses(8, 5), 5));
    const treeB = PayoutTree.build(leavesFor(freshAddresses(8, 6), 6));
    await postPayoutRoot(f.settler, distributor, 1n, treeA.root as Hex);
    await postPayoutRoot(f.settler, other, 1n, treeB.root as Hex);
    const fromA = payoutClaim(treeA, [...treeA.entries()][2].account as Address);
    expect((await revertOf(claimPayout(f.as(2), other, fromA))).errorName).toBe('InvalidProof');
    await claimPayout(f.as(2), distributor, fromA);
  });

  it("names the token's error when the distributor runs out of funds", async () => {
    const { distributor, token } = f.deployment;
    const [account] = freshAddresses(1, 7);
    const tree = PayoutTree.build([{ account, amount: f.distributorFunding + 1n }]);
    await postPayoutRoot(f.settler, distributor, 1n, tree.root as Hex);
    expect(await revertOf(claimPayout(f.as(2), distributor, payoutClaim(tree, account)))).toEqual({
      errorName: 'ERC20InsufficientBalance',
      args: [distributor, f.distributorFunding, f.distributorFunding + 1n],
    });
    expect(await tokenBalance(f.chain.publicClient, token, account)).toBe(0n);
  });
});
