import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from './sql.ts';
import { openSqlite } from './sqlite.ts';
import { pagedRows, tableDifferences, type TableSpec } from './tableDiff.ts';

const VIEWS: TableSpec = { table: 'views', key: [{ column: 'key', type: 'text' }], columns: ['value'] };
const PAYOUTS: TableSpec = { table: 'payouts', key: [{ column: 'account', type: 'text' }, { column: 'epoch', type: 'int' }], columns: ['cumulative'] };
const TREE: TableSpec = { table: 'tree', key: [{ column: 'level', type: 'int' }, { column: 'idx', type: 'int' }], columns: ['hash'] };

describe('tableDifferences', () => {
  let a: Db;
  let b: Db;
  beforeEach(() => {
    a = openSqlite(':memory:');
    b = openSqlite(':memory:');
  });
  afterEach(() => {
    a.close();
    b.close();
  });
  const put = (db: Db, key: string, value: string) => db.prepare('INSERT INTO views (key, value) VALUES (?, ?)').run(key, value);

  it('reads a table in key order across pages, composite keys included', () => {
    for (const [acct, epoch] of [['0xb', 2], ['0xa', 10], ['0xa', 9], ['0xb', 1], ['0xa', 1]] as const)
      a.prepare('INSERT INTO payouts (account, epoch, cumulative) VALUES (?, ?, ?)').run(acct, epoch, `${acct}/${epoch}`);
    const rows = [...pagedRows(a, PAYOUTS, 2)].map((r) => `${r.account}/${r.epoch}`);
    expect(rows).toEqual(['0xa/1', '0xa/9', '0xa/10', '0xb/1', '0xb/2']);
  });

  it('merges in the databases\' byte order, not UTF-16 order, whatever the characters in the keys', () => {
    // U+FFFF sorts after an astral character in UTF-16 but before it in UTF-8 bytes, as the databases order them.
    const keys = ['a', 'b', 'é', '\uffff', '😀', 'zzz'];
    for (const k of keys) {
      put(a, k, 'v' + k);
      if (k !== '\uffff') put(b, k, 'v' + k);
    }
    expect([...tableDifferences(a, b, VIEWS, 2)]).toEqual([{ table: 'views', key: { key: '\uffff' }, stored: 'v\uffff' }]);
  });

  it('names a changed value, a row only the node has, and a row only replay has, in key order', () => {
    for (const k of ['k1', 'k2', 'k4']) put(a, k, 'same');
    for (const k of ['k1', 'k3', 'k4']) put(b, k, 'same');
    a.prepare("UPDATE views SET value = 'forged' WHERE key = 'k4'").run();
    expect([...tableDifferences(a, b, VIEWS, 2)]).toEqual([
      { table: 'views', key: { key: 'k2' }, stored: 'same' },
      { table: 'views', key: { key: 'k3' }, replayed: 'same' },
      { table: 'views', key: { key: 'k4' }, column: 'value', stored: 'forged', replayed: 'same' },
    ]);
  });

  it('compares integer keys as numbers and bytes as hex', () => {
    for (const db of [a, b]) for (const idx of [2, 10, 1]) db.prepare('INSERT INTO tree (level, idx, hash) VALUES (0, ?, ?)').run(idx, Buffer.from([idx]));
    b.prepare('UPDATE tree SET hash = ? WHERE idx = 10').run(Buffer.from([0xff]));
    expect([...tableDifferences(a, b, TREE, 1)]).toEqual([{ table: 'tree', key: { level: '0', idx: '10' }, column: 'hash', stored: '0a', replayed: 'ff' }]);
  });
});
