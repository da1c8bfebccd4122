// Opens the node's SQLite database with the settings durability depends on: WAL and
// synchronous=FULL, so that a committed transaction survives power loss, and
// secure_delete, so that an opted-out blob's bytes are overwritten, not just unlinked.
import Database from 'better-sqlite3';
import { sqliteMigrations } from './migrations.ts';
import type { Db } from './sql.ts';

export interface SqliteDb extends Db {
  readonly raw: Database.Database;
}

/** `scratch`: a throwaway database (verify's replay), where durability buys nothing. */
export function openSqlite(path: string, opts: { readonly?: boolean; scratch?: boolean } = {}): SqliteDb {
  const raw = new Database(path, opts.readonly ? { readonly: true, fileMustExist: true } : {});
  if (!opts.readonly) {
    raw.pragma('journal_mode = WAL');
    raw.pragma(opts.scratch ? 'synchronous = OFF' : 'synchronous = FULL');
    raw.pragma('secure_delete = ON');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    migrate(raw);
  }
  return {
    dialect: 'sqlite',
    raw,
    prepare: (sql) => raw.prepare(sql) as never,
    transaction: (fn) => raw.transaction(fn),
    exec: (sql) => void raw.exec(sql),
    close: () => raw.close(),
  };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > sqliteMigrations.length)
    throw new Error(`database schema version ${version} is newer than this program (${sqliteMigrations.length}); upgrade tributary`);
  for (let v = version; v < sqliteMigrations.length; v++) {
    db.transaction(() => {
      db.exec(sqliteMigrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
