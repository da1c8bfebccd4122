// `tributary dev faucet|infer`: dev-mode stand-ins: credit a prepaid balance (until
// deposits come from a chain), and record an inference from a given output text without
// running the model (the node attributes and settles it exactly as serving does).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCount } from '../args.ts';
import { CliContext, checkReceipt, receiptJson, receiptLines } from '../context.ts';
import { CliError } from '../errors.ts';
import { formatTokens, parseTokens } from '../money.ts';

export function registerDev(program: Command): void {
  const dev = program.command('dev').description('dev-mode stand-ins: a faucet, and recording an inference by hand');

  dev
    .command('faucet')
    .description('credit a prepaid balance (dev mode only; at most 1,000 tokens a call)')
    .argument('[account]', 'address or keystore account name (default: your account)')
    .option('--amount <tokens>', 'how much', '100')
    .action(async (accountRef: string | undefined, opts: { amount: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const address = ctx.address(accountRef);
      const { client, verifierKey } = await ctx.connect();
      const receipt = await client.faucet(address, parseTokens(opts.amount, '--amount').toString());
      checkReceipt(receipt, verifierKey);
      ctx.out(receiptJson(receipt), () => [`${address} now holds ${formatTokens(String(receipt.result.balance))} prepaid`, ...receiptLines(receipt)]);
    });

  dev
    .command('infer')
    .description('record an inference of MODEL that produced the given output, paid by --requester (dev mode only)')
    .argument('<model>', 'name@version')
    .argument('[output]', 'the output text; or use --file')
    .option('--file <path>', 'read the output text from a file')
    .option('--input-tokens <n>', 'prompt tokens to charge for', '100')
    .option('--requester <account>', 'who pays (default: your account)')
    .option('--provider <account>', 'the compute provider paid its share (default: your account)')
    .action(async (model: string, output: string | undefined, opts: { file?: string; inputTokens: string; requester?: string; provider?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if ((output === undefined) === (opts.file === undefined)) throw new CliError('give the output text as an argument or with --file, not both');
      const text = output ?? readFileSync(opts.file!, 'utf8');
      const requester = ctx.address(opts.requester, '--requester');
      const provider = ctx.address(opts.provider, '--provider');
      const { client, verifierKey } = await ctx.connect();
      const r = await client.recordInference({ model, requester, provider, inputTokens: parseCount(opts.inputTokens), output: text });
      checkReceipt(r.receipt, verifierKey);
      const split = r.receipt.result.split as Array<{ account: string; role: string; amount: string; contribution?: number }>;
      ctx.out({ ...receiptJson(r.receipt), attribution: r.attribution }, () => [
        `${model} charged ${requester} ${formatTokens(String(r.receipt.result.fee))}`,
        ...split.map((c) => `  ${c.role.padEnd(9)} ${formatTokens(c.amount).padEnd(24)} ${c.account}${c.contribution === undefined ? '' : ` (contribution ${c.contribution})`}`),
        r.attribution.contributions.length === 0
          ? '  attribution found nothing: the usage part went to the baseline'
          : `  attributed to ${r.attribution.contributions.map((c) => `${c.contribution} (${(c.ppm / 10_000).toFixed(1)}%)`).join(', ')}`,
        ...receiptLines(r.receipt),
      ]);
    });
}
