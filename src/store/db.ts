// Opens the node's database: SQLite in the data directory by default, PostgreSQL when
// a postgres:// URL is given (several API nodes sharing one database).
import { join } from 'node:path';
import { openPostgres } from './postgres.ts';
import type { Db } from './sql.ts';
import { openSqlite } from './sqlite.ts';

export type { Db } from './sql.ts';

export function openDatabase(at: { dataDir: string; databaseUrl?: string }): Db {
  return at.databaseUrl ? openPostgres(at.databaseUrl) : openSqlite(join(at.dataDir, 'tributary.db'));
}
