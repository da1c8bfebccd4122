// `tributary dev faucet|infer`: dev-mode stand-ins: credit a prepaid balance (on a
// play-money ledger), and record an inference from a given output text without running
// the model (the node attributes and settles it exactly as serving does, paid with an API
// key of the paying account, as serving is).
import { createHash, randomBytes } from 'node:crypto';
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
    .description('record an inference of MODEL that produced the given output, paid by your account (--from) or by --api-key\'s (dev mode only)')
    .argument('<model>', 'name@version')
    .argument('[output]', 'the output text; or use --file')
    .option('--file <path>', 'read the output text from a file')
    .option('--input-tokens <n>', 'prompt tokens to charge for', '100')
    .option('--api-key <key>', 'an API key of the account that pays (env TRIBUTARY_API_KEY); default: a new key for your account, made and logged first')
    .option('--provider <account>', 'the compute provider paid its share (default, as serving: the node\'s compute account, else the model owner)')
    .action(async (model: string, output: string | undefined, opts: { file?: string; inputTokens: string; apiKey?: string; provider?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if ((output === undefined) === (opts.file === undefined)) throw new CliError('give the output text as an argument or with --file, not both');
      const text = output ?? readFileSync(opts.file!, 'utf8');
      const provider = opts.provider === undefined ? undefined : ctx.address(opts.provider, '--provider');
      const inputTokens = parseCount(opts.inputTokens);
      const { client, verifierKey } = await ctx.connect();
      // Spending a balance takes its owner's consent, here as on the OpenAI routes: an API key.
      let apiKey = opts.apiKey ?? process.env.TRIBUTARY_API_KEY;
      if (apiKey === undefined) {
        apiKey = `trib_${randomBytes(24).toString('hex')}`;
        await ctx.submit({ type: 'CreateApiKey', keyHash: '0x' + createHash('sha256').update(apiKey).digest('hex'), label: 'dev infer' });
        ctx.note(`made an API key for ${ctx.signer().account.address} to pay with (pass --api-key to reuse one)`);
      }
      const r = await client.recordInference(apiKey, { model, ...(provider ? { provider } : {}), inputTokens, output: text });
      checkReceipt(r.receipt, verifierKey);
      const split = r.receipt.result.split as Array<{ account: string; role: string; amount: string; contribution?: number }>;
      ctx.out({ ...receiptJson(r.receipt), attribution: r.attribution }, () => [
        `${model} charged ${String(r.receipt.result.requester)} ${formatTokens(String(r.receipt.result.fee))}`,
        ...split.map((c) => `  ${c.role.padEnd(9)} ${formatTokens(c.amount).padEnd(24)} ${c.account}${c.contribution === undefined ? '' : ` (contribution ${c.contribution})`}`),
        r.attribution.contributions.length === 0
          ? '  attribution found nothing: the usage part went to the baseline'
          : `  attributed to ${r.attribution.contributions.map((c) => `${c.contribution} (${(c.ppm / 10_000).toFixed(1)}%)`).join(', ')}`,
        ...receiptLines(r.receipt),
      ]);
    });
}
