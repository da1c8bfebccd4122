// Contribute's rules on an in-memory ledger: the datanet must exist, the file name be a
// bare name of the datanet's kind, the content non-empty and new to the datanet (the
// first contributor keeps the credit). What it records: the contribution (accepted at
// once in an open datanet, pending in a curated one), the counts, the hash index, and a
// reference to the content's blob.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger, openDatanet, sha256 } from '../../../test/fixtures/memoryLedgers.ts';
import { type ContributionRecord, findContribution, keys } from '../records.ts';

const owner = account();
const alice = account();
const file = (text: string, fileName = 'a.txt') => ({ type: 'Contribute', contentHash: sha256(text), size: Buffer.byteLength(text), fileName });

describe('Contribute', () => {
  it('records an accepted contribution in an open datanet, and retains its blob', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    const r = l.act(alice, { ...file('hello world'), datanet: dn });
    expect(r.result).toEqual({ contribution: r.index, status: 'accepted' });
    expect(findContribution(l.state, r.index)).toEqual<ContributionRecord>({
      id: r.index,
      datanet: dn,
      author: alice.id,
      contentHash: sha256('hello world'),
      size: 11,
      fileName: 'a.txt',
      mediaType: 'text/plain',
      status: 'accepted',
      reason: '',
      decidedBy: null,
      time: r.entry.time,
    });
    expect(l.state.get(keys.byHash(dn, sha256('hello world')))).toBe(r.index);
    expect(l.state.get(keys.counts(dn))).toMatchObject({ accepted: 1, pending: 0 });
    expect(r.effects).toEqual([{ kind: 'retainBlob', hash: sha256('hello world') }]);
    expect(l.blobs.get(sha256('hello world'))).toBe(1);
  });

  it('leaves a contribution to a curated datanet pending', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner, { policy: 'curated' });
    expect(l.act(alice, { ...file('x'), datanet: dn }).result.status).toBe('pending');
    expect(l.state.get(keys.counts(dn))).toMatchObject({ accepted: 0, pending: 1 });
  });

  it('refuses content already in the datanet with 409 naming the original; another datanet takes it', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    const first = l.act(alice, { ...file('same'), datanet: dn }).index;
    const again = l.refusal(() => l.act(account(), { ...file('same', 'b.md'), datanet: dn }));
    expect(again).toMatchObject({ status: 409, field: 'action.contentHash', details: { original: first } });
    expect(again.message).toMatch(new RegExp(`already contribution ${first} in ${dn}; the first contributor keeps the credit`));
    const other = openDatanet(l, owner);
    l.act(alice, { ...file('same'), datanet: other });
    expect(l.blobs.get(sha256('same'))).toBe(2);
  });

  it('refuses an unknown datanet with 404', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.act(alice, { ...file('x'), datanet: 'nowhere' }))).toMatchObject({ status: 404, field: 'action.datanet', message: 'no datanet named nowhere' });
  });

  it.each([
    ['../etc.txt', /bare file name/],
    ['.hidden.txt', /hidden file name/],
    ['C:x.txt', /drive letter/],
    ['a\u0001.txt', /control characters/],
    ['photo.png', /extension .png is not one of/],
    ['data.jsonl', /holds text: send .txt, .md or .csv/],
  ])('refuses the file name %j with 400', (fileName, message) => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    expect(l.refusal(() => l.act(alice, { ...file('x', fileName), datanet: dn }))).toMatchObject({ status: 400, field: 'action.fileName', message: expect.stringMatching(message) });
  });

  it('takes only .jsonl files into a JSONL datanet, and no empty content', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner, { kind: 'jsonl', schema: '{"type":"object"}' });
    expect(l.refusal(() => l.act(alice, { ...file('x', 'a.txt'), datanet: dn }))).toMatchObject({ status: 400, field: 'action.fileName', message: expect.stringMatching(/send a .jsonl file/) });
    expect(l.refusal(() => l.act(alice, { ...file('', 'a.jsonl'), datanet: dn }))).toMatchObject({ status: 400, field: 'action.size', message: 'content must not be empty' });
    expect(l.act(alice, { ...file('{}', 'a.jsonl'), datanet: dn }).result.status).toBe('accepted');
  });
});
