// Gas of the settlement contracts on the in-process EVM (hardhat@2's EDR, cancun rules),
// as the node and its users pay it: a payout claim at 1k, 100k and 1M leaves (target
// <= 90,000 gas at 100k; anchor: Uniswap's MerkleDistributor ~95,000), posting a payout
// root (target <= 35,000), anchoring a log checkpoint, a deposit, a withdrawal, moving
// deposits to the distributor (fundPayouts), and each deployment. Gas is deterministic (but for a few units where a signature's bytes
// enter the calldata), so one transaction per figure is enough. A claim is measured in
// its costliest fair case: the account's first claim (its `claimed` slot is empty), it
// holds no tokens yet (its balance slot is empty too), and its leaf is at the tree's
// greatest depth (the longest proof). It must never report a claim that did not pay:
// each one is checked against the account's balance, or the bench fails.
// Run alone: node bin/run-ts.js bench/gas.bench.ts [leaves,...]
import type { Address, Hex } from 'viem';
import { anchorCheckpoint } from '../src/chain/anchors.ts';
import { deployVestingWallet } from '../src/chain/deploy.ts';
import { deposit, depositWithPermit } from '../src/chain/deposits.ts';
import { fundPayouts, payoutsFunded } from '../src/chain/funding.ts';
import { claimedAmount, claimPayout, payoutClaim, postPayoutRoot } from '../src/chain/payouts.ts';
import { settlementFixture } from '../test/fixtures/testFixture.ts';
import { approveTokens, tokenBalance, transferTokens } from '../src/chain/token.ts';
import { signWithdrawalVoucher, withdrawalVoucherDomain, withdrawWithVoucher } from '../src/chain/vouchers.ts';
import { randomPayoutLeaves } from '../src/settlement/payoutTree.bench.ts';
import { PayoutTree, type PayoutLeaf } from '../src/settlement/payoutTree.ts';

export interface ClaimGas {
  leaves: number;
  /** Hashes in the measured proof: the tree's greatest depth. */
  proofLength: number;
  /** First claim of an account holding no tokens, sent by another account. */
  gas: bigint;
  treeBuildSeconds: number;
}

export interface GasFigures {
  claims: ClaimGas[];
  /** The same account's next claim, after a later epoch raised its amount (both of its slots already set). */
  laterClaim: { leaves: number; proofLength: number; gas: bigint };
  /** The distributor's first root ever (fills the epoch and root slots) and a later one. */
  postRootFirst: bigint;
  postRoot: bigint;
  anchorFirst: bigint;
  anchor: bigint;
  /** A deposit after an approval, into a vault that already holds deposits. */
  deposit: bigint;
  depositWithPermit: bigint;
  /** A withdrawal voucher paid to an account holding no tokens. */
  withdraw: bigint;
  /** The vault's first fundPayouts (fills its `payoutsFunded` slot) and a later one, to a distributor already holding tokens. */
  fundPayoutsFirst: bigint;
  fundPayouts: bigint;
  deploy: { token: bigint; vault: bigint; distributor: bigint; anchor: bigint; vestingWallet: bigint };
}

const ETHER = 10n ** 18n;
const hash = (byte: string) => `0x${byte.repeat(32)}` as Hex;

/** A leaf whose proof is the tree's longest (most leaves are that deep unless n is a power of two). */
function deepestLeaf(tree: PayoutTree, leaves: readonly PayoutLeaf[]): PayoutLeaf {
  const depth = Math.ceil(Math.log2(leaves.length));
  const leaf = leaves.find((l) => tree.proof(l.account).length === depth);
  if (!leaf) throw new Error(`no leaf at depth ${depth} in a tree of ${leaves.length}`);
  return leaf;
}

