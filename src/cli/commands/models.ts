// `tributary models add-base|register|list|show`: register a base model (validated here,
// uploaded, then a signed RegisterBaseModel), register a model version with its fee
// policy (a signed RegisterModel; the policy never changes afterwards), and look at
// models with their provenance, policy and usage.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { BaseModelInfo, ModelInfo } from '../../client/client.ts';
import { GgufError } from '../../gguf/errors.ts';
import { readGgufFile } from '../../gguf/reader.ts';
import { type LlamaModelInfo, validateLlamaModel } from '../../gguf/validate.ts';
import { parseCount } from '../args.ts';
import { CliContext, checkReceipt, receiptJson, receiptLines } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { bytes, time } from '../../format/text.ts';
import { NO_ADAPTER } from '../../settlement/records.ts';
import { formatTokens, parseTokens } from '../money.ts';
import { Progress } from '../progress.ts';


/** A bytes32 hash as given, or the SHA-256 of a file. */
export function hashArg(text: string, what: string): string {
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

export interface FeePolicyOptions {
  priceIn: string;
  priceOut: string;
  shares: string;
  baseline: string;
}

/** The fee-policy options every command that registers a model takes. */
export function addFeePolicyOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--price-in <tokens>', 'price per 1,000 input tokens, in tokens (18 decimals)')
    .requiredOption('--price-out <tokens>', 'price per 1,000 output tokens')
    .option('--shares <d/o/c/t>', 'percent of each fee for data/owner/compute/treasury', '50/25/20/5')
    .option('--baseline <percent>', 'percent of the data share paid to every training contribution by tokens; the rest follows attribution', '20');
}

/** Those options as RegisterModel's fee-policy fields; a UsageError names a bad one. */
export function feePolicyFields(o: FeePolicyOptions) {
  const [dataBps, ownerBps, computeBps, treasuryBps] = parseShares(o.shares);
  return {
    pricePer1kInput: parseTokens(o.priceIn, '--price-in').toString(),
    pricePer1kOutput: parseTokens(o.priceOut, '--price-out').toString(),
    dataBps,
    ownerBps,
    computeBps,
    treasuryBps,
    baselineBps: parsePercent(o.baseline, '--baseline'),
  };
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return '0x' + h.digest('hex');
}

const millions = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n.toLocaleString('en-US'));

function baseLines(b: BaseModelInfo | (LlamaModelInfo & { hash: string; fileSize: number })): string[] {
  return [
    `  file        ${b.hash} (${bytes(b.fileSize)})`,
    `  shape       llama, ${b.blockCount} blocks, width ${b.embeddingLength}, ${b.headCount} heads (${b.headCountKv} for keys and values), ffn ${b.feedForwardLength}, context ${b.contextLength}`,
    `  weights     ${millions(b.parameters)} parameters, ${b.tensorTypes.join('/')}${b.tiedEmbeddings ? ', tied embeddings' : ''}`,
    `  tokenizer   ${b.tokenizer.model}, ${b.vocabSize} tokens (${b.tokenizer.hash.slice(0, 18)}…)`,
  ];
}

