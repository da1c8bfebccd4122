import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '../src/node/receipt.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('datanet lifecycle over HTTP', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode();
  });
  afterAll(async () => t.stop());

  it('creates, contributes, curates, snapshots, opts out', async () => {
    const owner = newSigner();
    const alice = newSigner();
    const r1 = await t.client.act(owner, {
      type: 'CreateDatanet', name: 'poems', description: 'd', license: 'CC-BY-4.0', kind: 'text', schema: '', policy: 'curated', curators: [],
    });
    expect(r1.result).toEqual({ datanet: 'poems' });
    const key = await t.client.verifierKey();
    expect(verifyReceipt(r1, key).index).toBe(r1.index);

    const content = Buffer.from('the river runs to the sea\n');
    const r2 = await t.client.act(alice, { type: 'Contribute', datanet: 'poems', contentHash: sha(content), size: content.length, fileName: 'river.txt' }, content);
    expect(r2.result.status).toBe('pending');
    const id = r2.result.contribution as number;
    const r3 = await t.client.act(owner, { type: 'Curate', contribution: id, decision: 'accept', reason: 'lovely' });
    expect(r3.result.status).toBe('accepted');
    const r4 = await t.client.act(owner, { type: 'Snapshot', datanet: 'poems' });
    expect(r4.result.count).toBe(1);
    expect((await t.client.content(id)).equals(content)).toBe(true);
    await t.client.act(alice, { type: 'OptOut', contribution: id, reason: 'changed my mind' });
    await expect(t.client.content(id)).rejects.toMatchObject({ status: 410 });
    const r5 = await t.client.act(owner, { type: 'Snapshot', datanet: 'poems' });
    expect(r5.result.count).toBe(0);
    expect((await t.client.findContent('poems', sha(content)))?.id).toBe(id);
    expect(await t.client.findContent('poems', sha(Buffer.from('never sent')))).toBeUndefined();
    const dn = await t.client.datanet('poems');
    expect(dn.counts).toMatchObject({ withdrawn: 1, accepted: 0, snapshots: 2 });
  });

  it('pages contributions newest first', async () => {
    const owner = newSigner();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'many', description: '', license: 'MIT', kind: 'text', schema: '', policy: 'open', curators: [] });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const c = Buffer.from(`item ${i}\n`);
      ids.push((await t.client.act(owner, { type: 'Contribute', datanet: 'many', contentHash: sha(c), size: c.length, fileName: `i${i}.txt` }, c)).index);
    }
    expect((await t.client.contributions('many', { order: 'desc', limit: 2 })).map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect((await t.client.contributions('many', { order: 'desc', before: ids[3], limit: 10 })).map((c) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await t.client.contributions('many', { after: ids[2] })).map((c) => c.id)).toEqual([ids[3], ids[4]]);
  });
});