export async function runGasBench(leafCounts: readonly number[] = [1_000, 100_000, 1_000_000]): Promise<GasFigures> {
  // randomPayoutLeaves gives amounts up to ~4.3 billion tokens: fund for a few of them.
  const f = await settlementFixture({ accounts: 6, supply: 10n ** 12n * ETHER, distributorFunding: 10n ** 11n * ETHER });
  const { distributor, token, vault } = f.deployment;
  const relayer = f.as(2);
  const pub = f.chain.publicClient;

  // Roots and checkpoints: the first of each fills empty slots; later ones overwrite.
  const postRootFirst = (await postPayoutRoot(f.settler, distributor, 1n, hash('01'))).gasUsed;
  const postRoot = (await postPayoutRoot(f.settler, distributor, 2n, hash('02'))).gasUsed;
  const anchorFirst = (await anchorCheckpoint(f.settler, f.deployment.anchor, { treeSize: 1_000n, logRoot: hash('11'), stateRoot: hash('12') })).gasUsed;
  const anchor = (await anchorCheckpoint(f.settler, f.deployment.anchor, { treeSize: 2_000n, logRoot: hash('21'), stateRoot: hash('22') })).gasUsed;

  let epoch = 2n;
  const claims: ClaimGas[] = [];
  let later: GasFigures['laterClaim'] | undefined;
  // The later claim is measured on the 100k tree, where the target is, when there is one.
  const laterAt = leafCounts.includes(100_000) ? 100_000 : leafCounts[leafCounts.length - 1];
  for (const n of leafCounts) {
    const leaves = randomPayoutLeaves(n, n);
    const t0 = performance.now();
    const tree = PayoutTree.build(leaves);
    const treeBuildSeconds = (performance.now() - t0) / 1000;
    await postPayoutRoot(f.settler, distributor, ++epoch, tree.root as Hex);
    const leaf = deepestLeaf(tree, leaves);
    const account = leaf.account as Address;
    if ((await tokenBalance(pub, token, account)) !== 0n || (await claimedAmount(pub, distributor, account)) !== 0n) throw new Error(`${account} is not a fresh account`);
    const claim = payoutClaim(tree, account);
    const gas = (await claimPayout(relayer, distributor, claim)).gasUsed;
    if ((await tokenBalance(pub, token, account)) !== leaf.amount) throw new Error(`the claim at ${n} leaves paid the wrong amount`);
    claims.push({ leaves: n, proofLength: claim.proof.length, gas, treeBuildSeconds });

    if (n === laterAt) {
      // The next epoch raises this account's cumulative amount; everything else stays.
      const next = leaves.map((l) => (l === leaf ? { account: l.account, amount: l.amount + 5n * ETHER } : l));
      const nextTree = PayoutTree.build(next);
      await postPayoutRoot(f.settler, distributor, ++epoch, nextTree.root as Hex);
      const nextClaim = payoutClaim(nextTree, account);
      later = { leaves: n, proofLength: nextClaim.proof.length, gas: (await claimPayout(relayer, distributor, nextClaim)).gasUsed };
    }
  }

  // Deposits: the user holds tokens and has approved; one deposit first so the vault's
  // counter and balance are not empty (the steady case).
  const user = f.as(3);
  await transferTokens(f.admin, token, f.chain.accounts[3], 1_000n * ETHER);
  await approveTokens(user, token, vault, 200n * ETHER);
  await deposit(user, vault, 100n * ETHER);
  const depositGas = (await deposit(user, vault, 100n * ETHER)).gasUsed;
  const deadline = (await pub.getBlock()).timestamp + 3_600n;
  const permitGas = (await depositWithPermit(user, { token, vault, amount: 100n * ETHER, deadline })).gasUsed;
  const domain = await withdrawalVoucherDomain(pub, vault);
  const voucher = { account: f.chain.accounts[4], amount: 50n * ETHER, nonce: 1n, deadline };
  const withdrawGas = (await withdrawWithVoucher(relayer, vault, voucher, await signWithdrawalVoucher(f.voucherSigner, domain, voucher))).gasUsed;
  const distributorBefore = await tokenBalance(pub, token, distributor);
  const fundFirstGas = (await fundPayouts(f.voucherSignerClients, vault, 10n * ETHER)).gasUsed;
  const fundGas = (await fundPayouts(f.voucherSignerClients, vault, 20n * ETHER)).gasUsed;
  if ((await tokenBalance(pub, token, distributor)) !== distributorBefore + 30n * ETHER || (await payoutsFunded(pub, vault)) !== 30n * ETHER) throw new Error('fundPayouts moved the wrong amount');

  const vesting = await deployVestingWallet(f.admin, { beneficiary: f.chain.accounts[5], start: deadline, duration: 365n * 86_400n });
  return {
    claims,
    laterClaim: later!,
    postRootFirst,
    postRoot,
    anchorFirst,
    anchor,
    deposit: depositGas,
    depositWithPermit: permitGas,
    withdraw: withdrawGas,
    fundPayoutsFirst: fundFirstGas,
    fundPayouts: fundGas,
    deploy: { ...f.deployment.gasUsed, vestingWallet: vesting.gasUsed },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv[2]?.split(',').map(Number);
  console.log(await runGasBench(sizes));
}
