// `tributary models register|list|show`: register a model version with its fee policy
// (a signed RegisterModel; the policy never changes afterwards), and look at models with
// their provenance, policy and usage.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ModelInfo } from '../../client/client.ts';
import { parseCount } from '../args.ts';
import { CliContext, receiptJson, receiptLines } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { time } from '../format.ts';
import { formatTokens, parseTokens } from '../money.ts';

const ZERO32 = '0x' + '00'.repeat(32);

/** A bytes32 hash as given, or the SHA-256 of a file. */
function hashArg(text: string, what: string): string {
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  if (!existsSync(text)) throw new UsageError(`${what} must be a SHA-256 (0x + 64 hex digits) or a file to hash; ${text} is neither`);
  return '0x' + createHash('sha256').update(readFileSync(text)).digest('hex');
}

/** "50/25/20/5" percentages → basis points, each a multiple of 0.01%. */
function parseShares(text: string): [number, number, number, number] {
  const parts = text.split('/');
  if (parts.length !== 4) throw new UsageError(`--shares must be four percentages data/owner/compute/treasury, e.g. 50/25/20/5 (got ${text})`);
  const bps = parts.map((p) => {
    if (!/^\d+(\.\d{1,2})?$/.test(p)) throw new UsageError(`--shares: ${JSON.stringify(p)} is not a percentage with at most 2 decimals`);
    return Math.round(Number(p) * 100);
  }) as [number, number, number, number];
  const sum = bps.reduce((a, b) => a + b, 0);
  if (sum !== 10_000) throw new UsageError(`--shares must add up to 100%, not ${sum / 100}%`);
  return bps;
}

function parsePercent(text: string, what: string): number {
  if (!/^\d+(\.\d{1,2})?$/.test(text) || Number(text) > 100) throw new UsageError(`${what} must be a percentage from 0 to 100 with at most 2 decimals (got ${text})`);
  return Math.round(Number(text) * 100);
}

const pct = (bps: number) => `${bps / 100}%`;

function modelLines(m: ModelInfo): string[] {
  const t = m.tributary;
  const p = t.policy;
  return [
    `${m.id}  owned by ${t.owner}, registered ${time(m.created * 1000)} (log entry ${t.registeredAt})`,
    `  provenance  base ${t.base}`,
    `              → ${t.datanet ? `datanet ${t.datanet} version ${t.snapshot} (root ${t.snapshotRoot})` : 'no datanet'}`,
    `              → adapter ${t.adapter === ZERO32 ? '(none)' : t.adapter}`,
    `  training    ${t.trainingContributions} contributions, ${t.trainingTokens} tokens`,
    `  price       ${formatTokens(p.pricePer1kInput)} per 1k input tokens, ${formatTokens(p.pricePer1kOutput)} per 1k output tokens`,
    `  shares      data ${pct(p.shares.data)} (baseline ${pct(p.baselineBps)} of it), owner ${pct(p.shares.owner)}, compute ${pct(p.shares.compute)}, treasury ${pct(p.shares.treasury)}`,
    `  usage       ${t.usage.inferences} inferences, ${t.usage.inputTokens} in / ${t.usage.outputTokens} out tokens, fees ${formatTokens(t.usage.fees)} (data ${formatTokens(t.usage.data)})`,
  ];
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('models: register one with its fee policy, list, show');

  models
    .command('register')
    .description('register a model version and its fee policy (a signed RegisterModel; the policy is fixed for that version)')
    .argument('<name>', 'model name: lowercase letters, digits and -')
    .option('--datanet <name@version>', 'the datanet version it was trained on (its contributors share every fee)')
    .requiredOption('--base <sha256|file>', 'the base model: its SHA-256, or the file')
    .option('--adapter <sha256|file>', 'the LoRA adapter: its SHA-256, or the file (default: none)')
    .requiredOption('--price-in <tokens>', 'price per 1,000 input tokens, in tokens (18 decimals)')
    .requiredOption('--price-out <tokens>', 'price per 1,000 output tokens')
    .option('--shares <d/o/c/t>', 'percent of each fee for data/owner/compute/treasury', '50/25/20/5')
    .option('--baseline <percent>', 'percent of the data share paid to every training contribution by tokens; the rest follows attribution', '20')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (name: string, opts: { datanet?: string; base: string; adapter?: string; priceIn: string; priceOut: string; shares: string; baseline: string; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      let datanet = '';
      let snapshot = 0;
      if (opts.datanet !== undefined) {
        const at = opts.datanet.lastIndexOf('@');
        if (at <= 0) throw new UsageError(`--datanet must be NAME@VERSION, e.g. demo-river-notes@1 (got ${opts.datanet})`);
        datanet = opts.datanet.slice(0, at);
        snapshot = parseCount(opts.datanet.slice(at + 1));
      }
      const [dataBps, ownerBps, computeBps, treasuryBps] = parseShares(opts.shares);
      const receipt = await ctx.submit(
        {
          type: 'RegisterModel',
          name,
          datanet,
          snapshot,
          base: hashArg(opts.base, '--base'),
          adapter: opts.adapter === undefined ? ZERO32 : hashArg(opts.adapter, '--adapter'),
          pricePer1kInput: parseTokens(opts.priceIn, '--price-in').toString(),
          pricePer1kOutput: parseTokens(opts.priceOut, '--price-out').toString(),
          dataBps,
          ownerBps,
          computeBps,
          treasuryBps,
          baselineBps: parsePercent(opts.baseline, '--baseline'),
        },
        { receiptPath: opts.receipt },
      );
      const r = receipt.result;
      ctx.out(receiptJson(receipt, opts.receipt), () => [
        `registered ${String(r.model)}: ${String(r.trainingContributions)} training contributions, ${String(r.trainingTokens)} tokens`,
        ...receiptLines(receipt, opts.receipt),
      ]);
    });

  models
    .command('list')
    .description('list the registered model versions')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client } = await ctx.connect();
      const list = await client.models();
      ctx.out({ models: list }, () =>
        list.length === 0
          ? 'no models yet: register one with `tributary models register NAME --datanet D@V --base FILE --price-in X --price-out Y`'
          : list.map((m) => `${m.id.padEnd(24)} ${m.tributary.datanet ? `${m.tributary.datanet}@${m.tributary.snapshot}` : '-'}  ${m.tributary.usage.inferences} inferences  fees ${formatTokens(m.tributary.usage.fees)}`),
      );
    });

  models
    .command('show')
    .description('a model version: provenance (base → datanet version → adapter), fee policy and usage')
    .argument('<id>', 'name@version')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if (!/@\d+$/.test(id)) throw new CliError(`give the model as name@version, e.g. ${id}@1`);
      const { client } = await ctx.connect();
      const m = await client.model(id);
      ctx.out(m, () => modelLines(m));
    });
}
