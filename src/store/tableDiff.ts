// Compares one table as two databases hold it (a node's, and the one a replay rebuilt),
// row by row in primary-key order, and yields every row that differs. Generic over
// tables: a spec names the key columns and the value columns. Each side is read a page at
// a time by keyset (`WHERE key > last ORDER BY key LIMIT n`), so memory stays bounded
// whatever the table's size, on SQLite and PostgreSQL alike. It never writes.
import type { Db } from './sql.ts';

export interface TableSpec {
  table: string;
  /**
   * The primary key's columns, in key order. Text compares as bytes: SQLite's order, and
   * PostgreSQL's for the "C" collation every text key of the schema uses.
   */
  key: ReadonlyArray<{ column: string; type: 'int' | 'text' }>;
  /** The value columns to compare. */
  columns: readonly string[];
}

/** A row with every column as text: numbers in decimal, bytes in hex. */
export type Row = Record<string, string>;

export interface RowDifference {
  table: string;
  /** The row's key, column by column. */
  key: Row;
  /** The first value column that differs; absent when one side lacks the row. */
  column?: string;
  /** What the node stores (absent: it lacks the row). */
  stored?: string;
  /** What replay gives (absent: replay has no such row). */
  replayed?: string;
}

const PAGE = 1000;

/** Every row of a table in key order, read a page at a time. */
export function* pagedRows(db: Db, spec: TableSpec, pageSize = PAGE): Generator<Row> {
  const keys = spec.key.map((k) => k.column);
  const cols = [...keys, ...spec.columns].join(', ');
  const order = keys.join(', ');
  const after = keys.length === 1 ? `${keys[0]} > ?` : `(${order}) > (${keys.map(() => '?').join(', ')})`;
  const first = db.prepare<[number], Record<string, unknown>>(`SELECT ${cols} FROM ${spec.table} ORDER BY ${order} LIMIT ?`);
  const next = db.prepare<unknown[], Record<string, unknown>>(`SELECT ${cols} FROM ${spec.table} WHERE ${after} ORDER BY ${order} LIMIT ?`);
  let last: Row | undefined;
  for (;;) {
    const page = last ? next.all(...spec.key.map((k) => (k.type === 'int' ? Number(last![k.column]) : last![k.column])), pageSize) : first.all(pageSize);
    for (const raw of page) {
      last = asText(raw);
      yield last;
    }
    if (page.length < pageSize) return;
  }
}

/** The rows where `stored` and `replayed` disagree on `spec`'s table, in key order. */
export function* tableDifferences(stored: Db, replayed: Db, spec: TableSpec, pageSize = PAGE): Generator<RowDifference> {
  const s = pagedRows(stored, spec, pageSize);
  const r = pagedRows(replayed, spec, pageSize);
  const keyOf = (row: Row): Row => Object.fromEntries(spec.key.map((k) => [k.column, row[k.column]]));
  let a = s.next();
  let b = r.next();
  while (!a.done || !b.done) {
    const c = a.done ? 1 : b.done ? -1 : compareKeys(spec, a.value, b.value);
    if (c < 0) {
      yield { table: spec.table, key: keyOf(a.value!), stored: describeRow(spec, a.value!) };
      a = s.next();
    } else if (c > 0) {
      yield { table: spec.table, key: keyOf(b.value!), replayed: describeRow(spec, b.value!) };
      b = r.next();
    } else {
      const column = spec.columns.find((col) => a.value![col] !== b.value![col]);
      if (column !== undefined) yield { table: spec.table, key: keyOf(a.value!), column, stored: a.value![column], replayed: b.value![column] };
      a = s.next();
      b = r.next();
    }
  }
}

/** Number of rows in a table (for reports). */
export function countRows(db: Db, table: string): number {
  return Number(db.prepare<[], { n: number | string }>(`SELECT count(*) AS n FROM ${table}`).get()!.n);
}

function compareKeys(spec: TableSpec, x: Row, y: Row): number {
  for (const k of spec.key) {
    const c = k.type === 'int' ? Math.sign(Number(x[k.column]) - Number(y[k.column])) : Buffer.compare(Buffer.from(x[k.column]), Buffer.from(y[k.column]));
    if (c !== 0) return c;
  }
  return 0;
}

/** A whole row's values, for a row only one side has. */
function describeRow(spec: TableSpec, row: Row): string {
  return spec.columns.length === 1 ? row[spec.columns[0]] : spec.columns.map((c) => `${c}=${row[c]}`).join(', ');
}

function asText(raw: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(raw)) out[k] = Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v === null ? 'NULL' : String(v);
  return out;
}
