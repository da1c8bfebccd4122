// `tributary restore`: a node rebuilt by replaying its log (verified first) holds the same
// log, checkpoints, state, books and contribution bytes, and goes on appending under the
// same key. From a data directory (or, in the PostgreSQL run, a database) and from a
// running node's API.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConsistency } from '../src/nodeLedger/proof.ts';
import { parseCheckpoint } from '../src/nodeLedger/checkpoint.ts';
import { openNote, parseVerifierKey } from '../src/nodeLedger/note.ts';
import { verifyReceipt } from '../src/node/receipt.ts';
import { registerTinyModel } from './helpers/models.ts';
import { runCli } from './helpers/runCli.ts';
import { databaseUrlFor, verifyTestData } from './helpers/testDatabase.ts';
import { apiKeyOf, newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');
const TOKEN = 10n ** 18n;

describe('tributary restore', () => {
  const dirs: string[] = [];
  const dir = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `tributary-restore-${name}-`));
    dirs.push(d);
    return d;
  };
  let source: TestNode;
  let work: string;
  const ids: number[] = [];
  const texts = Array.from({ length: 5 }, (_, i) => Buffer.from(`restored contribution ${i}: ` + 'river stone '.repeat(10 + i) + '\n'));
  const requester = newSigner();

  beforeAll(async () => {
    work = dir('work');
    source = await startTestNode({ epochSeconds: 0 });
    const owner = newSigner();
    await source.client.act(owner, { type: 'CreateDatanet', name: 'lore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [i, c] of texts.entries()) {
      const author = newSigner();
      const r = await source.client.act(author, { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: `c${i}.txt` }, c);
      ids.push(r.result.contribution as number);
      if (i === 4) await source.client.act(author, { type: 'OptOut', contribution: r.result.contribution as number, reason: 'changed my mind' });
    }
    await source.client.act(owner, { type: 'Snapshot', datanet: 'lore' });
    await registerTinyModel(source, owner, 'lore-chat', 'lore');
    await source.client.faucet(requester.address, (100n * TOKEN).toString());
    await source.client.recordInference(await apiKeyOf(source.client, requester), { model: 'lore-chat@1', provider: newSigner().address, inputTokens: 40, output: texts[1].toString() });
    await source.client.closeEpoch();
  });
  afterAll(async () => {
    await source?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const cli = (args: string[]) => runCli(source.url, join(work, 'ks.json'), work, args);

  async function checkRestored(target: string, before: { checkpoint: string; money: unknown; size: number }) {
    const t = await startTestNode({ epochSeconds: 0 }, { dataDir: target });
    try {
      expect(await t.client.checkpoint()).toBe(before.checkpoint);
      expect(t.node.size).toBe(before.size);
      expect(await t.client.money()).toEqual(before.money);
      expect(await t.client.account(requester.address)).toEqual(await source.client.account(requester.address));
      for (const i of [0, 1, 2, 3]) expect(await t.client.content(ids[i])).toEqual(texts[i]);
      await expect(t.client.content(ids[4])).rejects.toMatchObject({ status: 410 });
      expect((await verifyTestData(target)).ok).toBe(true);
      // It goes on: the next entry, signed by the same key, extends the old log.
      const key = await source.client.verifierKey();
      expect(await t.client.verifierKey()).toBe(key);
      const c = Buffer.from('written after the restore\n');
      const r = await t.client.act(newSigner(), { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: 'after.txt' }, c);
      expect(r.index).toBe(before.size);
      expect(verifyReceipt(r, key).index).toBe(before.size);
      const old = parseCheckpoint(openNote(before.checkpoint, parseVerifierKey(key)));
      const now = parseCheckpoint(openNote(await t.client.checkpoint(), parseVerifierKey(key)));
      const proof = await t.client.consistencyProof(old.size, now.size);
      // Throws if the new tree does not extend the old one.
      verifyConsistency(old.size, now.size, proof.hashes.map((h) => Buffer.from(h, 'hex')), old.rootHash, now.rootHash);
    } finally {
      await t.stop();
    }
  }

  it('from a data directory (or database): the same log, checkpoints, state, books and bytes; it goes on under the same key', async () => {
    const before = { checkpoint: await source.client.checkpoint(), money: await source.client.money(), size: source.node.size };
    const target = dir('target');
    const from = await databaseUrlFor(source.dataDir);
    const into = await databaseUrlFor(target);
    const args = from ? ['--from-database', from, '--key', join(source.dataDir, 'node.key'), '--database', into!] : ['--from-data', source.dataDir];
    const r = await cli(['restore', '--data', target, ...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`restored ${before.size} entries and \\d+ signed checkpoints`));
    expect(r.stdout).toContain('contribution bytes  4 copied');
    await checkRestored(target, before);
  });

  it("from a running node's API, with its key", async () => {
    const before = { checkpoint: await source.client.checkpoint(), money: await source.client.money(), size: source.node.size };
    const target = dir('from-node');
    const into = await databaseUrlFor(target);
    const r = await cli(['restore', '--data', target, '--from-node', source.url, '--key', join(source.dataDir, 'node.key'), ...(into ? ['--database', into] : [])]);
    expect(r.code, r.stderr).toBe(0);
    await checkRestored(target, before);
  });

  it('refuses a target that holds a log, a key the log was not signed with, and a missing source', async () => {
    const itself = await databaseUrlFor(source.dataDir);
    const twice = await cli(['restore', '--data', source.dataDir, '--from-node', source.url, '--key', join(source.dataDir, 'node.key'), ...(itself ? ['--database', itself] : [])]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toMatch(/already holds a log/);
    const other = dir('other');
    const wrongKey = dir('wrong-key');
    await startTestNode({}, { dataDir: wrongKey }).then((t) => t.stop());
    const wrong = await cli(['restore', '--data', other, '--from-node', source.url, '--key', join(wrongKey, 'node.key')]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/does not verify, nothing restored: genesis names node key .* not the pinned/);
    const none = await cli(['restore', '--data', other]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/exactly one source/);
  });
});