export function modelLines(m: ModelInfo, base?: BaseModelInfo): string[] {
  const t = m.tributary;
  const p = t.policy;
  return [
    `${m.id}  owned by ${t.owner}, registered ${time(m.created * 1000)} (log entry ${t.registeredAt})`,
    `  provenance  base ${t.base}${base ? ` (registered base model ${base.name}, ${millions(base.parameters)} parameters)` : ' (not a registered base model)'}`,
    `              → ${t.datanet ? `datanet ${t.datanet} version ${t.snapshot} (root ${t.snapshotRoot})` : 'no datanet'}`,
    `              → adapter ${t.adapter === NO_ADAPTER ? '(none)' : t.adapter}`,
    `  training    ${t.trainingContributions} contributions, ${t.trainingTokens} tokens`,
    ...(t.training
      ? [
          `  trained by  job ${t.training.job} on worker ${t.training.worker}: ${t.training.trainerVersion}, config ${t.training.configHash.slice(0, 18)}…`,
          `  eval loss   ${t.training.evalLoss.toFixed(4)} nats/token held out (base alone ${t.training.baseEvalLoss.toFixed(4)})`,
        ]
      : []),
    `  price       ${formatTokens(p.pricePer1kInput)} per 1k input tokens, ${formatTokens(p.pricePer1kOutput)} per 1k output tokens`,
    `  shares      data ${pct(p.shares.data)} (baseline ${pct(p.baselineBps)} of it), owner ${pct(p.shares.owner)}, compute ${pct(p.shares.compute)}, treasury ${pct(p.shares.treasury)}`,
    `  usage       ${t.usage.inferences} inferences, ${t.usage.inputTokens} in / ${t.usage.outputTokens} out tokens, fees ${formatTokens(t.usage.fees)} (data ${formatTokens(t.usage.data)})`,
  ];
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('models: register one with its fee policy, list, show');

  models
    .command('add-base')
    .description('register a base model: a llama-architecture GGUF, checked here, uploaded, and recorded by a signed RegisterBaseModel')
    .argument('<file.gguf>')
    .option('--name <name>', 'a name for people (default: the file name without .gguf)')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (file: string, opts: { name?: string; progress?: boolean; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
      let info: LlamaModelInfo;
      try {
        // Checked here first, so a bad file is explained before gigabytes are sent.
        info = validateLlamaModel(readGgufFile(file));
      } catch (e) {
        if (e instanceof GgufError) throw new CliError(`${file} is not a llama model this node can serve: ${e.message}`);
        throw e;
      }
      const name = opts.name ?? basename(file).replace(/\.gguf$/i, '').toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '');
      const hash = await sha256File(file);
      const { client, verifierKey } = await ctx.connect();
      const progress = new Progress({ label: basename(file), total: 1, unit: 'bytes', force: opts.progress });
      try {
        await client.uploadModelFile(hash, file, ctx.signer().signer, (sent, total) => progress.update(sent, total));
      } finally {
        progress.finish();
      }
      const receipt = await ctx.submit({ type: 'RegisterBaseModel', name, file: hash }, { receiptPath: opts.receipt });
      checkReceipt(receipt, verifierKey);
      ctx.out({ base: hash, name, model: info, ...receiptJson(receipt, opts.receipt) }, () => [
        `registered base model ${name}`,
        ...baseLines({ ...info, hash, fileSize: statSync(file).size }),
        ...receiptLines(receipt, opts.receipt),
      ]);
    });

  addFeePolicyOptions(
    models
      .command('register')
      .description('register a model version and its fee policy (a signed RegisterModel; the policy is fixed for that version)')
      .argument('<name>', 'model name: lowercase letters, digits and -')
      .option('--datanet <name@version>', 'the datanet version it was trained on (its contributors share every fee)')
      .requiredOption('--base <sha256|file>', 'the base model: its SHA-256, or the file')
      .option('--adapter <sha256|file>', 'the LoRA adapter: its SHA-256, or the file (default: none)'),
  )
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (name: string, opts: FeePolicyOptions & { datanet?: string; base: string; adapter?: string; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      let datanet = '';
      let snapshot = 0;
      if (opts.datanet !== undefined) {
        const at = opts.datanet.lastIndexOf('@');
        if (at <= 0) throw new UsageError(`--datanet must be NAME@VERSION, e.g. demo-river-notes@1 (got ${opts.datanet})`);
        datanet = opts.datanet.slice(0, at);
        snapshot = parseCount(opts.datanet.slice(at + 1));
      }
      const receipt = await ctx.submit(
        {
          type: 'RegisterModel',
          name,
          datanet,
          snapshot,
          base: hashArg(opts.base, '--base'),
          adapter: opts.adapter === undefined ? NO_ADAPTER : hashArg(opts.adapter, '--adapter'),
          ...feePolicyFields(opts),
          job: 0,
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
      const [list, bases] = await Promise.all([client.models(), client.baseModels()]);
      ctx.out({ models: list, baseModels: bases }, () => [
        ...(bases.length === 0
          ? ['no base models yet: add one with `tributary models add-base FILE.gguf`']
          : ['base models', ...bases.map((b) => `  ${b.name.padEnd(24)} ${b.hash.slice(0, 18)}…  ${millions(b.parameters)} parameters, ${b.blockCount} blocks, ${b.tokenizer.model} tokenizer`)]),
        '',
        ...(list.length === 0
          ? ['no models yet: register one with `tributary models register NAME --datanet D@V --base FILE --price-in X --price-out Y`']
          : ['models', ...list.map((m) => `  ${m.id.padEnd(24)} ${m.tributary.datanet ? `${m.tributary.datanet}@${m.tributary.snapshot}` : '-'}  ${m.tributary.usage.inferences} inferences  fees ${formatTokens(m.tributary.usage.fees)}`)]),
      ]);
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
      const base = (await client.baseModels()).find((b) => b.hash === m.tributary.base);
      ctx.out({ ...m, baseModel: base ?? null }, () => modelLines(m, base));
    });
}
