// `tributary deposit AMOUNT`: put tokens in the node's DepositVault from your keystore
// account (one transaction, with an ERC-2612 permit instead of a separate approval). The
// node credits your prepaid balance once the deposit has its confirmations.
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { depositWithPermit } from '../../chain/deposits.ts';
import { chainClients } from '../../chain/rpc.ts';
import { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { formatTokens, parseTokens } from '../money.ts';

export function registerDeposit(program: Command): void {
  program
    .command('deposit')
    .description("deposit tokens into the node's vault from your account on chain; the node credits your prepaid balance after its confirmations")
    .argument('<amount>', 'tokens, e.g. 25')
    .option('--rpc <url>', "the chain RPC URL (default: the node's)")
    .action(async (amountText: string, opts: { rpc?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const amount = parseTokens(amountText);
      const { account } = ctx.signer();
      const { client } = await ctx.connect();
      const status = await client.chainStatus();
      if (!status.configured || !status.contracts || !status.chainId || !status.rpcUrl) throw new CliError('this node settles on no chain: deposits need one (dev mode: tributary dev faucet)');
      const clients = chainClients(opts.rpc ?? status.rpcUrl, account.privateKey as Hex, status.chainId);
      const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
      const receipt = await depositWithPermit(clients, { token: status.contracts.token as Address, vault: status.contracts.vault as Address, amount, deadline }).catch((e: unknown) => {
        throw new CliError(`the deposit failed: ${(e as Error).message.split('\n')[0]}`);
      });
      ctx.out({ account: account.address, amount: amount.toString(), tx: receipt.transactionHash, block: receipt.blockNumber.toString(), confirmations: status.confirmations }, () => [
        `deposited ${formatTokens(amount)} from ${account.address} (tx ${receipt.transactionHash}, block ${receipt.blockNumber})`,
        `the node credits it after ${status.confirmations} confirmations: tributary earnings shows your prepaid balance`,
      ]);
    });
}
