// `tributary curate ID accept|reject`: a curator's decision on a contribution, signed.
// Only the datanet's owner and listed curators may; the node says so (field "signer").
import { Argument, type Command } from 'commander';
import { parseCount } from '../args.ts';
import { CliContext, receiptJson, receiptLines } from '../context.ts';

export function registerCurate(program: Command): void {
  program
    .command('curate')
    .description('accept or reject a contribution (owner and curators only)')
    .argument('<id>', 'contribution id', parseCount)
    .addArgument(new Argument('<decision>', 'accept or reject').choices(['accept', 'reject']))
    .option('--reason <text>', 'why (required to reject)', '')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (id: number, decision: string, opts: { reason: string; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const receipt = await ctx.submit({ type: 'Curate', contribution: id, decision, reason: opts.reason }, { receiptPath: opts.receipt });
      ctx.out(receiptJson(receipt, opts.receipt), () => [`contribution ${id} is now ${String(receipt.result.status)}`, ...receiptLines(receipt, opts.receipt)]);
    });
}
