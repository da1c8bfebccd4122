// The synchronous PostgreSQL bridge against a real server: statements in order, writes in
// a transaction deferred and coalesced yet atomic, the first failure reported and the
// whole transaction rolled back, nested transactions as savepoints, and a server that
// goes away mid-transaction: DatabaseUnavailable, nothing half written, and back to work
// when the server returns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '../../test/helpers/postgres.ts';
import { numberPlaceholders, openPostgres, type PostgresDb } from './postgres.ts';
import { DatabaseUnavailable } from './sql.ts';

describe('numberPlaceholders', () => {
  it("numbers SQLite's ? as $1, $2, … and leaves quoted text alone", () => {
    expect(numberPlaceholders("SELECT ? , 'a?b', ? FROM t WHERE k = '?'")).toBe("SELECT $1 , 'a?b', $2 FROM t WHERE k = '?'");
  });
});

describe('the PostgreSQL bridge', () => {
  let pg: PostgresServer;
  let db: PostgresDb;
  beforeAll(async () => {
    pg = await startPostgres();
    db = openPostgres(pg.createDatabase('bridge'));
  });
  afterAll(() => {
    db?.close();
    pg?.destroy();
  });

  const count = () => db.prepare<[], { n: number }>('SELECT count(*) AS n FROM entries').get()!.n;
  const insert = () => db.prepare<[number, Buffer]>('INSERT INTO entries (idx, data) VALUES (?, ?)');

  it('reads its own deferred writes, in order, and commits them together', () => {
    const ins = insert();
    const get = db.prepare<[number], { data: Buffer }>('SELECT data FROM entries WHERE idx = ?');
    db.transaction(() => {
      for (let i = 0; i < 1000; i++) ins.run(i, Buffer.from(`entry ${i} 'quoted' \\ back`));
      expect(get.get(999)!.data.toString()).toBe("entry 999 'quoted' \\ back");
    })();
    expect(count()).toBe(1000);
    expect(get.get(5)!.data).toBeInstanceOf(Buffer);
  });

  it('reports the first failing write at commit and rolls the whole transaction back', () => {
    const ins = insert();
    expect(() =>
      db.transaction(() => {
        ins.run(5000, Buffer.from('new'));
        ins.run(7, Buffer.from('duplicate key')); // entry 7 exists
        ins.run(5001, Buffer.from('after the failure'));
      })(),
    ).toThrow(/duplicate key value violates unique constraint/);
    expect(count()).toBe(1000);
    // The connection is usable again.
    db.transaction(() => ins.run(5000, Buffer.from('new')))();
    expect(count()).toBe(1001);
  });

  it('runs a nested transaction as a savepoint: its failure undoes only itself', () => {
    const ins = insert();
    db.transaction(() => {
      ins.run(6000, Buffer.from('outer'));
      expect(() => db.transaction(() => ins.run(8, Buffer.from('duplicate')))()).toThrow(/duplicate key/);
      ins.run(6001, Buffer.from('outer again'));
    })();
    expect(count()).toBe(1003);
  });

  it('says the database is unavailable when the server goes away mid-transaction, writes nothing, and works once it is back', () => {
    const ins = insert();
    expect(() =>
      db.transaction(() => {
        ins.run(7000, Buffer.from('before the restart'));
        pg.stop();
        ins.run(7001, Buffer.from('after'));
        db.prepare('SELECT 1').get();
      })(),
    ).toThrow(DatabaseUnavailable);
    expect(() => count()).toThrow(DatabaseUnavailable);
    pg.start();
    expect(count()).toBe(1003);
    db.transaction(() => ins.run(7000, Buffer.from('again')))();
    expect(count()).toBe(1004);
  });
});
