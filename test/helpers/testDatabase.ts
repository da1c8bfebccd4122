// Which database a test node keeps its log in. The suite runs twice (`.ci/run`): on
// SQLite in each node's data directory, and with TRIBUTARY_TEST_DATABASE=postgres on a
// PostgreSQL database of its own, named after the data directory so that a node restarted
// on the same directory finds its log again.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { verifyDataDir, verifyPostgres, type VerifyOptions, type VerifyReport } from '../../src/node/verify.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import type { Db } from '../../src/store/sql.ts';
import { openSqlite } from '../../src/store/sqlite.ts';

export const onPostgres = (): boolean => inject('pgAdminUrl') !== '';

const created = new Set<string>();

/** The DATABASE_URL a node on `dataDir` uses in this run; undefined on SQLite. */
export async function databaseUrlFor(dataDir: string): Promise<string | undefined> {
  const admin = inject('pgAdminUrl');
  if (!admin) return undefined;
  const name = `t_${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (!created.has(name)) {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!rowCount) await c.query(`CREATE DATABASE ${name}`);
    } finally {
      await c.end();
    }
    created.add(name);
  }
  return url.toString();
}

/** The environment a `tributary start` child process needs to use the same database. */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  const url = await databaseUrlFor(dataDir);
  return url ? { DATABASE_URL: url } : {};
}

/** `tributary verify` on whatever the node on `dataDir` keeps its log in. */
export async function verifyTestData(dataDir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const url = await databaseUrlFor(dataDir);
  return url ? verifyPostgres(url, opts) : verifyDataDir(dataDir, opts);
}

/** An empty database of the suite's kind (SQLite in memory, or a fresh PostgreSQL database), schema made. */
export async function openScratchDb(): Promise<Db> {
  if (!onPostgres()) return openSqlite(':memory:');
  const url = await databaseUrlFor(`scratch-${process.pid}-${Date.now()}-${Math.random()}`);
  return openPostgres(url!);
}

/** A second handle on a node's database, as an operator (or an attacker) would open it. */
export async function openTestDb(dataDir: string): Promise<Db> {
  const url = await databaseUrlFor(dataDir);
  return url ? openPostgres(url) : openSqlite(join(dataDir, 'tributary.db'));
}
