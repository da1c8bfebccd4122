// The SQL the stores speak, whichever database is underneath: prepared statements and
// transactions, synchronous like better-sqlite3's. The sequencer commits a batch as
// one synchronous step, and keeping that shape for PostgreSQL (through a worker
// thread, see postgres.ts) keeps every store and the sequencer the same code for both.

export type Dialect = 'sqlite' | 'postgres';

export interface Statement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): unknown;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  iterate(...params: P): IterableIterator<R>;
}

export interface Db {
  readonly dialect: Dialect;
  /** `?` placeholders; SQL that both dialects accept unless the caller checks `dialect`. */
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R>;
  /** Wraps `fn` so that calling the result runs it in one transaction (nested: a savepoint). */
  transaction<T>(fn: () => T): () => T;
  exec(sql: string): void;
  close(): void;
}

/** The database could not be reached or did not answer: the request may be retried later. */
export class DatabaseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailable';
  }
}

/**
 * Whether a write failed only because the disk (or quota) is full: SQLite's SQLITE_FULL, a
 * file write's ENOSPC or EDQUOT, PostgreSQL's disk_full (SQLSTATE 53100). Such a write
 * rolled back whole, so the client may retry it unchanged.
 */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || code === '53100';
}
