// The in-memory ledger that the actions' unit tests run on must fold an entry exactly as
// the node's writers do, or those tests would prove rules about a ledger no node keeps.
// So: a log with every kind of effect (blob references kept and released, journal lines,
// views, payout leaves) is built in memory, then replayed entry by entry through the
// node's own path (authenticate, apply, recordEntry) into SQLite, and every table is
// compared: state (rows, listing order and state root), journal, views, payouts, blobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { account, contribute, fund, memoryLedger, openDatanet, sha256, trainedModel } from '../../test/fixtures/memoryLedgers.ts';
import { hashLeaf } from '../ledger/hasher.ts';
import { MerkleTree } from '../ledger/tree.ts';
import { canonicalize } from '../protocol/canonical.ts';
import { encodeEntry } from '../protocol/entry.ts';
import { EntryStore } from '../store/entryStore.ts';
import { SqliteHashStore } from '../store/hashStore.ts';
import { MoneyStore } from '../store/moneyStore.ts';
import { openSqlite } from '../store/sqlite.ts';
import { scanStateHash, SqliteState } from '../store/stateStore.ts';
import { recordEntry } from './applyEntry.ts';

const dir = mkdtempSync(join(tmpdir(), 'tributary-memory-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the in-memory ledger against the node’s writers', () => {
  it('gives the same tables as replaying its log through recordEntry into SQLite', () => {
    const l = memoryLedger();
    const [owner, alice, bob, caller, provider] = [account(), account(), account(), account(), account()];
    const { model, contributions } = trainedModel(l, owner, [alice, bob], [30, 10]);
    const dn = openDatanet(l, owner);
    const withdrawn = contribute(l, alice, dn, 'to be withdrawn');
    contribute(l, bob, dn, 'kept');
    l.act(alice, { type: 'OptOut', contribution: withdrawn, reason: '' });
    fund(l, caller, 50_000n);
    const hold = l.node({ type: 'ReserveInference', model, requester: caller.address, inputTokens: 100, maxTokens: 900, holder: 'a/1', ttlMs: 1000 }).index;
    const infer = { type: 'InferenceRecord', model, requester: caller.address, provider: provider.address, inputTokens: 100, outputTokens: 700, outputHash: sha256('out') };
    l.node({ ...infer, contributions: [contributions[0], contributions[1]], weightsPpm: [300_000, 200_000], reservation: hold });
    l.node({ ...infer, contributions: [], weightsPpm: [], reservation: 0 });
    l.node({ type: 'CloseEpoch', epoch: 1 });
    l.node({ ...infer, contributions: [contributions[1]], weightsPpm: [1], reservation: 0 });
    l.node({ type: 'CloseEpoch', epoch: 2 });
    expect(l.payouts.length).toBeGreaterThan(0);

    const db = openSqlite(join(dir, 'replay.db'));
    try {
      const state = new SqliteState(db);
      const money = new MoneyStore(db);
      const entries = new EntryStore(db);
      const tree = new MerkleTree(new SqliteHashStore(db), 0);
      const blobs = new Map<string, number>();
      db.transaction(() => {
        for (const entry of l.entries) {
          const signer = l.protocol.authenticate(l.params, entry.action, entry.auth);
          const applied = l.protocol.apply(state, l.params, entry, signer);
          const bytes = encodeEntry(entry);
          recordEntry({ entries, tree, state, money, blobs: {
            retain: (h) => blobs.set(h, (blobs.get(h) ?? 0) + 1),
            release: (h) => blobs.set(h, blobs.get(h)! - 1),
          } }, entry, bytes, hashLeaf(bytes), applied);
        }
      })();

      const rows = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM state ORDER BY key').all();
      expect(l.state.list('').map(([k, v]) => [k, canonicalize(v)])).toEqual(rows.map((r) => [r.key, r.value]));
      expect(l.state.hash.root().toString('hex')).toBe(state.hash.root().toString('hex'));
      expect(scanStateHash(db).root().toString('hex')).toBe(l.state.hash.root().toString('hex'));
      const journal = db.prepare<[], { entry: number; time: number; src: string; dst: string; amount: string; memo: string }>('SELECT entry, time, src, dst, amount, memo FROM journal ORDER BY seq').all();
      expect(l.journal).toEqual(journal.map((j) => ({ entry: j.entry, time: j.time, from: j.src, to: j.dst, amount: j.amount, memo: j.memo })));
      const views = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM views ORDER BY key').all();
      expect([...l.views].sort((a, b) => (a[0] < b[0] ? -1 : 1))).toEqual(views.map((v) => [v.key, JSON.parse(v.value)]));
      const payouts = db.prepare<[], { account: string; epoch: number; cumulative: string }>('SELECT account, epoch, cumulative FROM payouts ORDER BY epoch, account').all();
      const byEpoch = (a: { epoch: number; account: string }, b: { epoch: number; account: string }) => a.epoch - b.epoch || (a.account < b.account ? -1 : 1);
      expect([...l.payouts].sort(byEpoch)).toEqual(payouts.map((p) => ({ ...p })));
      expect(l.blobs).toEqual(new Map([...blobs].filter(([, n]) => n > 0)));
      expect(entries.count()).toBe(l.size);
    } finally {
      db.close();
    }
  });
});
