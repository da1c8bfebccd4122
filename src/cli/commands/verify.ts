// `tributary verify`: replay a whole log from nothing and check every entry, signature,
// root and state root, from a data directory (--data), a PostgreSQL database (--database)
// or a node's public API (--node); from a database, also every table the node
// materialised from the log (journal, earnings views, payout leaves, balances...).
// Exit 0 when it all checks out, 1 at the first divergence, which is named.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyDataDir, verifyNode, verifyPostgres, type VerifyReport } from '../../node/verify.ts';
import { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { nodeId } from '../pins.ts';
import { Progress } from '../progress.ts';

export function describeDivergence(d: NonNullable<VerifyReport['divergence']>): string {
  if (d.row) return `table ${d.row.table} diverges: ${d.reason}`;
  if (d.index !== null) return `entry ${d.index} diverges: ${d.reason}`;
  if (d.checkpointSize !== undefined) return `checkpoint at size ${d.checkpointSize} diverges: ${d.reason}`;
  return `log diverges: ${d.reason}`;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description("replay the whole log and check every entry, signature, root and state root (from --data DIR, else the node's API)")
    .option('--data <dir>', "a node's data directory (it may be running)")
    .option('--database [url]', 'a cluster\'s PostgreSQL database (postgres://…; without a value: $DATABASE_URL)')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .action(async (opts: { data?: string; database?: string | true; progress?: boolean }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      let progress: Progress | undefined;
      const onProgress = (done: number, total: number) => {
        progress ??= new Progress({ label: 'verify', total, unit: 'entries', force: opts.progress });
        progress.update(done, total);
      };
      let source: string;
      let report: VerifyReport;
      try {
        if (opts.database !== undefined) {
          const url = opts.database === true ? process.env.DATABASE_URL : opts.database;
          if (!url) throw new CliError('--database: give a postgres:// URL, or set DATABASE_URL');
          if (!/^postgres(ql)?:\/\//.test(url)) throw new CliError('--database: expected a postgres:// URL');
          source = withoutPassword(url);
          report = await verifyPostgres(url, { onProgress });
        } else if (opts.data !== undefined) {
          const dir = resolve(opts.data);
          if (!existsSync(join(dir, 'tributary.db'))) throw new CliError(`${dir} is not a node data directory (no tributary.db in it)`);
          source = dir;
          report = await verifyDataDir(dir, { onProgress });
        } else {
          // Pin (or check) the node's key first, so that the replay insists on that key.
          const { verifierKey } = await ctx.connect();
          source = nodeId(ctx.globals.nodeUrl);
          report = await verifyNode(source, { verifierKey, onProgress });
        }
      } finally {
        progress?.finish();
      }
      ctx.out({ source, ...report }, () =>
        report.ok
          ? [
              `log verified: ${report.entries} entries replayed from ${source}, ${report.checkpoints} checkpoints checked`,
              `  size        ${report.size}`,
              `  state root  ${report.stateRoot}`,
              ...(report.money
                ? [
                    `  money       ${report.money.conserved ? 'conserved' : 'NOT conserved'}: ${report.money.held} base units held = ${report.money.deposited} deposited - ${report.money.withdrawn} withdrawn and paid out`,
                    `  backing     ${report.money.money} money: ${report.money.backed} base units backed by deposits on chain, ${report.money.unbacked} unbacked (faucet credit, never paid out)`,
                    `  accounts    ${report.money.accounts} with money, ${report.money.epochs} epochs closed (every balance and payout root recomputed)`,
                  ]
                : []),
              ...(report.materialised?.compared
                ? [
                    `  tables      every row the API serves matches replay: ${Object.entries(report.materialised.rows).map(([t, n]) => `${t} ${n}`).join(', ')}`,
                    ...(report.materialised.missingBlobs > 0 ? [`  content     ${report.materialised.missingBlobs} live contributions' bytes are missing (the API answers 410 for them)`] : []),
                  ]
                : report.materialised
                  ? [`  tables      not compared: ${report.materialised.reason}; run verify again`]
                  : []),
            ]
          : [`${describeDivergence(report.divergence!)}`, `  (replayed ${report.entries} entries and ${report.checkpoints} checkpoints from ${source} before it)`],
      );
      if (!report.ok) process.exitCode = 1;
    });
}

/** A database URL fit to print: the password left out. */
function withoutPassword(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}
