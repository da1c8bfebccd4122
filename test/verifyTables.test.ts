// `verify` checks every table the API serves from, not only the log and its state root:
// a journal line, an earnings view, a payout leaf, a balance, a checkpoint's state root
// (what gets anchored on-chain) and the contribution bytes, each tampered with in a real
// node's database (SQLite, or PostgreSQL in that run), are named row by row, with what
// the node stores and what replaying the log gives. Each tampering is undone afterwards,
// and the node verifies again.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseSource, verifyLog } from '../src/node/verify.ts';
import type { Db } from '../src/store/sql.ts';
import { registerTinyModel } from './helpers/models.ts';
import { runCli } from './helpers/runCli.ts';
import { databaseUrlFor, openTestDb, verifyTestData } from './helpers/testDatabase.ts';
import { apiKeyOf, newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');
const TOKEN = 10n ** 18n;
const PLANTED = (999_000n * TOKEN).toString();

describe('tributary verify compares every materialised table with replay', () => {
  let t: TestNode;
  let work: string;
  const requester = newSigner();
  const texts = Array.from({ length: 3 }, (_, i) => Buffer.from(`tabled contribution ${i}: ` + 'mill wheel '.repeat(12 + i) + '\n'));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tributary-verify-tables-'));
    t = await startTestNode({ epochSeconds: 0 });
    const owner = newSigner();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'mill', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [i, c] of texts.entries())
      await t.client.act(newSigner(), { type: 'Contribute', datanet: 'mill', contentHash: sha(c), size: c.length, fileName: `c${i}.txt` }, c);
    await t.client.act(owner, { type: 'Snapshot', datanet: 'mill' });
    await registerTinyModel(t, owner, 'mill-chat', 'mill');
    await t.client.faucet(requester.address, (100n * TOKEN).toString());
    const key = await apiKeyOf(t.client, requester);
    await t.client.recordInference(key, { model: 'mill-chat@1', provider: newSigner().address, inputTokens: 40, output: texts[1].toString() });
    await t.client.closeEpoch();
    // Earnings after the epoch too, so that the views and the journal run past the payout.
    await t.client.recordInference(key, { model: 'mill-chat@1', provider: newSigner().address, inputTokens: 20, output: texts[2].toString() });
  });
  afterAll(async () => {
    await t?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs `tamper` on a second handle on the node's database, verifies, then `undo`es it. */
  async function verifyTampered(tamper: (d: Db) => void, undo: (d: Db) => void) {
    const d = await openTestDb(t.dataDir);
    try {
      tamper(d);
    } finally {
      d.close();
    }
    try {
      return await verifyTestData(t.dataDir);
    } finally {
      const u = await openTestDb(t.dataDir);
      try {
        undo(u);
      } finally {
        u.close();
      }
    }
  }

  async function query<R>(sql: string, ...params: unknown[]): Promise<R> {
    const d = await openTestDb(t.dataDir);
    try {
      const row = d.prepare<unknown[], R>(sql).get(...params);
      expect(row, sql).toBeDefined();
      return row!;
    } finally {
      d.close();
    }
  }

  it('an untampered node verifies, and every table was compared row by row', async () => {
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.materialised).toMatchObject({ compared: true, missingBlobs: 0 });
    const rows = report.materialised!.compared ? report.materialised!.rows : {};
    for (const table of ['state', 'journal', 'views', 'payouts', 'checkpoints', 'tree', 'blobs']) expect(rows[table], table).toBeGreaterThan(0);
  });

  it('names a journal line whose amount was changed', async () => {
    const line = await query<{ seq: number; amount: string }>('SELECT seq, amount FROM journal WHERE src = ? ORDER BY seq LIMIT 1', requester.address.toLowerCase());
    const report = await verifyTampered(
      (d) => d.prepare('UPDATE journal SET amount = ? WHERE seq = ?').run(PLANTED, line.seq),
      (d) => d.prepare('UPDATE journal SET amount = ? WHERE seq = ?').run(line.amount, line.seq),
    );
    expect(report.ok).toBe(false);
    expect(report.divergence?.row).toEqual({ table: 'journal', key: { seq: String(line.seq) }, column: 'amount', stored: PLANTED, replayed: line.amount });
    expect(report.divergence?.reason).toBe(
      `the node's materialised journal differs from replay: table journal: journal line ${line.seq}, column amount, is ${PLANTED} in the node, replay gives ${line.amount} (seq ${line.seq})`,
    );
  });

  it('names a journal line that was planted', async () => {
    const last = await query<{ seq: number; entry: number; time: number }>('SELECT seq, entry, time FROM journal ORDER BY seq DESC LIMIT 1');
    const seq = Number(last.seq) + 1;
    const report = await verifyTampered(
      (d) => d.prepare('INSERT INTO journal (seq, entry, time, src, dst, amount, memo) VALUES (?, ?, ?, ?, ?, ?, ?)').run(seq, last.entry, last.time, requester.address.toLowerCase(), 'earnings:0x000000000000000000000000000000000000dead', PLANTED, 'usage'),
      (d) => d.prepare('DELETE FROM journal WHERE seq = ?').run(seq),
    );
    expect(report.divergence?.row).toMatchObject({ table: 'journal', key: { seq: String(seq) } });
    expect(report.divergence?.row?.replayed).toBeUndefined();
    expect(report.divergence?.reason).toMatch(new RegExp(`table journal: the node holds journal line ${seq} = .*amount=${PLANTED}.*, which replay does not produce \\(seq ${seq}\\)$`));
  });

  it("names an earnings view whose usage earnings were raised (the issue's 999,000 tokens)", async () => {
    const view = await query<{ key: string; value: string }>("SELECT key, value FROM views WHERE key LIKE 'earn/a/%' ORDER BY key LIMIT 1");
    const planted = JSON.stringify({ ...JSON.parse(view.value), usage: PLANTED });
    const report = await verifyTampered(
      (d) => d.prepare('UPDATE views SET value = ? WHERE key = ?').run(planted, view.key),
      (d) => d.prepare('UPDATE views SET value = ? WHERE key = ?').run(view.value, view.key),
    );
    expect(report.divergence?.row).toEqual({ table: 'views', key: { key: view.key }, column: 'value', stored: planted, replayed: view.value });
    expect(report.divergence?.reason).toContain(`table views: the earnings view of account ${view.key.slice('earn/a/'.length)} is ${planted} in the node, replay gives ${view.value} (key ${view.key})`);
  });

  it('names an earnings view that was deleted', async () => {
    const view = await query<{ key: string; value: string }>("SELECT key, value FROM views WHERE key LIKE 'earn/c/%' ORDER BY key LIMIT 1");
    const report = await verifyTampered(
      (d) => d.prepare('DELETE FROM views WHERE key = ?').run(view.key),
      (d) => d.prepare('INSERT INTO views (key, value) VALUES (?, ?)').run(view.key, view.value),
    );
    expect(report.divergence?.row).toEqual({ table: 'views', key: { key: view.key }, replayed: view.value });
    expect(report.divergence?.reason).toContain(`table views: the earnings view of contribution ${Number(view.key.slice('earn/c/'.length))} is missing from the node; replay gives ${view.value} (key ${view.key})`);
  });

  it('names a payout leaf whose cumulative amount was changed', async () => {
    const leaf = await query<{ account: string; epoch: number; cumulative: string }>('SELECT account, epoch, cumulative FROM payouts ORDER BY account LIMIT 1');
    const report = await verifyTampered(
      (d) => d.prepare('UPDATE payouts SET cumulative = ? WHERE account = ? AND epoch = ?').run(PLANTED, leaf.account, leaf.epoch),
      (d) => d.prepare('UPDATE payouts SET cumulative = ? WHERE account = ? AND epoch = ?').run(leaf.cumulative, leaf.account, leaf.epoch),
    );
    expect(report.divergence?.row).toEqual({ table: 'payouts', key: { account: leaf.account, epoch: String(leaf.epoch) }, column: 'cumulative', stored: PLANTED, replayed: leaf.cumulative });
    expect(report.divergence?.reason).toContain(`table payouts: the payout leaf of ${leaf.account} in epoch ${leaf.epoch}, column cumulative, is ${PLANTED} in the node, replay gives ${leaf.cumulative}`);
  });

  it('names a balance that was changed', async () => {
    const key = `bal/${requester.address.toLowerCase()}`;
    const bal = await query<{ value: string }>('SELECT value FROM state WHERE key = ?', key);
    const planted = JSON.stringify(PLANTED);
    const report = await verifyTampered(
      (d) => d.prepare('UPDATE state SET value = ? WHERE key = ?').run(planted, key),
      (d) => d.prepare('UPDATE state SET value = ? WHERE key = ?').run(bal.value, key),
    );
    expect(report.divergence?.row).toEqual({ table: 'state', key: { key }, column: 'value', stored: planted, replayed: bal.value });
    expect(report.divergence?.reason).toContain(`table state: the prepaid balance of ${requester.address.toLowerCase()} is ${planted} in the node, replay gives ${bal.value} (key ${key})`);
  });

  it('names a checkpoint whose stored state root (the one anchored on-chain) was changed', async () => {
    const cp = await query<{ size: number; state_root: Buffer }>('SELECT size, state_root FROM checkpoints ORDER BY size DESC LIMIT 1');
    const forged = Buffer.alloc(32, 0xab);
    const report = await verifyTampered(
      (d) => d.prepare('UPDATE checkpoints SET state_root = ? WHERE size = ?').run(forged, cp.size),
      (d) => d.prepare('UPDATE checkpoints SET state_root = ? WHERE size = ?').run(cp.state_root, cp.size),
    );
    expect(report.divergence?.row).toEqual({
      table: 'checkpoints', key: { size: String(cp.size) }, column: 'state_root', stored: forged.toString('hex'), replayed: Buffer.from(cp.state_root).toString('hex'),
    });
  });

  it("names contribution bytes that no longer hash to their name, and a blob's reference count", async () => {
    const blob = await query<{ hash: string; data: Buffer; refs: number }>('SELECT hash, data, refs FROM blobs ORDER BY hash LIMIT 1');
    const bytes = await verifyTampered(
      (d) => d.prepare('UPDATE blobs SET data = ? WHERE hash = ?').run(Buffer.from('<script>planted</script>'), blob.hash),
      (d) => d.prepare('UPDATE blobs SET data = ? WHERE hash = ?').run(blob.data, blob.hash),
    );
    expect(bytes.divergence?.row).toEqual({ table: 'blobs', key: { hash: blob.hash }, column: 'data', stored: `bytes hashing to ${sha(Buffer.from('<script>planted</script>'))}`, replayed: `bytes hashing to ${blob.hash}` });
    const refs = await verifyTampered(
      (d) => d.prepare('UPDATE blobs SET refs = ? WHERE hash = ?').run(Number(blob.refs) + 5, blob.hash),
      (d) => d.prepare('UPDATE blobs SET refs = ? WHERE hash = ?').run(blob.refs, blob.hash),
    );
    expect(refs.divergence?.row).toEqual({ table: 'blobs', key: { hash: blob.hash }, column: 'refs', stored: String(Number(blob.refs) + 5), replayed: String(blob.refs) });
  });

  it('`tributary verify` exits 1 and names the table when earnings were planted in the journal and the views; once undone it passes', async () => {
    const url = await databaseUrlFor(t.dataDir);
    const args = url ? ['verify', '--database', url] : ['verify', '--data', t.dataDir];
    const view = await query<{ key: string; value: string }>("SELECT key, value FROM views WHERE key LIKE 'earn/a/%' ORDER BY key DESC LIMIT 1");
    const line = await query<{ seq: number; amount: string }>("SELECT seq, amount FROM journal WHERE dst LIKE 'earnings:%' ORDER BY seq DESC LIMIT 1");
    const d = await openTestDb(t.dataDir);
    try {
      d.prepare('UPDATE views SET value = ? WHERE key = ?').run(JSON.stringify({ ...JSON.parse(view.value), usage: PLANTED }), view.key);
      d.prepare('UPDATE journal SET amount = ? WHERE seq = ?').run(PLANTED, line.seq);
    } finally {
      d.close();
    }
    let run;
    try {
      run = await runCli(t.url, join(work, 'ks.json'), work, args);
    } finally {
      const u = await openTestDb(t.dataDir);
      u.prepare('UPDATE views SET value = ? WHERE key = ?').run(view.value, view.key);
      u.prepare('UPDATE journal SET amount = ? WHERE seq = ?').run(line.amount, line.seq);
      u.close();
    }
    expect(run.code, run.stderr).toBe(1);
    // The journal is compared before the views: its line is the first difference.
    expect(run.stdout).toContain(`table journal diverges: the node's materialised journal differs from replay: table journal: journal line ${line.seq}, column amount, is ${PLANTED} in the node, replay gives ${line.amount} (seq ${line.seq})`);
    const ok = await runCli(t.url, join(work, 'ks.json'), work, args);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/tables {6}every row the API serves matches replay: state \d+, journal \d+, views \d+, payouts \d+/);
  });

  it('compares the tables of a node that appends while verify reads it, by replaying what it appended', async () => {
    const d = await openTestDb(t.dataDir);
    try {
      const source = databaseSource(d);
      let appended = false;
      const sizeBefore = t.node.size;
      const report = await verifyLog({
        ...source,
        // The node sequences one more entry right after verify listed its checkpoints.
        checkpoints: async (after, limit) => {
          const page = await source.checkpoints(after, limit);
          if (!appended) {
            appended = true;
            const c = Buffer.from('appended while verify ran\n');
            await t.client.act(newSigner(), { type: 'Contribute', datanet: 'mill', contentHash: sha(c), size: c.length, fileName: 'late.txt' }, c);
          }
          return page;
        },
      });
      expect(report.divergence).toBeUndefined();
      expect(report.size).toBe(sizeBefore + 1);
      expect(report.materialised).toMatchObject({ compared: true });
    } finally {
      d.close();
    }
  });
});
