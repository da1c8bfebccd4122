// `tributary index build|status`: build or refresh an attribution index now (with a
// progress bar, polled from the node while it builds), and list the indexes.
import type { Command } from 'commander';
import type { IndexStatus } from '../../client/client.ts';
import { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { Progress } from '../progress.ts';

/** NAME or NAME@VERSION (a version of the datanet). */
export function parseScopeArg(arg: string): { datanet: string; version?: number } {
  const m = /^([a-z0-9][a-z0-9-]{0,62})(?:@(\d+))?$/.exec(arg);
  if (!m) throw new CliError(`expected a datanet name, or NAME@VERSION for one version (got ${arg})`);
  return m[2] === undefined ? { datanet: m[1] } : { datanet: m[1], version: Number(m[2]) };
}

function describe(s: IndexStatus): string[] {
  const scope = s.version === null ? s.datanet : `${s.datanet}@${s.version}`;
  return [
    `${scope}: ${s.liveDocuments} live documents, ${s.liveTokens} tokens, ${s.shards.length} shards, ${s.tombstones} tombstones (log size ${s.logSize})`,
    ...s.shards.map((sh) => `  ${sh.file.padEnd(14)} tier ${sh.tier}  ${String(sh.documents).padStart(6)} docs  ${String(sh.tokens).padStart(10)} tokens  ${(sh.bytes / 1024 / 1024).toFixed(1)} MiB`),
    `  tokenizer ${s.tokenizer}`,
  ];
}

export function registerIndex(program: Command): void {
  const index = program.command('index').description('attribution indexes: build and inspect');

  index
    .command('build')
    .description('build or refresh the attribution index of a datanet (or of one version: NAME@VERSION) now')
    .argument('<datanet>', 'NAME, or NAME@VERSION')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .action(async (arg: string, opts: { progress?: boolean }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { datanet, version } = parseScopeArg(arg);
      const { client } = await ctx.connect();
      let bar: Progress | undefined;
      let phase = '';
      const poll = setInterval(() => {
        client
          .indexStatus(datanet, version)
          .then(([s]) => {
            if (!s?.building) return;
            if (s.building.phase !== phase) {
              bar?.finish();
              phase = s.building.phase;
              bar = new Progress({ label: phase, total: s.building.total, unit: 'tokens', force: opts.progress });
            }
            bar!.update(s.building.done, s.building.total);
          })
          .catch(() => {});
      }, 200);
      try {
        const status = await client.buildIndex(datanet, version);
        bar?.finish();
        ctx.out(status, () => describe(status));
      } finally {
        clearInterval(poll);
      }
    });

  index
    .command('status')
    .description('list the attribution indexes the node holds')
    .argument('[datanet]', 'NAME, or NAME@VERSION')
    .action(async (arg: string | undefined, _opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const scope = arg === undefined ? undefined : parseScopeArg(arg);
      const { client } = await ctx.connect();
      const all = await client.indexStatus(scope?.datanet, scope?.version);
      ctx.out({ indexes: all }, () => (all.length === 0 ? ['no index built yet: try `tributary index build DATANET`'] : all.flatMap(describe)));
    });
}
