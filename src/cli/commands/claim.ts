// `tributary claim`: collect what you earned from the chain. The node's latest epoch root
// holds your cumulative payout; the PayoutDistributor pays the difference from what you
// already claimed, to your address, from a transaction your keystore account signs (it
// needs a little ether for gas).
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { claimedAmount, claimPayout } from '../../chain/payouts.ts';
import { chainClients } from '../../chain/rpc.ts';
import { tokenBalance } from '../../chain/token.ts';
import { verifyPayoutProof } from '../../settlement/payoutFormat.ts';
import { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { formatTokens } from '../money.ts';

export function registerClaim(program: Command): void {
  program
    .command('claim')
    .description('claim your payout on chain: the latest epoch root pays the difference from what you already claimed')
    .option('--rpc <url>', "the chain RPC URL (default: the node's)")
    .action(async (opts: { rpc?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { account } = ctx.signer();
      const { client } = await ctx.connect();
      const status = await client.chainStatus();
      if (!status.configured || !status.contracts || !status.chainId || !status.rpcUrl) throw new CliError('this node settles on no chain: there is nothing to claim on chain', 1, 'ask its operator to run tributary chain deploy');
      const epochs = await client.epochs();
      if (epochs.length === 0) throw new CliError('no epoch is closed yet: nothing is claimable');
      const onChain = status.lastRoot?.epoch ?? 0;
      if (onChain === 0) throw new CliError(`epoch ${epochs[0].epoch} is closed but its root is not on chain yet`, 1, 'try again shortly (tributary chain status shows the worker)');
      const p = await client.payout(onChain, account.address).catch(() => {
        throw new CliError(`${account.address} has no payout as of epoch ${onChain}`);
      });
      if (!verifyPayoutProof(p.root, p.account, BigInt(p.amount), p.proof)) throw new CliError(`the node's proof for ${account.address} does not verify against epoch ${onChain}'s root`);
      const clients = chainClients(opts.rpc ?? status.rpcUrl, account.privateKey as Hex, status.chainId);
      const distributor = status.contracts.distributor as Address;
      const already = await claimedAmount(clients.publicClient, distributor, account.address as Address);
      const due = BigInt(p.amount) - already;
      if (due <= 0n) {
        ctx.out({ account: account.address, epoch: onChain, cumulative: p.amount, claimed: already.toString(), paid: '0' }, () => `nothing new to claim: ${formatTokens(already)} already claimed as of epoch ${onChain}`);
        return;
      }
      const before = await tokenBalance(clients.publicClient, status.contracts.token as Address, account.address as Address);
      const receipt = await claimPayout(clients, distributor, { account: account.address as Address, cumulativeAmount: BigInt(p.amount), proof: p.proof as Hex[] });
      const after = await tokenBalance(clients.publicClient, status.contracts.token as Address, account.address as Address);
      ctx.out({ account: account.address, epoch: onChain, cumulative: p.amount, paid: (after - before).toString(), tx: receipt.transactionHash, balance: after.toString() }, () => [
        `claimed ${formatTokens(after - before)} for ${account.address} (epoch ${onChain}, ${formatTokens(p.amount)} cumulative)`,
        `  tx       ${receipt.transactionHash} in block ${receipt.blockNumber}`,
        `  balance  ${formatTokens(after)}`,
      ]);
    });
}
