// `tributary datanet create|list|show`: open a community dataset, and look at them.
// Creation is a signed CreateDatanet action; list and show only read the node's state.
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Contribution, TributaryClient } from '../../client/client.ts';
import { collect, parseCount } from '../args.ts';
import { CliContext, receiptJson, receiptLines } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { bytes, table, time } from '../../format/text.ts';

interface CreateOptions {
  license: string;
  description: string;
  kind?: 'text' | 'jsonl';
  schema?: string;
  policy?: 'open' | 'curated';
  curator: string[];
  receipt?: string;
}

function readSchema(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the schema ${path}: ${(e as Error).message}`);
  }
  try {
    // Sent compact: the schema is part of a signed action and of the log forever.
    return JSON.stringify(JSON.parse(text));
  } catch (e) {
    throw new CliError(`schema ${path} is not JSON: ${(e as Error).message}`);
  }
}

/** The most recent `n` contributions of a datanet, newest first. */
async function latestContributions(client: TributaryClient, name: string, n: number): Promise<Contribution[]> {
  return client.contributions(name, { order: 'desc', limit: Math.max(1, Math.min(n, 1000)) });
}

export function registerDatanet(program: Command): void {
  const datanet = program.command('datanet').description('community datasets: create, list, show');

  datanet
    .command('create')
    .description('create a datanet (a signed CreateDatanet action)')
    .argument('<name>', 'unique name: lowercase letters, digits and -')
    .requiredOption('--license <spdx>', 'licence of the contributed data, e.g. CC-BY-4.0')
    .option('--description <text>', 'what the datanet is for', '')
    .addOption(new Option('--kind <kind>', 'text (.txt/.md/.csv files) or jsonl (records checked against --schema); default jsonl with --schema, else text').choices(['text', 'jsonl']))
    .option('--schema <file.json>', 'JSON Schema every JSONL record must satisfy')
    .addOption(new Option('--policy <policy>', 'open (accepted on arrival) or curated; default curated when curators are given').choices(['open', 'curated']))
    .option('--curator <address|name>', 'an account that may accept and reject (repeatable; the owner always may)', collect, [])
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (name: string, opts: CreateOptions, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const schema = opts.schema === undefined ? '' : readSchema(opts.schema);
      const kind = opts.kind ?? (opts.schema !== undefined ? 'jsonl' : 'text');
      const curators = opts.curator.map((c) => ctx.address(c, '--curator'));
      const policy = opts.policy ?? (curators.length > 0 ? 'curated' : 'open');
      const receipt = await ctx.submit(
        { type: 'CreateDatanet', name, description: opts.description, license: opts.license, kind, schema, policy, curators },
        { receiptPath: opts.receipt },
      );
      ctx.out({ datanet: name, kind, policy, curators, ...receiptJson(receipt, opts.receipt) }, () => [
        `created datanet ${name} (${kind}, ${policy}${curators.length ? `, ${curators.length} curators` : ''})`,
        ...receiptLines(receipt, opts.receipt),
      ]);
    });

  datanet
    .command('list')
    .description('list the datanets on the node')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client } = await ctx.connect();
      const all = await client.datanets();
      ctx.out({ datanets: all }, () =>
        all.length === 0
          ? ['no datanets yet; create one with: tributary datanet create NAME --license CC-BY-4.0']
          : table([
              ['NAME', 'KIND', 'POLICY', 'ACCEPTED', 'PENDING', 'VERSIONS', 'LICENSE'],
              ...all.map((d) => [d.name, d.kind, d.policy, String(d.counts.accepted), String(d.counts.pending), String(d.counts.snapshots), d.license]),
            ]),
      );
    });

  datanet
    .command('show')
    .description('one datanet: its settings, counts, versions and latest contributions')
    .argument('<name>')
    .option('--limit <n>', 'how many of the latest contributions to show', parseCount, 10)
    .action(async (name: string, opts: { limit: number }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client } = await ctx.connect();
      const dn = await client.datanet(name);
      const latest = opts.limit === 0 ? [] : await latestContributions(client, name, opts.limit);
      ctx.out({ ...dn, latestContributions: latest }, () => {
        const c = dn.counts;
        const lines = [
          `datanet ${dn.name}`,
          `  description  ${dn.description || '(none)'}`,
          `  license      ${dn.license}`,
          `  kind         ${dn.kind}`,
          `  policy       ${dn.policy}`,
          `  owner        ${dn.owner}`,
          ...(dn.curators.length ? dn.curators.map((a, i) => `  ${i === 0 ? 'curators' : '        '}     ${a}`) : []),
          `  created      log index ${dn.createdAt}, ${time(dn.time)}`,
          `  counts       ${c.accepted} accepted, ${c.pending} pending, ${c.rejected} rejected, ${c.withdrawn} withdrawn`,
          `  duplicates   ${dn.duplicates.policy === 'off' ? 'not checked' : `${dn.duplicates.policy} above ${dn.duplicates.thresholdPpm / 10_000}% (spans of ${dn.duplicates.minSpan}+ tokens)`}`,
        ];
        if (dn.kind === 'jsonl') lines.push(`  schema       ${dn.schema}`);
        lines.push('', dn.snapshots.length ? 'versions' : 'versions: none yet (tributary snapshot ' + dn.name + ')');
        if (dn.snapshots.length)
          lines.push(
            ...table([
              ['  VERSION', 'LOG SIZE', 'COUNT', 'BYTES', 'ROOT'],
              ...dn.snapshots.map((s) => [`  ${s.version}`, String(s.logSize), String(s.count), bytes(s.bytes), s.root]),
            ]),
          );
        lines.push('', latest.length ? `latest contributions` : 'contributions: none yet');
        if (latest.length)
          lines.push(
            ...table([
              ['  ID', 'STATUS', 'SIZE', 'AUTHOR', 'FILE'],
              ...latest.map((x) => [`  ${x.id}`, x.status, bytes(x.size), x.author, x.fileName]),
            ]),
          );
        return lines;
      });
    });

  datanet
    .command('duplicates')
    .description('set what happens to near-duplicate contributions (owner only): off, flag or reject')
    .argument('<name>')
    .addOption(new Option('--policy <policy>', 'off, flag (the earlier contributors keep the credit) or reject').choices(['off', 'flag', 'reject']).makeOptionMandatory())
    .option('--threshold <percent>', 'share of the new text already covered by long spans that makes it a duplicate', '50')
    .option('--min-span <tokens>', 'shortest span, in tokens, that counts as copied', '32')
    .option('--receipt <file>', 'save the receipt JSON to this file')
    .action(async (name: string, opts: { policy: string; threshold: string; minSpan: string; receipt?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const pct = Number(opts.threshold);
      if (!(pct > 0 && pct <= 100)) throw new UsageError(`--threshold must be a percentage above 0 and at most 100 (got ${opts.threshold})`);
      const minSpan = Number(opts.minSpan);
      if (!Number.isInteger(minSpan) || minSpan < 4 || minSpan > 1024) throw new UsageError(`--min-span must be a whole number of tokens from 4 to 1024 (got ${opts.minSpan})`);
      const thresholdPpm = Math.round(pct * 10_000);
      const receipt = await ctx.submit({ type: 'SetDuplicatePolicy', datanet: name, policy: opts.policy, thresholdPpm, minSpan }, { receiptPath: opts.receipt });
      ctx.out({ datanet: name, policy: opts.policy, thresholdPpm, minSpan, ...receiptJson(receipt, opts.receipt) }, () => [
        `${name}: near-duplicates ${opts.policy === 'off' ? 'are not checked' : `are ${opts.policy === 'flag' ? 'flagged' : 'refused'} above ${pct}% covered by spans of ${minSpan}+ tokens`}`,
        ...receiptLines(receipt, opts.receipt),
      ]);
    });
}
