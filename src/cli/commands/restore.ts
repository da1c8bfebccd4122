// `tributary restore`: rebuilds a node from a log by replaying it (verified first), into an
// empty data directory (SQLite) or PostgreSQL database: from another data directory, a
// PostgreSQL database (so also a move from SQLite to PostgreSQL), or a running node's API.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { NodeKey } from '../../node/nodeKey.ts';
import { databaseRestoreSource, nodeRestoreSource, type RestoreReport, restoreLog, type RestoreSource } from '../../node/restore.ts';
import { openPostgres } from '../../store/postgres.ts';
import type { Db } from '../../store/sql.ts';
import { openSqlite } from '../../store/sqlite.ts';
import { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { Progress } from '../progress.ts';

interface Opts {
  data: string;
  database?: string;
  fromData?: string;
  fromDatabase?: string;
  fromNode?: string;
  key?: string;
  progress?: boolean;
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('rebuild a node by replaying a verified log into an empty data directory (or PostgreSQL database)')
    .requiredOption('--data <dir>', 'the data directory to restore into (created; must hold no log)')
    .option('--database <url>', 'restore into this empty PostgreSQL database (postgres://…) instead of DATA/tributary.db')
    .option('--from-data <dir>', "another node's data directory (read-only; it may be running)")
    .option('--from-database <url>', "a cluster's PostgreSQL database")
    .option('--from-node <url>', "a running node's public API (the contribution bytes are fetched from it)")
    .option('--key <file>', "the node key (node.key) to sign with; default: the source data directory's")
    .option('--progress', 'draw progress bars even when stderr is not a terminal')
    .action(async (opts: Opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const sources = [opts.fromData, opts.fromDatabase, opts.fromNode].filter((s) => s !== undefined);
      if (sources.length !== 1) throw new UsageError('give exactly one source: --from-data DIR, --from-database URL or --from-node URL');
      if (opts.database !== undefined && !/^postgres(ql)?:\/\//.test(opts.database)) throw new UsageError('--database: expected a postgres:// URL');
      if (opts.fromDatabase !== undefined && !/^postgres(ql)?:\/\//.test(opts.fromDatabase)) throw new UsageError('--from-database: expected a postgres:// URL');
      const dataDir = resolve(opts.data);
      if (existsSync(join(dataDir, 'tributary.db')) && opts.database === undefined) throw new CliError(`${dataDir} already holds a log (tributary.db): restore into an empty directory`);
      const keyFile = opts.key ?? (opts.fromData !== undefined ? join(resolve(opts.fromData), 'node.key') : undefined);
      if (keyFile === undefined) throw new UsageError('--key FILE: the node key the log was signed with (a restored node signs its next checkpoints with it)');
      if (!existsSync(keyFile)) throw new CliError(`${keyFile}: no such key file`);

      let sourceDb: Db | undefined;
      let source: RestoreSource;
      if (opts.fromData !== undefined) {
        const path = join(resolve(opts.fromData), 'tributary.db');
        if (!existsSync(path)) throw new CliError(`${resolve(opts.fromData)} is not a node data directory (no tributary.db in it)`);
        sourceDb = openSqlite(path, { readonly: true });
        source = databaseRestoreSource(sourceDb);
      } else if (opts.fromDatabase !== undefined) {
        sourceDb = openPostgres(opts.fromDatabase);
        source = databaseRestoreSource(sourceDb);
      } else source = nodeRestoreSource(opts.fromNode!);

      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const keyPath = join(dataDir, 'node.key');
      if (!existsSync(keyPath)) copyFileSync(keyFile, keyPath);
      const key = NodeKey.loadOrCreate(dataDir);
      const bars = new Map<string, Progress>();
      let report: RestoreReport;
      try {
        report = await restoreLog(source, { dataDir, ...(opts.database ? { databaseUrl: opts.database } : {}) }, {
          verifierKey: key.verifierKey,
          onProgress: (phase, done, total) => {
            let bar = bars.get(phase);
            if (!bar) bars.set(phase, (bar = new Progress({ label: phase, total, unit: phase === 'content' ? 'steps' : 'entries', force: opts.progress })));
            bar.update(done, total);
          },
        });
      } finally {
        for (const bar of bars.values()) bar.finish();
        sourceDb?.close();
      }
      ctx.out({ dataDir, ...report, verified: { ok: report.verified.ok, size: report.verified.size, stateRoot: report.verified.stateRoot } }, () => [
        `restored ${report.entries} entries and ${report.checkpoints} signed checkpoints into ${opts.database ? 'the PostgreSQL database' : dataDir} (verified first: state root ${report.verified.stateRoot})`,
        `  contribution bytes  ${report.blobs} copied${report.missingBlobs.length ? `; ${report.missingBlobs.length} the source no longer had: ${report.missingBlobs.slice(0, 5).join(', ')}` : ''}`,
        `  node key            ${key.verifierKey}`,
        `  next                tributary start --data ${dataDir}${opts.database ? ' (with DATABASE_URL set to that database)' : ''}; copy models/ from the source too`,
      ]);
      if (report.missingBlobs.length > 0) process.exitCode = 1;
    });
}
