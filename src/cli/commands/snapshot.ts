// `tributary snapshot DATANET`: fix a new version of a datanet, the Merkle root over its
// accepted contributions at this log position (owner and curators only).
import type { Command } from 'commander';
import { CliContext, receiptJson, receiptLines } from '../context.ts';

export function registerSnapshot(program: Command): void {
  program
    .command('snapshot')
    .description('take a new version of a datanet: the Merkle root of its accepted contributions')
    .argument('<datanet>')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (datanet: string, opts: { receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const receipt = await ctx.submit({ type: 'Snapshot', datanet }, { receiptPath: opts.receipt });
      const r = receipt.result;
      ctx.out(receiptJson(receipt, opts.receipt), () => [
        `${datanet} version ${String(r.version)}: ${String(r.count)} accepted contributions`,
        `  root       ${String(r.root)}`,
        ...receiptLines(receipt, opts.receipt),
      ]);
    });
}
