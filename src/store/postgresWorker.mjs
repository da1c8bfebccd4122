// The PostgreSQL side of the synchronous bridge (postgres.ts): runs in a worker thread,
// owns one connection, and executes the main thread's statements strictly in the order
// they were posted. Replies go on the port, then the shared flag wakes the main thread.
// Statements posted with `defer` (writes inside a transaction) get no reply; the first
// one to fail is reported to the next statement that waits.
import { workerData } from 'node:worker_threads';
import pg from 'pg';

const { url, flag, port } = workerData;
const wake = new Int32Array(flag);
// BIGINT columns (log indexes, times) fit in a double; the stores expect numbers.
pg.types.setTypeParser(20, (v) => Number(v));

let client;
let inTx = false;
let txBroken = false; // the connection dropped inside a transaction: it is gone, say so until ROLLBACK
let deferredError;
const queue = [];
let running = false;

port.on('message', (msg) => {
  queue.push(msg);
  if (!running) void drain();
});

/** Deferred writes sent together, as one multi-statement query: one round trip, not one each. */
const MAX_COALESCED = 500;

async function drain() {
  running = true;
  while (queue.length > 0) {
    let msg = queue.shift();
    if (msg.defer && queue[0]?.defer) {
      const group = [msg];
      while (group.length < MAX_COALESCED && queue[0]?.defer) group.push(queue.shift());
      msg = { defer: true, sql: group.map(inline).join(';\n'), id: msg.id };
    }
    const reply = await handle(msg);
    if (!msg.defer) {
      port.postMessage({ id: msg.id, ...reply });
      Atomics.store(wake, 0, 1);
      Atomics.notify(wake, 0);
    } else if (!reply.ok && !deferredError) deferredError = reply.error;
    if (msg.op === 'close') break;
  }
  running = false;
}

async function handle(msg) {
  if (msg.op === 'close') {
    const c = client;
    client = undefined;
    await c?.end().catch(() => {});
    return { ok: true };
  }
  if (msg.tx === 'rollback') {
    const broken = txBroken;
    inTx = false;
    txBroken = false;
    deferredError = undefined;
    if (broken || !client) return { ok: true };
    return run(msg);
  }
  if (deferredError && !msg.defer) {
    const error = deferredError;
    deferredError = undefined;
    return { ok: false, error };
  }
  if (deferredError) return { ok: true }; // the transaction already failed; ROLLBACK is coming
  if (txBroken) return { ok: false, error: { message: 'the connection to PostgreSQL was lost during the transaction', unavailable: true } };
  const r = await run(msg);
  if (r.ok && msg.tx === 'begin') inTx = true;
  if (msg.tx === 'commit') inTx = false;
  return r;
}

async function run(msg) {
  try {
    if (!client) {
      if (inTx) {
        txBroken = true;
        return { ok: false, error: { message: 'the connection to PostgreSQL was lost during the transaction', unavailable: true } };
      }
      // A server that stops answering (a partition, not a refusal) must not hold this queue
      // forever: give up on a statement before the main thread does (postgres.ts, 15 s), drop
      // the connection, and start a fresh one for the next. TCP keep-alives notice a dead peer.
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 14_000, keepAlive: true });
      c.on('error', () => {
        if (client === c) client = undefined;
      });
      await c.connect();
      client = c;
    }
    const params = msg.params?.map((p) => (p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p));
    // Statements with parameters are prepared once per connection (by their text) and reused.
    const res = params && params.length > 0 ? await client.query({ name: statementName(msg.sql), text: msg.sql, values: params }) : await client.query(msg.sql);
    return { ok: true, rows: msg.rows ? res.rows : undefined, changes: res.rowCount ?? 0 };
  } catch (e) {
    const unavailable = isConnectionError(e);
    if (unavailable) {
      const c = client;
      client = undefined;
      c?.end().catch(() => {});
      if (inTx) txBroken = true;
    }
    return { ok: false, error: { message: e?.message ?? String(e), code: e?.code, unavailable } };
  }
}

function isConnectionError(e) {
  const code = typeof e?.code === 'string' ? e.code : '';
  // Class 08 is connection exceptions; 57P01–57P03 are shutdowns and a server still starting.
  if (code.startsWith('08') || code.startsWith('57P')) return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  return /Connection terminated|timeout expired|Query read timeout|not queryable|Client has encountered a connection error/i.test(e?.message ?? '');
}

/** A statement with its parameters written in as literals (the simple protocol takes no parameters). */
function inline(msg) {
  if (!msg.params || msg.params.length === 0) return msg.sql;
  return msg.sql.replace(/\$(\d+)/g, (_, n) => literal(msg.params[Number(n) - 1]));
}

function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot store ${v}`);
    return String(v);
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Uint8Array) return `'\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'::bytea`;
  if (typeof v === 'string') return pg.Client.prototype.escapeLiteral(v);
  throw new Error(`cannot store a ${typeof v}`);
}

const names = new Map();
function statementName(sql) {
  let n = names.get(sql);
  if (!n) {
    n = `s${names.size}`;
    names.set(sql, n);
  }
  return n;
}
