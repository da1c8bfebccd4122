// `tributary worker`: contribute compute. Registers the signing account as a worker,
// then leases training jobs from the node, trains them with the built-in LoRA trainer
// (heartbeats keep the lease), uploads each adapter and hands in the result, which is
// its compute receipt and gets it paid. --once runs at most one job and exits.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runOneJob, runWorker, ensureRegistered } from '../../worker/worker.ts';
import { CliContext } from '../context.ts';
import { Progress } from '../progress.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('train models for a fee: lease training jobs from the node and run them with the built-in LoRA trainer')
    .option('--account <name|address>', 'the keystore account that works and is paid (default: --from, else the first account)')
    .option('--name <name>', 'worker name shown to others', 'worker')
    .option('--work-dir <dir>', 'where base models are cached and job outputs written', join(homedir(), '.tributary', 'worker'))
    .option('--once', 'run at most one job, then exit')
    .option('--poll <seconds>', 'how often to ask for work when there is none', '5')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .action(async (opts: { account?: string; name: string; workDir: string; once?: boolean; poll: string; progress?: boolean }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { signer } = opts.account === undefined ? ctx.signer() : ctx.keystore().signer(opts.account);
      const { client } = await ctx.connect();
      let bar: Progress | undefined;
      const o = {
        client,
        signer,
        workDir: opts.workDir,
        log: (line: string) => ctx.note(line),
        onStep: (job: number, step: number, steps: number, loss: number) => {
          bar ??= new Progress({ label: `job ${job}`, total: steps, unit: 'steps', force: opts.progress });
          bar.update(step, steps);
          if (step === steps) {
            bar.finish();
            bar = undefined;
            ctx.note(`job ${job}: final training loss ${loss.toFixed(4)}`);
          }
        },
      };
      await ensureRegistered(o, opts.name);
      if (opts.once) {
        const done = await runOneJob(o);
        ctx.out(done ? { job: done.job.id, adapter: done.result.adapterHash, evalLoss: done.result.evalLoss, baseEvalLoss: done.result.baseEvalLoss, receipt: done.receipt } : { job: null }, () =>
          done
            ? [
                `trained job ${done.job.id}: held-out loss ${done.result.baseEvalLoss.toFixed(4)} → ${done.result.evalLoss.toFixed(4)}`,
                `  adapter    ${done.result.adapterHash}`,
                `  loss curve ${done.result.curvePath}`,
                `  paid       ${String(done.receipt.result.paid)} base units (log entry ${done.receipt.index})`,
              ]
            : 'no open training job',
        );
        return;
      }
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      ctx.note(`worker ${signer.address} waiting for jobs on ${ctx.globals.nodeUrl} (Ctrl-C to stop)`);
      await runWorker({ ...o, pollMs: Number(opts.poll) * 1000, signal: stop.signal });
    });
}
