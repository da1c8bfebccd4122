// `tributary attribute`: which contributions a text came from. Prints the share of each
// contribution, the unattributed share, and the matched spans (marked in the text).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { parseScopeArg } from './indexes.ts';

function parseScope(opts: { datanet?: string; snapshot?: string; model?: string }) {
  if ([opts.datanet, opts.snapshot, opts.model].filter((o) => o !== undefined).length !== 1)
    throw new CliError('give exactly one of --datanet NAME, --snapshot NAME@VERSION or --model NAME@VERSION');
  if (opts.datanet) return { datanet: opts.datanet };
  if (opts.model) return { model: opts.model };
  const scope = parseScopeArg(opts.snapshot!);
  if (scope.version === undefined) throw new CliError(`--snapshot must look like NAME@VERSION, e.g. demo-river-notes@1 (got ${opts.snapshot})`);
  return { snapshot: { datanet: scope.datanet, version: scope.version } };
}

const pct = (ppm: number) => `${(ppm / 10_000).toFixed(2)}%`;

export function registerAttribute(program: Command): void {
  program
    .command('attribute')
    .description('attribute a text to the contributions of a datanet (or of one version of it)')
    .argument('[text]', 'the text; or use --file')
    .option('--datanet <name>', 'attribute against the datanet as it is now')
    .option('--snapshot <name@version>', 'attribute against one version of a datanet')
    .option('--model <name@version>', 'attribute against the datanet version a model was trained on')
    .option('--file <path>', 'read the text from a file')
    .option('--min-span <tokens>', 'shortest span credited, in tokens', (v) => Number(v))
    .action(async (text: string | undefined, opts: { datanet?: string; snapshot?: string; model?: string; file?: string; minSpan?: number }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      if ((text === undefined) === (opts.file === undefined)) throw new CliError('give the text as an argument or with --file, not both');
      const body = text ?? readFileSync(opts.file!, 'utf8');
      if (opts.minSpan !== undefined && !(Number.isInteger(opts.minSpan) && opts.minSpan >= 1))
        throw new CliError('--min-span must be a whole number of tokens, at least 1');
      const { client } = await ctx.connect();
      const r = await client.attribute({ ...parseScope(opts), text: body, minSpan: opts.minSpan });
      ctx.out(r, () => {
        const lines = [
          `${r.tokens} tokens against ${r.scope.datanet}${r.scope.version ? ` version ${r.scope.version}` : ''} (${r.indexTokens} tokens indexed, log size ${r.scope.logSize})`,
          `  attributed    ${pct(r.attributedPpm)}`,
          `  unattributed  ${pct(r.unattributedPpm)}`,
        ];
        if (r.contributions.length > 0) {
          lines.push('', '  CONTRIBUTION  SHARE     SPANS');
          for (const c of r.contributions) lines.push(`  ${String(c.contribution).padEnd(12)}  ${pct(c.ppm).padEnd(8)}  ${c.spans}`);
          lines.push('', 'spans');
          for (const s of r.spans)
            lines.push(`  [${s.start}, ${s.end})  ${s.count === null ? 'too common' : `in ${s.contributions.join(', ')}`}  "${s.text.replace(/\s+/g, ' ').slice(0, 80)}"`);
        } else lines.push('', 'no span of the text was found in the index (paraphrase finds nothing: matching is exact)');
        return lines;
      });
    });
}
