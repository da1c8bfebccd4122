// `tributary train DATANET@VERSION --base …`: the whole model-factory flow from one
// command. It submits a training job (the compute fee is escrowed), trains it here as a
// worker with the built-in LoRA trainer (so the signing account is paid the fee back as
// compute), and registers the model with its fee policy and the job's provenance: base →
// datanet version → adapter, config hash, trainer version and held-out loss.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_TRAINING_CONFIG, parseTrainingConfig, TrainingConfigError } from '../../models/trainer/config.ts';
import { ensureRegistered, runOneJob } from '../../worker/worker.ts';
import { parseCount } from '../args.ts';
import { CliContext, checkReceipt } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { formatTokens, parseTokens } from '../money.ts';
import { Progress } from '../progress.ts';
import { addFeePolicyOptions, feePolicyFields, type FeePolicyOptions, modelLines } from './models.ts';

interface TrainOptions extends FeePolicyOptions {
  base: string;
  name: string;
  fee: string;
  config?: string;
  steps?: string;
  rank?: string;
  targets?: string;
  seed?: string;
  lr?: string;
  workDir: string;
  progress?: boolean;
}

export function registerTrain(program: Command): void {
  addFeePolicyOptions(
    program
      .command('train')
    .description('fine-tune a LoRA adapter on a datanet version, here, and register the model with its provenance and fee policy')
    .argument('<datanet[@version]>', 'the datanet and version to train on (default: its latest version)')
    .requiredOption('--base <sha256|name>', 'a registered base model (tributary models add-base)')
    .requiredOption('--name <model>', 'the model name to register')
    .option('--fee <tokens>', 'compute fee escrowed for the job (paid to the worker: you, training here)', '1')
    .option('--config <file.json>', `trainer options as JSON (defaults: ${JSON.stringify(DEFAULT_TRAINING_CONFIG)})`)
    .option('--steps <n>', 'training steps (overrides the config)')
    .option('--rank <r>', 'LoRA rank (overrides the config)')
    .option('--targets <list>', 'comma-separated among q,k,v,o,ffn (overrides the config)')
    .option('--seed <n>', 'seed for the split, the batches and the initial adapter (overrides the config)')
    .option('--lr <rate>', 'peak learning rate (overrides the config)'),
  )
    .option('--work-dir <dir>', 'where the base model is cached and the job output written', join(homedir(), '.tributary', 'worker'))
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .action(async (scope: string, opts: TrainOptions, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const at = scope.lastIndexOf('@');
      const datanet = at > 0 ? scope.slice(0, at) : scope;
      let snapshot = at > 0 ? parseCount(scope.slice(at + 1)) : 0;
      if (at === 0) throw new UsageError(`give the datanet as NAME or NAME@VERSION, e.g. demo-river-notes@1 (got ${scope})`);
      let raw: Record<string, unknown> = {};
      if (opts.config) {
        try {
          raw = JSON.parse(readFileSync(opts.config, 'utf8')) as Record<string, unknown>;
        } catch (e) {
          throw new CliError(`cannot read the config ${opts.config}: ${(e as Error).message}`);
        }
      }
      if (opts.steps) raw.steps = parseCount(opts.steps);
      if (opts.rank) raw.rank = parseCount(opts.rank);
      if (opts.seed) raw.seed = parseCount(opts.seed);
      if (opts.targets) raw.targets = opts.targets.split(',').map((t) => t.trim());
      if (opts.lr) {
        if (!/^\d*\.?\d+(e-?\d+)?$/i.test(opts.lr)) throw new UsageError(`--lr must be a positive number, like 0.002 (got ${opts.lr})`);
        raw.learningRate = Number(opts.lr);
      }
      let config;
      try {
        config = parseTrainingConfig(JSON.stringify(raw));
      } catch (e) {
        if (e instanceof TrainingConfigError) throw new UsageError(`training option ${e.message}`);
        throw e;
      }
      // Checked before anything is submitted or trained.
      const policy = feePolicyFields(opts);
      const fee = parseTokens(opts.fee, '--fee');
      const { client, verifierKey } = await ctx.connect();
      if (snapshot === 0) {
        const versions = (await client.datanet(datanet)).snapshots;
        if (versions.length === 0) throw new CliError(`${datanet} has no version yet: take one with \`tributary snapshot ${datanet}\``);
        snapshot = Math.max(...versions.map((v) => v.version));
      }
      const bases = await client.baseModels();
      const base = bases.find((b) => b.hash === opts.base.toLowerCase() || b.name === opts.base);
      if (!base) throw new CliError(`no registered base model ${opts.base}; registered: ${bases.map((b) => b.name).join(', ') || 'none (tributary models add-base FILE.gguf)'}`);

      const submitted = await ctx.submit({ type: 'SubmitTrainingJob', base: base.hash, datanet, snapshot, config: JSON.stringify(config), computeFee: fee.toString() });
      const jobId = submitted.result.job as number;
      ctx.note(`submitted job ${jobId}: ${datanet}@${snapshot} on ${base.name}, fee ${formatTokens(fee)} escrowed`);

      const { signer } = ctx.signer();
      let bar: Progress | undefined;
      const worker = {
        client,
        signer,
        workDir: opts.workDir,
        log: (line: string) => ctx.note(line),
        onStep: (_job: number, step: number, steps: number) => {
          bar ??= new Progress({ label: `training job ${jobId}`, total: steps, unit: 'steps', force: opts.progress });
          bar.update(step, steps);
        },
      };
      await ensureRegistered(worker, 'local trainer');
      let done;
      try {
        done = await runOneJob(worker, jobId);
      } finally {
        bar?.finish();
      }
      if (!done) throw new CliError(`job ${jobId} could not be leased: another worker holds it`);
      checkReceipt(done.receipt, verifierKey);

      const registered = await ctx.submit({
        type: 'RegisterModel',
        name: opts.name,
        datanet,
        snapshot,
        base: base.hash,
        adapter: done.result.adapterHash,
        ...policy,
        job: jobId,
      });
      const model = await client.model(String(registered.result.model));
      ctx.out({ job: jobId, adapter: done.result.adapterHash, lossCurve: done.result.curvePath, model }, () => [
        ...modelLines(model, base),
        `  loss curve  ${done.result.curvePath}`,
      ]);
    });
}
