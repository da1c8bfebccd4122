// `tributary epoch list|close` and `tributary payout EPOCH [ACCOUNT]`: the payout epochs
// with their roots, closing one by hand (dev mode), and an account's claimable amount
// with the Merkle proof that PayoutDistributor.claim takes.
import type { Command } from 'commander';
import { verifyPayoutProof } from '../../settlement/payoutFormat.ts';
import { parseCount } from '../args.ts';
import { CliContext, checkReceipt, receiptJson, receiptLines, saveReceipts } from '../context.ts';
import { CliError } from '../errors.ts';
import { time } from '../../format/text.ts';
import { formatTokens } from '../money.ts';

export function registerEpoch(program: Command): void {
  const epoch = program.command('epoch').description('payout epochs: list them, close one (dev mode)');

  epoch
    .command('list')
    .description('closed epochs with their payout roots, newest first')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client } = await ctx.connect();
      const epochs = await client.epochs();
      ctx.out({ epochs }, () =>
        epochs.length === 0
          ? 'no epoch closed yet: the node closes one every TRIBUTARY_EPOCH_SECONDS when anything was earned (dev: `tributary epoch close`)'
          : epochs.map((e) => `epoch ${e.epoch}  ${time(e.time)}  root ${e.root}  ${e.accounts} accounts  paid ${formatTokens(e.paid)} (cumulative ${formatTokens(e.cumulative)})`),
      );
    });

  epoch
    .command('close')
    .description('dev mode: close the next epoch now (pools split, earnings paid out, payout root fixed)')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (opts: { receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client, verifierKey } = await ctx.connect();
      const receipt = await client.closeEpoch();
      checkReceipt(receipt, verifierKey);
      if (opts.receipt !== undefined) saveReceipts(opts.receipt, receipt);
      const r = receipt.result;
      ctx.out(receiptJson(receipt, opts.receipt), () => [
        `closed epoch ${String(r.epoch)}: paid ${formatTokens(String(r.paid))} to the payout tree of ${String(r.accounts)} accounts`,
        `  root       ${String(r.root)}`,
        ...receiptLines(receipt, opts.receipt),
      ]);
    });

  program
    .command('payout')
    .description("an account's cumulative payout as of an epoch, with its Merkle proof (checked here against the epoch's root)")
    .argument('<epoch>', 'epoch number')
    .argument('[account]', 'address or keystore account name (default: your account)')
    .action(async (epochText: string, accountRef: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const n = parseCount(epochText);
      const address = ctx.address(accountRef);
      const { client } = await ctx.connect();
      const p = await client.payout(n, address);
      // Never hand out a proof that would fail on-chain.
      if (!verifyPayoutProof(p.root, p.account, BigInt(p.amount), p.proof)) throw new CliError(`the node's proof for ${address} does not verify against epoch ${n}'s root`);
      ctx.out(p, () => [
        `${p.account} as of epoch ${p.epoch}: ${formatTokens(p.amount)} cumulative (${p.amount} base units)`,
        `  root   ${p.root}`,
        `  proof  ${p.proof.length} hashes (verified here)`,
        ...p.proof.map((h) => `         ${h}`),
      ]);
    });
}
