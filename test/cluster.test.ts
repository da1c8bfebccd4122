// Several API nodes on one PostgreSQL database: one holds the sequencer lease and
// sequences; the others queue writes in the database and answer with the same receipts;
// when the lease holder goes, another takes over and nothing acknowledged is lost.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import pgLib from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '../src/node/receipt.ts';
import { verifyPostgres } from '../src/node/verify.ts';
import { type PostgresServer, startPostgres } from './helpers/postgres.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { until } from './helpers/wait.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const env = { TRIBUTARY_TAKEOVER_MS: '100', TRIBUTARY_AUTH_WORKERS: '0' };

describe('two API nodes, one sequencer, one PostgreSQL database', () => {
  let pg: PostgresServer;
  let url: string;
  let a: TestNode;
  let b: TestNode;
  const dirs: string[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    url = pg.createDatabase('cluster');
    const dirA = mkdtempSync(join(tmpdir(), 'tributary-cluster-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'tributary-cluster-b-'));
    dirs.push(dirA, dirB);
    a = await startTestNode({}, { dataDir: dirA, env: { ...env, DATABASE_URL: url } });
    // One log, one key: every node of a cluster signs checkpoints with the same node key.
    copyFileSync(join(dirA, 'node.key'), join(dirB, 'node.key'));
    // Node b follows the log only when asked (no polling in these tests), so that reading
    // its own and others' fresh entries has to catch up on demand.
    b = await startTestNode({}, { dataDir: dirB, env: { ...env, DATABASE_URL: url, TRIBUTARY_FOLLOW_POLL_MS: '600000' } });
  });
  afterAll(async () => {
    await a?.stop().catch(() => {});
    await b?.stop().catch(() => {});
    pg?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('sequences on the lease holder; the other node queues, answers with a valid receipt, and sees every entry', async () => {
    expect(a.node.sequencing).toBe(true);
    expect(b.node.sequencing).toBe(false);
    const key = await a.client.verifierKey();
    expect(await b.client.verifierKey()).toBe(key);

    const owner = newSigner();
    const created = await b.client.act(owner, { type: 'CreateDatanet', name: 'shared', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    expect(created.result).toEqual({ datanet: 'shared' });
    expect(verifyReceipt(created, key).index).toBe(created.index);

    const receipts = [];
    for (let i = 0; i < 6; i++) {
      const via = i % 2 ? a : b;
      const c = Buffer.from(`contribution ${i} sent to node ${i % 2 ? 'a' : 'b'}\n`);
      receipts.push(await via.client.act(newSigner(), { type: 'Contribute', datanet: 'shared', contentHash: sha(c), size: c.length, fileName: `c${i}.txt` }, c));
    }
    for (const r of receipts) expect(verifyReceipt(r, key).index).toBe(r.index);
    // The indexes are distinct and in order: one sequence, whichever node took the request.
    expect(new Set(receipts.map((r) => r.index)).size).toBe(6);

    // A refusal on the lease holder reaches the client of the other node unchanged.
    const c = Buffer.from('contribution 0 sent to node b\n');
    const replay = b.client.act(newSigner(), { type: 'Contribute', datanet: 'nope', contentHash: sha(c), size: c.length, fileName: 'x.txt' }, c);
    await expect(replay).rejects.toMatchObject({ status: 404, field: 'action.datanet' });

    // Read your write on the other node at once: it catches up when asked for an entry it has not seen.
    const fresh = await a.client.act(newSigner(), { type: 'CreateDatanet', name: 'fresh', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    expect((await b.client.entry(fresh.index)).leafHash).toBe(fresh.leafHash);
    const proof = await fetch(`${b.url}/v1/log/proof/inclusion?index=${fresh.index}&size=${fresh.inclusionProof.size}`);
    expect(proof.status).toBe(200);
    expect(await b.client.checkpoint()).toBe(await a.client.checkpoint());
  });

  const metric = async (t: TestNode, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${t.url}/metrics`)).text())?.[1]);

  it('a sequencer whose database session is cut steps down (the lock went with it), and exactly one node sequences again', async () => {
    expect(await metric(a, 'tributary_sequencer_leader')).toBe(1);
    expect(await metric(b, 'tributary_sequencer_leader')).toBe(0);
    // What a network blip or an operator's pg_terminate_backend does to the lease holder.
    const c = new pgLib.Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query("SELECT pg_terminate_backend(pid) AS cut FROM pg_locks WHERE locktype = 'advisory' AND objid = 7105002 AND granted");
    await c.end();
    expect(rows).toEqual([{ cut: true }]);
    await until('node a to notice', async () => ((await metric(a, 'tributary_sequencer_lease_lost_total')) >= 1 ? true : undefined), 10_000);
    const leaders = await until('one node to sequence', async () => {
      const n = [a, b].filter((t) => t.node.sequencing).length;
      return n > 0 ? n : undefined;
    }, 10_000);
    expect(leaders).toBe(1);
    const key = await a.client.verifierKey();
    for (const via of [a, b]) {
      const r = await via.client.act(newSigner(), { type: 'CreateDatanet', name: `cut-${via === a ? 'a' : 'b'}`, description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
      expect(verifyReceipt(r, key).index).toBe(r.index);
    }
    const report = await verifyPostgres(url);
    expect(report.divergence).toBeUndefined();
  });

  it('when the lease holder stops, the other node takes over; nothing acknowledged is lost and verify passes', async () => {
    if (!a.node.sequencing) [a, b] = [b, a]; // whichever leads now is the one to stop
    const key = await a.client.verifierKey();
    expect(await metric(a, 'tributary_sequencer_leader')).toBe(1);
    expect(await metric(b, 'tributary_sequencer_leader')).toBe(0);
    const acquired = await metric(b, 'tributary_sequencer_lease_acquired_total');
    const before = await a.client.act(newSigner(), { type: 'CreateDatanet', name: 'before', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const t0 = Date.now();
    await a.stop();
    await until('node b to take the lease', async () => (b.node.sequencing ? true : undefined), 10_000);
    const took = Date.now() - t0;
    expect(await metric(b, 'tributary_sequencer_leader')).toBe(1);
    expect(await metric(b, 'tributary_sequencer_lease_acquired_total')).toBe(acquired + 1);
    expect(took).toBeLessThan(10_000);
    const after = await b.client.act(newSigner(), { type: 'CreateDatanet', name: 'after', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    expect(after.index).toBe(before.index + 1);
    expect(verifyReceipt(after, key).index).toBe(after.index);
    const entry = await b.client.entry(before.index);
    expect(entry.leafHash).toBe(before.leafHash);
    const report = await verifyPostgres(url);
    expect(report.divergence).toBeUndefined();
    expect(report).toMatchObject({ ok: true, entries: after.index + 1 });
    expect(report.money?.conserved).toBe(true);
  });
});
