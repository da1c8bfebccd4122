// The tables a node materialises from its log and serves the API from (state and
// balances, the journal, the earnings views, payout leaves, signed checkpoints with their
// state roots, the Merkle tree, blob references), and the comparison `verify` makes of
// each with the same table rebuilt by replay. It names the first row that differs: table,
// key, column, what the node stores and what replay gives. The list is of tables, not of
// actions: whatever an action writes through `recordEntry` lands in one of them, so a new
// action type is covered without a change here. It must never write to the node's
// database, and it reads it in one snapshot, so a running node cannot make it see a torn
// state.
import { createHash } from 'node:crypto';
import { describeMoneyKey } from '../settlement/audit.ts';
import { EntryStore } from '../store/entryStore.ts';
import type { Db } from '../store/sql.ts';
import { countRows, pagedRows, type Row, type RowDifference, type TableSpec, tableDifferences } from '../store/tableDiff.ts';

interface MaterialisedTable extends TableSpec {
  /** A row's key as a person would name it. */
  name(key: Row): string;
}

const text = (column: string) => ({ column, type: 'text' as const });
const int = (column: string) => ({ column, type: 'int' as const });

/** The Merkle tree's stored nodes (level 0: the leaf hashes). */
export const TREE_TABLE: TableSpec = { table: 'tree', key: [int('level'), int('idx')], columns: ['hash'] };

/** In the order they are compared: the first difference found is the one reported. */
export const MATERIALISED_TABLES: readonly MaterialisedTable[] = [
  { table: 'state', key: [text('key')], columns: ['value'], name: (k) => describeMoneyKey(k.key) ?? `state key ${k.key}` },
  { table: 'journal', key: [int('seq')], columns: ['entry', 'time', 'src', 'dst', 'amount', 'memo'], name: (k) => `journal line ${k.seq}` },
  { table: 'views', key: [text('key')], columns: ['value'], name: (k) => describeMoneyKey(k.key) ?? `view ${k.key}` },
  { table: 'payouts', key: [text('account'), int('epoch')], columns: ['cumulative'], name: (k) => `the payout leaf of ${k.account} in epoch ${k.epoch}` },
  { table: 'checkpoints', key: [int('size')], columns: ['note', 'state_root'], name: (k) => `the checkpoint at size ${k.size}` },
  { ...TREE_TABLE, name: (k) => `the tree node at level ${k.level}, index ${k.idx}` },
  { table: 'blobs', key: [text('hash')], columns: ['refs'], name: (k) => `the contribution bytes ${k.hash}` },
];

/** A materialised row that differs from what replaying the log gives. */
export class MaterialisedMismatch extends Error {
  override readonly name = 'MaterialisedMismatch';
  constructor(readonly difference: RowDifference & { what: string }) {
    const d = difference;
    const key = `(${Object.entries(d.key).map(([c, v]) => `${c} ${v}`).join(', ')})`;
    // A table with one value column reads as "X is A in the node"; with several, the column is named.
    const what = d.column === undefined || d.column === 'value' ? d.what : `${d.what}, column ${d.column},`;
    super(
      `table ${d.table}: ` +
        (d.stored === undefined
          ? `${what} is missing from the node; replay gives ${d.replayed} ${key}`
          : d.replayed === undefined
            ? `the node holds ${what} = ${d.stored}, which replay does not produce ${key}`
            : `${what} is ${d.stored} in the node, replay gives ${d.replayed} ${key}`),
    );
  }
}

export type MaterialisedReport =
  | {
      compared: true;
      /** Rows compared, by table (as replay rebuilt them). */
      rows: Record<string, number>;
      /**
       * Live contributions whose bytes the node no longer holds (a restore whose source had
       * lost them): the API answers that they are gone, it serves nothing false.
       */
      missingBlobs: number;
    }
  | { compared: false; reason: string };

/**
 * Compares every materialised table of `node` with `replay`'s (the same log, replayed to
 * `size` entries). Throws MaterialisedMismatch at the first row that differs.
 */
export function compareMaterialised(node: Db, replay: Db, size: number): MaterialisedReport {
  return node.transaction((): MaterialisedReport => {
    // One snapshot for every table (SQLite: the transaction's first read fixes it).
    if (node.dialect === 'postgres') node.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const count = new EntryStore(node).count();
    if (count !== size)
      return { compared: false, reason: `the node holds ${count} entries, replay reached ${size}: the node kept appending while verify read it` };
    const rows: Record<string, number> = {};
    let missingBlobs = 0;
    for (const spec of MATERIALISED_TABLES) {
      for (const d of tableDifferences(node, replay, spec)) {
        // Bytes a restore could not fetch: the contribution stands, its content is gone.
        if (spec.table === 'blobs' && d.stored === undefined) missingBlobs++;
        else throw new MaterialisedMismatch({ ...d, what: spec.name(d.key) });
      }
      rows[spec.table] = countRows(replay, spec.table);
    }
    checkBlobBytes(node);
    return { compared: true, rows, missingBlobs };
  })();
}

/** Every stored blob's bytes hash to the name they are served under. */
function checkBlobBytes(node: Db): void {
  const get = node.prepare<[string], { data: Buffer }>('SELECT data FROM blobs WHERE hash = ?');
  for (const { hash } of pagedRows(node, { table: 'blobs', key: [text('hash')], columns: [] })) {
    const data = get.get(hash)?.data;
    if (!data) continue;
    const got = '0x' + createHash('sha256').update(data).digest('hex');
    if (got !== hash.toLowerCase())
      throw new MaterialisedMismatch({ table: 'blobs', key: { hash }, column: 'data', stored: `bytes hashing to ${got}`, replayed: `bytes hashing to ${hash}`, what: `the contribution bytes ${hash}` });
  }
}
