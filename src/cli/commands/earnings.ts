// `tributary earnings [ACCOUNT]`: what an account holds, has earned and has been paid,
// with its earnings per contribution; or, with --by, the earnings of everyone by
// account, contribution, datanet or model. --csv prints the node's CSV export.
import { Option, type Command } from 'commander';
import type { EarningsBy } from '../../client/client.ts';
import { CliContext } from '../context.ts';
import { table } from '../../format/text.ts';
import { formatTokens } from '../money.ts';

const MONEY = new Set(['baseline', 'usage', 'owner', 'compute', 'total', 'fees', 'data', 'treasury']);

export function registerEarnings(program: Command): void {
  program
    .command('earnings')
    .description("an account's balances and earnings (default: your account), or everyone's --by account, contribution, datanet or model")
    .argument('[account]', 'address or keystore account name')
    .addOption(new Option('--by <what>', 'list everyone’s earnings grouped this way').choices(['accounts', 'contributions', 'datanets', 'models']))
    .option('--datanet <name>', 'only contributions to this datanet')
    .option('--csv', 'print CSV (amounts in base units) instead of a table')
    .action(async (accountRef: string | undefined, opts: { by?: EarningsBy; datanet?: string; csv?: boolean }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client } = await ctx.connect();
      if (opts.by !== undefined) {
        const q = { account: accountRef === undefined ? undefined : ctx.address(accountRef), datanet: opts.datanet };
        if (opts.csv) return void process.stdout.write(await client.earningsCsv(opts.by, q));
        const rows = await client.earnings(opts.by, q);
        return ctx.out({ rows }, () => {
          if (rows.length === 0) return `no earnings yet by ${opts.by}: they appear once a model is used (see \`tributary dev infer\`)`;
          const cols = Object.keys(rows[0]);
          return table([cols.map((c) => c.toUpperCase()), ...rows.map((r) => cols.map((c) => (MONEY.has(c) ? formatTokens(String(r[c])) : String(r[c]))))]);
        });
      }
      const address = ctx.address(accountRef);
      if (opts.csv) return void process.stdout.write(await client.earningsCsv('contributions', { account: address, datanet: opts.datanet }));
      const [a, contributions] = await Promise.all([client.account(address), client.earnings('contributions', { account: address, datanet: opts.datanet })]);
      ctx.out({ ...a, contributions }, () => [
        `${address}`,
        `  prepaid     ${formatTokens(a.prepaid)}  (spendable on inference)`,
        `  unpaid      ${formatTokens(a.unpaid)}  (earned since the last epoch close)`,
        `  paid        ${formatTokens(a.paid)}  (cumulative in the latest payout root: claimable in total)`,
        `  earned      ${formatTokens(a.earned.total)}  = baseline ${formatTokens(a.earned.baseline)} + usage ${formatTokens(a.earned.usage)} + owner ${formatTokens(a.earned.owner)} + compute ${formatTokens(a.earned.compute)}`,
        ...(contributions.length === 0
          ? []
          : ['', ...table([['CONTRIBUTION', 'DATANET', 'BASELINE', 'USAGE', 'TOTAL'], ...contributions.map((c) => [String(c.contribution), String(c.datanet), formatTokens(String(c.baseline)), formatTokens(String(c.usage)), formatTokens(String(c.total))])]).map((l) => `  ${l}`)]),
      ]);
    });
}
