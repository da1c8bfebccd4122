// PostgreSQL behind the same synchronous Db as SQLite. A worker thread owns the
// connection (postgresWorker.mjs); the main thread posts a statement and blocks on a
// shared flag until the answer is on the port (Atomics.wait + receiveMessageOnPort).
// Blocking is what SQLite does too, and it keeps a batch commit one synchronous step,
// so the sequencer cannot interleave two batches. Writes inside a transaction are not
// waited for: the worker runs them in order while the main thread goes on, and the
// first failure is reported at the next read or at COMMIT, which then rolls back.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { postgresMigrations } from './migrations.ts';
import { DatabaseUnavailable, type Db, type Statement } from './sql.ts';

/** How long one statement may take before the database counts as unreachable. */
const ANSWER_TIMEOUT_MS = 15_000;
/** Held while migrating, so that nodes starting together migrate once. */
const MIGRATION_LOCK = 7_105_001;

interface Reply {
  id: number;
  ok: boolean;
  rows?: Array<Record<string, unknown>>;
  changes?: number;
  error?: { message: string; code?: string; unavailable?: boolean };
}

export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private seq = 0;
  private depth = 0;
  private closed = false;

  constructor(readonly url: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./postgresWorker.mjs', import.meta.url), {
      workerData: { url, flag: this.flag.buffer, port: port2 },
      transferList: [port2],
    });
    // The worker only ever waits on its port; it must not keep the process alive.
    this.worker.unref();
    this.port.unref();
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Statement<P, R> {
    const text = numberPlaceholders(sql);
    return {
      run: (...params: P) => {
        if (this.depth > 0) this.post({ sql: text, params, defer: true });
        else this.call({ sql: text, params });
        return undefined;
      },
      get: (...params: P) => this.call({ sql: text, params, rows: true }).rows![0] as R | undefined,
      all: (...params: P) => this.call({ sql: text, params, rows: true }).rows as R[],
      // Read whole: the callers that iterate (verify, audits) read tables a node can hold in memory.
      iterate: (...params: P) => (this.call({ sql: text, params, rows: true }).rows as R[])[Symbol.iterator](),
    };
  }

  transaction<T>(fn: () => T): () => T {
    return () => {
      const outer = this.depth === 0;
      const sp = `sp${this.depth}`;
      this.call(outer ? { sql: 'BEGIN', tx: 'begin' } : { sql: `SAVEPOINT ${sp}` });
      this.depth++;
      let result: T;
      try {
        result = fn();
        this.call(outer ? { sql: 'COMMIT', tx: 'commit' } : { sql: `RELEASE SAVEPOINT ${sp}` });
      } catch (e) {
        this.depth--;
        try {
          this.call(outer ? { sql: 'ROLLBACK', tx: 'rollback' } : { sql: `ROLLBACK TO SAVEPOINT ${sp}` });
        } catch {
          // The connection is gone, and the transaction with it; the first error says why.
        }
        throw e;
      }
      this.depth--;
      return result;
    };
  }

  exec(sql: string): void {
    if (this.depth > 0) this.post({ sql, defer: true });
    else this.call({ sql });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.call({ op: 'close', sql: '' });
    } catch {
      // Closing anyway.
    }
    void this.worker.terminate();
  }

  private post(msg: Record<string, unknown>): number {
    if (this.closed) throw new Error('the database is closed');
    const id = ++this.seq;
    this.port.postMessage({ ...msg, id });
    return id;
  }

  private call(msg: Record<string, unknown>): Reply {
    const id = this.post(msg);
    const deadline = Date.now() + ANSWER_TIMEOUT_MS;
    for (;;) {
      Atomics.store(this.flag, 0, 0);
      const got = receiveMessageOnPort(this.port);
      if (got) {
        const reply = got.message as Reply;
        if (reply.id !== id) continue; // the answer to a statement we stopped waiting for
        if (reply.ok) {
          // Structured cloning turned the worker's Buffers into plain Uint8Arrays.
          for (const row of reply.rows ?? [])
            for (const k in row) if (row[k] instanceof Uint8Array) row[k] = Buffer.from((row[k] as Uint8Array).buffer, (row[k] as Uint8Array).byteOffset, (row[k] as Uint8Array).byteLength);
          return reply;
        }
        const { message, code, unavailable } = reply.error!;
        if (unavailable) throw new DatabaseUnavailable(`PostgreSQL is unavailable: ${message}`);
        throw Object.assign(new Error(`PostgreSQL: ${message}`), { code });
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new DatabaseUnavailable(`PostgreSQL did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.flag, 0, 0, left);
    }
  }
}

/** SQLite's `?` placeholders as PostgreSQL's `$1, $2, …`, leaving quoted text alone. */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  let out = '';
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  return out;
}

export function openPostgres(url: string): PostgresDb {
  const db = new PostgresDb(url);
  try {
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function migrate(db: PostgresDb): void {
  db.transaction(() => {
    db.prepare('SELECT pg_advisory_xact_lock(?)').get(MIGRATION_LOCK);
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare<[], { version: number }>('SELECT version FROM schema_version').get();
    const version = row?.version ?? 0;
    if (version > postgresMigrations.length)
      throw new Error(`database schema version ${version} is newer than this program (${postgresMigrations.length}); upgrade tributary`);
    for (let v = version; v < postgresMigrations.length; v++) db.exec(postgresMigrations[v]);
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(postgresMigrations.length);
    else db.prepare('UPDATE schema_version SET version = ?').run(postgresMigrations.length);
  })();
}
