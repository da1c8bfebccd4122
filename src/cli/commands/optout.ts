// `tributary optout ID`: the author withdraws a contribution. The node deletes the bytes
// and leaves it out of later snapshots; the log entry that it was given stays.
import type { Command } from 'commander';
import { parseCount } from '../args.ts';
import { CliContext, receiptJson, receiptLines } from '../context.ts';

export function registerOptOut(program: Command): void {
  program
    .command('optout')
    .description('withdraw your own contribution: its content is deleted, its log entry stays')
    .argument('<id>', 'contribution id', parseCount)
    .option('--reason <text>', 'why', '')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (id: number, opts: { reason: string; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const receipt = await ctx.submit({ type: 'OptOut', contribution: id, reason: opts.reason }, { receiptPath: opts.receipt });
      ctx.out(receiptJson(receipt, opts.receipt), () => [
        `contribution ${id} withdrawn: its content is deleted and later snapshots leave it out`,
        ...receiptLines(receipt, opts.receipt),
      ]);
    });
}
