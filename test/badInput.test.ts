// Every kind of bad request gets a 4xx naming the field and the reason, and writes
// nothing: the log size, the state root and the blob table are unchanged.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionTypes, type Domain, type LocalSigner, withReplayProtection } from '../src/client/signer.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const LIMIT = 4096;

describe('bad input is refused precisely and loses nothing', () => {
  let t: TestNode;
  let domain: Domain;
  let types: ActionTypes;
  const owner = newSigner();
  const alice = newSigner();
  const mallory = newSigner();
  let aliceContribution: number;

  beforeAll(async () => {
    t = await startTestNode({ maxContentBytes: LIMIT });
    ({ domain, types } = await t.client.actionTypes());
    await t.client.act(owner, { type: 'CreateDatanet', name: 'notes', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'curated', curators: [] });
    await t.client.act(owner, {
      type: 'CreateDatanet', name: 'records', description: '', license: 'CC0-1.0', kind: 'jsonl', policy: 'open', curators: [],
      schema: JSON.stringify({ type: 'object', required: ['q', 'n'], properties: { q: { type: 'string' }, n: { type: 'integer' } } }),
    });
    const body = Buffer.from('alice wrote this\n');
    const r = await t.client.act(alice, { type: 'Contribute', datanet: 'notes', contentHash: sha(body), size: body.length, fileName: 'a.txt' }, body);
    aliceContribution = r.result.contribution as number;
  });
  afterAll(async () => t.stop());

  const snapshot = () => ({
    size: t.node.size,
    root: t.node.state.hash.root().toString('hex'),
    blobs: (t.node.db.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number }).n,
  });

  /** Posts a raw body and checks the answer and that nothing changed. */
  async function expectRefused(body: string | object, status: number, field: string, message: RegExp) {
    const before = snapshot();
    const res = await fetch(`${t.url}/v1/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as { error: { field: string; message: string } };
    expect({ status: res.status, field: json.error.field }).toEqual({ status, field });
    expect(json.error.message).toMatch(message);
    expect(snapshot()).toEqual(before);
  }

  const signed = (who: LocalSigner, action: Record<string, unknown> & { type: string }, d: Domain = domain) =>
    who.sign(d, types, withReplayProtection(action));
  const contribution = (content: Buffer, extra: Record<string, unknown> = {}) => ({
    type: 'Contribute', datanet: 'notes', contentHash: sha(content), size: content.length, fileName: 'x.txt', ...extra,
  });
  const withContent = (s: object, content: Buffer) => ({ ...s, content: content.toString('base64') });

  it('malformed JSON', async () => {
    await expectRefused('{"action": {', 400, 'body', /not valid JSON/);
  });

  it('wrong types', async () => {
    const c = Buffer.from('hello\n');
    const s = signed(alice, contribution(c));
    await expectRefused(withContent({ ...s, action: { ...s.action, size: String(c.length) } }, c), 400, 'action.size', /number/);
  });

  it('a missing field', async () => {
    const c = Buffer.from('hello\n');
    const { fileName: _f, ...action } = signed(alice, contribution(c)).action;
    await expectRefused(withContent({ ...signed(alice, contribution(c)), action }, c), 400, 'action.fileName', /./);
  });

  it('an unknown action type', async () => {
    await expectRefused({ ...signed(alice, { type: 'Snapshot', datanet: 'notes' }), action: { type: 'Explode' } }, 400, 'action.type', /./);
  });

  it('an unknown datanet', async () => {
    const c = Buffer.from('hello\n');
    await expectRefused(withContent(signed(alice, contribution(c, { datanet: 'nope' })), c), 404, 'action.datanet', /no datanet named nope/);
  });

  it('a signature by the wrong key', async () => {
    const c = Buffer.from('hello\n');
    const s = signed(mallory, contribution(c));
    await expectRefused(withContent({ ...s, signer: alice.address }, c), 401, 'signature', /recovers to .* not signer/);
  });

  it('the wrong EIP-712 chain id or domain', async () => {
    const c = Buffer.from('hello\n');
    const wrongChain = { ...domain, chainId: 1 };
    const s = signed(alice, contribution(c), wrongChain);
    await expectRefused(withContent(s, c), 400, 'domain.chainId', /chainId is 31337, not 1/);
    const { domain: _d, ...undeclared } = s;
    await expectRefused(withContent(undeclared, c), 401, 'signature', /EIP-712 domain/);
    const s2 = signed(alice, contribution(c), { ...domain, name: 'Other' });
    await expectRefused(withContent(s2, c), 400, 'domain.name', /Tributary/);
  });

  it('a replayed nonce', async () => {
    const s = signed(owner, { type: 'Snapshot', datanet: 'notes' });
    const ok = await fetch(`${t.url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });
    expect(ok.status).toBe(200);
    await expectRefused(s, 409, 'action.nonce', /already used/);
  });

  it('an expired action', async () => {
    const s = owner.sign(domain, types, withReplayProtection({ type: 'Snapshot', datanet: 'notes' }, -10));
    await expectRefused(s, 400, 'action.expiry', /expired/);
  });

  it('content over the configured limit', async () => {
    const c = Buffer.alloc(LIMIT + 1, 'a');
    await expectRefused(withContent(signed(alice, contribution(c)), c), 413, 'content', /at most 4096/);
  });

  it('content that does not match its hash', async () => {
    const c = Buffer.from('hello\n');
    await expectRefused(withContent(signed(alice, contribution(c)), Buffer.from('HELLO\n')), 400, 'content', /SHA-256/);
  });

  it('non-UTF-8 text in a text datanet', async () => {
    const c = Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a]);
    await expectRefused(withContent(signed(alice, contribution(c)), c), 400, 'content', /not valid UTF-8.*offset 2/);
  });

  it('JSONL records that violate the schema', async () => {
    const c = Buffer.from('{"q":"a","n":1}\n{"q":"b","n":"two"}\n');
    const s = signed(alice, { type: 'Contribute', datanet: 'records', contentHash: sha(c), size: c.length, fileName: 'r.jsonl' });
    await expectRefused(withContent(s, c), 400, 'content', /line 2: \/n must be integer/);
  });

  it('path tricks in file names', async () => {
    const c = Buffer.from('hello\n');
    for (const fileName of ['../../etc/passwd.txt', 'a/b.txt', '..\\win.txt', '/abs.txt', 'C:evil.txt', 'nul\u0000.txt'])
      await expectRefused(withContent(signed(alice, contribution(c, { fileName })), c), 400, 'action.fileName', /./);
  });

  it('curation by someone who is not a curator', async () => {
    await expectRefused(
      signed(mallory, { type: 'Curate', contribution: aliceContribution, decision: 'reject', reason: 'spite' }),
      403, 'signer', /is not a curator of notes/,
    );
  });

  it('opt-out by someone who is not the author', async () => {
    await expectRefused(signed(mallory, { type: 'OptOut', contribution: aliceContribution, reason: '' }), 403, 'signer', /only the author/);
  });

  it('an exact duplicate points to the original, which keeps the credit', async () => {
    const c = Buffer.from('alice wrote this\n');
    const before = snapshot();
    const res = await fetch(`${t.url}/v1/actions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(withContent(signed(mallory, contribution(c)), c)),
    });
    const json = (await res.json()) as { error: { field: string; details: { original: number } } };
    expect(res.status).toBe(409);
    expect(json.error.field).toBe('action.contentHash');
    expect(json.error.details.original).toBe(aliceContribution);
    expect(snapshot()).toEqual(before);
    expect((await t.client.contribution(aliceContribution)).author).toBe(alice.address);
  });

  it('bad query parameters on the log API are 400s naming the parameter', async () => {
    const size = t.node.size;
    const cases: Array<[string, string, RegExp]> = [
      [`/v1/log/proof/inclusion?index=${size}&size=${size}`, 'index', /not below/],
      [`/v1/log/proof/inclusion?index=0&size=${size + 5}`, 'size', /beyond/],
      [`/v1/log/proof/consistency?from=3&to=${size + 1}`, 'to', /beyond/],
      [`/v1/log/proof/consistency?from=5&to=2`, 'from', /greater/],
      [`/v1/log/entries/${size}`, 'index', /not below tree size/],
      [`/v1/log/entries/-1`, 'params.index', /./],
      [`/v1/log/proof/inclusion?index=abc&size=2`, 'query.index', /./],
    ];
    for (const [path, field, message] of cases) {
      const res = await fetch(t.url + path);
      const json = (await res.json()) as { error: { field: string; message: string } };
      expect({ path, status: res.status, field: json.error.field }).toEqual({ path, status: 400, field });
      expect(json.error.message).toMatch(message);
    }
  });
});
