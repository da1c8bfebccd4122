// `verify` replays the whole log and names the first divergence: a flipped byte in a
// stored entry, a forged leaf, a rewritten state row.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashLeaf } from '../src/nodeLedger/hasher.ts';
import { verifyNode } from '../src/node/verify.ts';
import { openTestDb, verifyTestData } from './helpers/testDatabase.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('tributary verify', () => {
  let t: TestNode;
  let target: number;

  beforeEach(async () => {
    t = await startTestNode();
    const owner = newSigner();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'v', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (let i = 0; i < 6; i++) {
      const c = Buffer.from(`contribution number ${i}\n`);
      const r = await t.client.act(newSigner(), { type: 'Contribute', datanet: 'v', contentHash: sha(c), size: c.length, fileName: `c${i}.txt` }, c);
      if (i === 3) target = r.index;
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'v' });
  });
  afterEach(async () => t.stop());

  const db = () => openTestDb(t.dataDir);

  it('passes on an honest log, locally and over HTTP', async () => {
    const local = await verifyTestData(t.dataDir);
    expect(local).toMatchObject({ ok: true, entries: t.node.size });
    expect(local.divergence).toBeUndefined();
    const remote = await verifyNode(t.url, { verifierKey: t.node.key.verifierKey });
    expect(remote).toMatchObject({ ok: true, entries: t.node.size, stateRoot: local.stateRoot });
  });

  it('names the entry whose stored bytes had one byte changed', async () => {
    const d = await db();
    const row = d.prepare('SELECT data FROM entries WHERE idx = ?').get(target) as { data: Buffer };
    const data = Buffer.from(row.data);
    const at = data.indexOf('c3.txt');
    data[at + 1] = '4'.charCodeAt(0); // still valid canonical JSON: only the leaf hash can tell
    d.prepare('UPDATE entries SET data = ? WHERE idx = ?').run(data, target);
    d.close();
    const report = await verifyTestData(t.dataDir);
    expect(report.ok).toBe(false);
    expect(report.divergence?.index).toBe(target);
    expect(report.divergence?.reason).toMatch(new RegExp(`^entry ${target}: its bytes hash to`));
  });

  it('names the entry when a byte change breaks its encoding', async () => {
    const d = await db();
    const row = d.prepare('SELECT data FROM entries WHERE idx = ?').get(target) as { data: Buffer };
    const data = Buffer.from(row.data);
    // A leading space: still JSON, no longer canonical.
    d.prepare('UPDATE entries SET data = ? WHERE idx = ?').run(Buffer.concat([Buffer.from(' '), data]), target);
    d.close();
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence).toMatchObject({ index: target });
    expect(report.divergence?.reason).toMatch(/canonical/);
  });

  it('names the entry when it is rewritten together with its leaf hash: the signature no longer holds', async () => {
    const d = await db();
    const row = d.prepare('SELECT data FROM entries WHERE idx = ?').get(target) as { data: Buffer };
    const data = Buffer.from(row.data);
    data[data.indexOf('c3.txt') + 1] = '9'.charCodeAt(0);
    d.prepare('UPDATE entries SET data = ? WHERE idx = ?').run(data, target);
    d.prepare('UPDATE tree SET hash = ? WHERE level = 0 AND idx = ?').run(hashLeaf(data), target);
    d.close();
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence?.index).toBe(target);
    expect(report.divergence?.reason).toMatch(new RegExp(`^entry ${target} \\(Contribute\\): signature recovers to`));
  });

  it('names a checkpoint whose signed text was altered', async () => {
    const d = await db();
    const cp = d.prepare('SELECT size, note FROM checkpoints WHERE size = ?').get(target + 1) as { size: number; note: string };
    const lines = cp.note.split('\n');
    lines[1] = String(cp.size + 1);
    d.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(lines.join('\n'), cp.size);
    d.close();
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence?.checkpointSize).toBe(target + 1);
    expect(report.divergence?.reason).toMatch(/checkpoint at size \d+: signature/);
  });

  it('names an interior tree node that proofs would be served from', async () => {
    const d = await db();
    d.prepare('UPDATE tree SET hash = ? WHERE level = 1 AND idx = 1').run(Buffer.alloc(32, 7));
    d.close();
    const report = await verifyTestData(t.dataDir);
    expect(report.ok).toBe(false);
    expect(report.divergence?.reason).toMatch(/stored tree node at level 1, index 1/);
  });

  it('catches a materialised state row that replay does not produce', async () => {
    const d = await db();
    d.prepare("UPDATE state SET value = replace(value, '\"accepted\"', '\"rejected\"') WHERE key = (SELECT MIN(key) FROM state WHERE key LIKE 'dn/v/c/%')").run();
    d.close();
    const report = await verifyTestData(t.dataDir);
    expect(report.ok).toBe(false);
    expect(report.divergence?.reason).toMatch(/materialised state/);
  });
});
