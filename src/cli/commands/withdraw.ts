// `tributary withdraw AMOUNT`: take unspent prepaid balance back to the chain. A signed
// Withdraw takes it off the node's books; the node then signs an EIP-712 voucher that the
// DepositVault pays once, sent here from your keystore account (it needs ether for gas).
// `--redeem INDEX` fetches a fresh voucher for an earlier withdrawal and sends it.
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { chainClients } from '../../chain/rpc.ts';
import { withdrawWithVoucher } from '../../chain/vouchers.ts';
import { parseCount } from '../args.ts';
import { CliContext, receiptLines } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { formatTokens, parseTokens } from '../money.ts';

export function registerWithdraw(program: Command): void {
  program
    .command('withdraw')
    .description('take unspent prepaid balance back to your address on chain (a voucher the deposit vault pays once)')
    .argument('[amount]', 'tokens, e.g. 2.5')
    .option('--redeem <index>', 'send the voucher of an earlier withdrawal (its log index) instead')
    .option('--rpc <url>', "the chain RPC URL (default: the node's)")
    .action(async (amountText: string | undefined, opts: { redeem?: string; rpc?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if ((amountText === undefined) === (opts.redeem === undefined)) throw new UsageError('give an amount, or --redeem INDEX');
      const { account } = ctx.signer();
      const { client } = await ctx.connect();
      const status = await client.chainStatus();
      if (!status.configured || !status.contracts || !status.chainId || !status.rpcUrl) throw new CliError('this node settles on no chain: withdrawals need one');
      let index: number;
      const lines: string[] = [];
      if (opts.redeem !== undefined) index = parseCount(opts.redeem);
      else {
        const receipt = await ctx.submit({ type: 'Withdraw', amount: parseTokens(amountText!).toString() });
        index = receipt.index;
        lines.push(`took ${formatTokens(String(receipt.result.amount))} off your prepaid balance (${formatTokens(String(receipt.result.balance))} left)`, ...receiptLines(receipt));
      }
      const v = await client.withdrawalVoucher(index);
      if (v.voucher.account !== account.address) throw new CliError(`withdrawal ${index} pays ${v.voucher.account}, not ${account.address}`);
      const clients = chainClients(opts.rpc ?? status.rpcUrl, account.privateKey as Hex, status.chainId);
      const voucher = { account: v.voucher.account as Address, amount: BigInt(v.voucher.amount), nonce: BigInt(v.voucher.nonce), deadline: BigInt(v.voucher.deadline) };
      const tx = await withdrawWithVoucher(clients, v.vault as Address, voucher, v.signature as Hex).catch((e: unknown) => {
        throw new CliError(`the vault refused voucher ${index}: ${(e as Error).message.split('\n')[0]}`, 1, `the money is off your balance; send the voucher again with: tributary withdraw --redeem ${index}`);
      });
      ctx.out({ withdrawal: index, amount: v.voucher.amount, tx: tx.transactionHash }, () => [...lines, `the vault paid ${formatTokens(v.voucher.amount)} to ${account.address} (voucher ${index}, tx ${tx.transactionHash})`]);
    });
}
