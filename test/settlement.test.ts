// Settlement end to end: a real node over HTTP, real signatures, the real tokenizer and
// attribution index. A model is registered on a datanet snapshot, a requester is funded
// by the dev faucet, inferences are recorded and settled, an epoch is closed, and each
// payout proof is checked with OpenZeppelin's own StandardMerkleTree.
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import { ApiError } from '../src/client/errors.ts';
import type { LocalSigner } from '../src/client/signer.ts';
import { defaultTokenizer } from '../src/tokenizer/default.ts';
import { inferenceFee } from '../src/settlement/feePolicy.ts';
import { loraPair, tinyAdapterGguf, tinyLlamaGguf } from './fixtures/tinyGguf.ts';
import { apiKeyOf, newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { verifyTestData } from './helpers/testDatabase.ts';
import { putModelFile } from './helpers/uploads.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const gen = new TextGenerator(23);
const docs = Array.from({ length: 6 }, () => gen.document(120));
const ZERO32 = '0x' + '00'.repeat(32);
const TOKEN = 10n ** 18n;

const policy = {
  pricePer1kInput: (2n * TOKEN).toString(),
  pricePer1kOutput: (6n * TOKEN).toString(),
  dataBps: 5000,
  ownerBps: 2500,
  computeBps: 2000,
  treasuryBps: 500,
  baselineBps: 2000,
};

describe('settlement over HTTP', () => {
  let t: TestNode;
  const owner = newSigner();
  const modelOwner = newSigner();
  const requester = newSigner();
  const provider = newSigner();
  const authors = [newSigner(), newSigner(), newSigner()];
  const ids: number[] = [];
  const tokens: number[] = [];

  const expectApiError = async (p: Promise<unknown>, status: number, field?: string): Promise<ApiError> => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).status).toBe(status);
    if (field) expect((e as ApiError).field).toBe(field);
    return e as ApiError;
  };
  let base: string;
  const register = (who: LocalSigner, extra: Record<string, unknown> = {}) =>
    t.client.act(who, { type: 'RegisterModel', name: 'lore-chat', datanet: 'lore', snapshot: 1, base, adapter: ZERO32, job: 0, ...policy, ...extra });

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    await t.client.act(owner, { type: 'CreateDatanet', name: 'lore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (let i = 0; i < docs.length; i++) {
      const c = Buffer.from(docs[i]);
      ids.push((await t.client.act(authors[i % 3], { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: `d${i}.txt` }, c)).index);
      tokens.push(defaultTokenizer().encode(docs[i]).ids.length);
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'lore' });
    const file = tinyLlamaGguf();
    base = sha(Buffer.from(file));
    const res = await putModelFile(t.url, file, owner);
    expect(res.status).toBe(200);
    await t.client.act(owner, { type: 'RegisterBaseModel', name: 'tiny', file: base });
  });
  afterAll(async () => t.stop());

  it('registers a model with its fee policy and the token count of every training contribution', async () => {
    const r = await register(modelOwner);
    expect(r.result).toMatchObject({ model: 'lore-chat@1', version: 1, trainingContributions: 6, trainingTokens: tokens.reduce((a, b) => a + b, 0) });
    const m = await t.client.model('lore-chat@1');
    expect(m.owned_by).toBe(modelOwner.address);
    expect(m.tributary.policy).toEqual({ pricePer1kInput: policy.pricePer1kInput, pricePer1kOutput: policy.pricePer1kOutput, shares: { data: 5000, owner: 2500, compute: 2000, treasury: 500 }, baselineBps: 2000 });
    expect((await t.client.models()).map((x) => x.id)).toContain('lore-chat@1');
    // The name is the owner's: nobody else adds a version, and a policy must add up.
    await expectApiError(register(owner), 403, 'signer');
    await expectApiError(register(modelOwner, { treasuryBps: 501 }), 400, 'action.dataBps');
    await expectApiError(register(modelOwner, { snapshot: 7 }), 404, 'action.snapshot');
    await expectApiError(register(modelOwner, { baselineBps: 10_001 }), 400, 'action.baselineBps');
    // Only a registered base, and only an adapter the node holds and has checked against it.
    await expectApiError(register(modelOwner, { base: '0x' + '11'.repeat(32) }), 404, 'action.base');
    const missing = await expectApiError(register(modelOwner, { adapter: '0x' + '22'.repeat(32) }), 400, 'action.adapter');
    expect(missing.message).toContain('upload it first');
    const upload = async (bytes: Uint8Array) => {
      const hash = sha(Buffer.from(bytes));
      expect((await putModelFile(t.url, bytes, modelOwner)).status).toBe(200);
      return hash;
    };
    const misfit = await upload(tinyAdapterGguf(loraPair(0, 'attn_q', 8, 2, 9)).slice());
    await expectApiError(register(modelOwner, { name: 'other', adapter: misfit }), 422, 'action.adapter');
    const fits = await upload(tinyAdapterGguf(loraPair(1, 'attn_v', 8, 2, 8)));
    expect((await register(modelOwner, { name: 'with-adapter', adapter: fits })).result.model).toBe('with-adapter@1');
  });

  it("attributes against a model's training data: the datanet version it was trained on", async () => {
    const text = docs[2].split(/\s+/).slice(5, 40).join(' ');
    const late = Buffer.from(text + ' and more words written after the model was trained');
    // A later contribution repeating the same words is not in the model's training data.
    const lateId = (await t.client.act(authors[0], { type: 'Contribute', datanet: 'lore', contentHash: sha(late), size: late.length, fileName: 'late.txt' }, late)).index;
    const byModel = await t.client.attribute({ model: 'lore-chat@1', text });
    expect(byModel.scope).toMatchObject({ datanet: 'lore', version: 1 });
    expect(byModel.contributions.map((c) => c.contribution)).toEqual([ids[2]]);
    const live = await t.client.attribute({ datanet: 'lore', text });
    // Against the live datanet, the later copy (which holds the whole text as one span) wins.
    expect(live.contributions.map((c) => c.contribution)).toContain(lateId);
    await expectApiError(t.client.attribute({ model: 'lore-chat@9', text }), 404, 'model');
  });

  it('refuses an inference the requester cannot pay with 402, and changes nothing', async () => {
    const key = await apiKeyOf(t.client, requester);
    const size = (await t.client.node()).size;
    const e = await expectApiError(t.client.recordInference(key, { model: 'lore-chat@1', provider: provider.address, inputTokens: 100, output: docs[0] }), 402, 'action.requester');
    expect(e.message).toMatch(/has 0 base units prepaid but this call to lore-chat@1 costs \d+/);
    expect((await t.client.node()).size).toBe(size);
    await expectApiError(t.client.recordInference(key, { model: 'nope@1', provider: provider.address, inputTokens: 1, output: 'x' }), 404, 'model');
  });

  it('charges the fee and splits it exactly: usage by attribution, baseline pooled until the epoch closes', async () => {
    await t.client.faucet(requester.address, (50n * TOKEN).toString());
    expect((await t.client.account(requester.address)).prepaid).toBe((50n * TOKEN).toString());

    // An output that copies one contribution: its author gets the usage part.
    const words = docs[4].split(/\s+/).slice(10, 70).join(' ');
    const outputTokens = defaultTokenizer().encode(words).ids.length;
    const r = await t.client.recordInference(await apiKeyOf(t.client, requester), { model: 'lore-chat@1', provider: provider.address, inputTokens: 300, output: words });
    expect(r.attribution.contributions.map((c) => c.contribution)).toEqual([ids[4]]);
    const ppm = r.attribution.contributions[0].ppm;
    expect(ppm).toBeGreaterThan(900_000);

    const fee = (300n * 2n * TOKEN + BigInt(outputTokens) * 6n * TOKEN + 999n) / 1000n;
    expect(r.receipt.result.fee).toBe(fee.toString());
    // By hand: data 50%, owner 25%, compute 20%, treasury 5% (fee is a multiple of 10,000 base units here).
    expect(fee % 10_000n).toBe(0n);
    const data = fee / 2n;
    const baseline = (data * 2000n) / 10_000n;
    const split = Object.fromEntries((r.receipt.result.split as Array<{ role: string; amount: string; account: string }>).map((c) => [c.role, c]));
    expect(split.owner).toMatchObject({ account: modelOwner.address, amount: (fee / 4n).toString() });
    expect(split.compute).toMatchObject({ account: provider.address, amount: ((fee * 2n) / 10n).toString() });
    expect(split.treasury.amount).toBe((fee / 20n).toString());
    expect(split.baseline).toMatchObject({ account: 'pool:lore-chat@1', amount: baseline.toString() });
    expect(split.usage).toMatchObject({ account: authors[4 % 3].address, amount: (data - baseline).toString() });

    expect((await t.client.account(requester.address)).prepaid).toBe((50n * TOKEN - fee).toString());
    expect((await t.client.account(authors[1].address)).unpaid).toBe((data - baseline).toString());
    const money = await t.client.money();
    expect(money.conserved).toBe(true);
    expect(money.pools).toBe(baseline.toString());

    // With nothing attributed, the whole data share goes to the baseline pool.
    const r2 = await t.client.recordInference(await apiKeyOf(t.client, requester), { model: 'lore-chat@1', provider: provider.address, inputTokens: 10, output: 'Completely unrelated words that appear nowhere else at all, zebra quartz.' });
    expect(r2.attribution.contributions).toEqual([]);
    const s2 = r2.receipt.result.split as Array<{ role: string; amount: string }>;
    expect(s2.some((c) => c.role === 'usage')).toBe(false);
    const fee2 = BigInt(r2.receipt.result.fee as string);
    const data2 = BigInt(s2.find((c) => c.role === 'baseline')!.amount);
    expect(data2).toBe(fee2 - BigInt(s2.filter((c) => c.role !== 'baseline').reduce((a, c) => a + BigInt(c.amount), 0n)));
    expect(fee2).toBe(inferenceFee({ pricePer1kInput: 2n * TOKEN, pricePer1kOutput: 6n * TOKEN, shares: { data: 5000, owner: 2500, compute: 2000, treasury: 500 }, baselineBps: 2000 }, 10, defaultTokenizer().encode('Completely unrelated words that appear nowhere else at all, zebra quartz.').ids.length));
  });

  it('closes an epoch: pools split by tokens, payouts provable with OpenZeppelin, books balanced', async () => {
    const before = await t.client.money();
    const pool = BigInt(before.pools);
    const unpaid = BigInt(before.unpaid);
    const r = await t.client.closeEpoch();
    expect(r.result.epoch).toBe(1);
    expect(BigInt(r.result.paid as string)).toBe(pool + unpaid);
    const after = await t.client.money();
    expect(after).toMatchObject({ pools: '0', unpaid: '0', conserved: true });
    expect(BigInt(after.withdrawn)).toBe(pool + unpaid);

    // The baseline went to every training contribution pro rata to its tokens (largest remainder).
    const rows = await t.client.earnings('contributions', { datanet: 'lore' });
    const baseline = new Map(rows.map((row) => [row.contribution as number, BigInt(row.baseline as string)]));
    const totalTokens = BigInt(tokens.reduce((a, b) => a + b, 0));
    let sum = 0n;
    ids.forEach((id, i) => {
      const exact = (pool * BigInt(tokens[i])) / totalTokens;
      expect(baseline.get(id)! - exact).toBeGreaterThanOrEqual(0n);
      expect(baseline.get(id)! - exact).toBeLessThanOrEqual(1n);
      sum += baseline.get(id)!;
    });
    expect(sum).toBe(pool);

    // Every paid account's proof verifies against the root with OpenZeppelin's verifier.
    const [epoch] = await t.client.epochs();
    expect(epoch.root).toBe(r.result.root);
    const paidTo = [modelOwner, provider, ...authors].map((s) => s.address);
    const values: Array<[string, string]> = [];
    for (const a of paidTo) {
      const p = await t.client.payout(1, a);
      expect(p.root).toBe(epoch.root);
      expect(StandardMerkleTree.verify(epoch.root, ['address', 'uint256'], [a, p.amount], p.proof)).toBe(true);
      expect(p.amount).toBe((await t.client.account(a)).paid);
      values.push([a, p.amount]);
    }
    // The node's root is exactly the library's over the same leaves.
    expect(StandardMerkleTree.of(values, ['address', 'uint256']).root).toBe(epoch.root);
    expect(epoch.accounts).toBe(values.length);
    await expectApiError(t.client.payout(1, requester.address), 404, 'account');
    await expectApiError(t.client.payout(2, provider.address), 404, 'epoch');
    // Nothing new to pay: the next epoch is refused.
    await expectApiError(t.client.closeEpoch(), 409, 'action.epoch');
  });

  it('pays cumulative amounts across epochs, and serves earlier epochs unchanged', async () => {
    const e1 = await t.client.payout(1, provider.address);
    await t.client.recordInference(await apiKeyOf(t.client, requester), { model: 'lore-chat@1', provider: provider.address, inputTokens: 50, output: docs[1].slice(0, 400) });
    await t.client.closeEpoch();
    const e2 = await t.client.payout(2, provider.address);
    expect(BigInt(e2.amount)).toBeGreaterThan(BigInt(e1.amount));
    expect(await t.client.payout(1, provider.address)).toEqual(e1);
    const [latest] = await t.client.epochs();
    expect(StandardMerkleTree.verify(latest.root, ['address', 'uint256'], [provider.address, e2.amount], e2.proof)).toBe(true);
  });

  it('exports earnings by account, contribution, datanet and model, as JSON and CSV', async () => {
    const byModel = await t.client.earnings('models');
    expect(byModel).toHaveLength(1);
    expect(byModel[0]).toMatchObject({ model: 'lore-chat@1', inferences: 3 });
    const csv = await t.client.earningsCsv('accounts');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('account,baseline,usage,owner,compute,total');
    const accounts = await t.client.earnings('accounts');
    expect(lines).toHaveLength(accounts.length + 1);
    const totalEarned = accounts.reduce((s, a) => s + BigInt(a.total as string), 0n);
    const paid = (await t.client.epochs())[0].cumulative;
    expect(totalEarned.toString()).toBe(paid);
    const datanets = await t.client.earnings('datanets');
    expect(datanets.map((d) => d.datanet)).toEqual(['lore']);
    const journal = await t.client.journal(requester.address);
    expect(journal[0]).toMatchObject({ from: 'external', to: requester.address, memo: 'deposit' });
    expect(journal.filter((l) => l.from === requester.address).length).toBeGreaterThan(3);
  });

  it('replays the whole record: verify recomputes every balance and epoch root', async () => {
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
    const money = await t.client.money();
    expect(report.money).toMatchObject({ deposited: money.deposited, withdrawn: money.withdrawn, epochs: 2, conserved: true });

    // Someone edits a balance in the node's database: verify names whose money differs.
    const key = `bal/${requester.address}`;
    const real = (t.node.db.prepare<[string], { value: string }>('SELECT value FROM state WHERE key = ?').get(key) as { value: string }).value;
    t.node.db.prepare('UPDATE state SET value = ? WHERE key = ?').run('"1"', key);
    const tampered = await verifyTestData(t.dataDir);
    expect(tampered.ok).toBe(false);
    expect(tampered.divergence!.reason).toContain(`the prepaid balance of ${requester.address} is "1" in the node, replay gives ${real}`);
    t.node.db.prepare('UPDATE state SET value = ? WHERE key = ?').run(real, key);
  });
});

describe('settlement routes refuse bad input precisely, and dev routes stay closed in production', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
  });
  afterAll(async () => t.stop());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, error: ((await res.json()) as { error?: { field?: string; message: string } }).error };
  };
  const a = '0x' + 'ab'.repeat(20);

  it.each([
    ['POST', '/v1/dev/faucet', { account: 'nope' }, 400, 'account'],
    ['POST', '/v1/dev/faucet', { account: a, amount: '1.5' }, 400, 'amount'],
    ['POST', '/v1/dev/faucet', { account: a, amount: '-1' }, 400, 'amount'],
    ['POST', '/v1/dev/faucet', { account: a, amount: (2000n * 10n ** 18n).toString() }, 400, 'amount'],
    ['POST', '/v1/dev/faucet', { account: a, extra: 1 }, 400, 'body'],
    ['POST', '/v1/dev/inferences', { model: 'm@1', requester: a, provider: a, inputTokens: -1, output: '' }, 400, 'inputTokens'],
    ['POST', '/v1/dev/inferences', { model: 'm@1', requester: 'nope', inputTokens: 1, output: '' }, 400, 'requester'],
    ['POST', '/v1/dev/inferences', { model: 'm@1', requester: a, provider: a, inputTokens: 1, output: 'x' }, 401, 'authorization'],
    ['GET', '/v1/payouts/x/' + a, undefined, 400, 'params.epoch'],
    ['GET', '/v1/payouts/1/0x12', undefined, 400, 'params.account'],
    ['GET', '/v1/payouts/1/' + a, undefined, 404, 'epoch'],
    ['GET', '/v1/epochs/3', undefined, 404, 'epoch'],
    ['GET', '/v1/earnings/people', undefined, 400, 'params.by'],
    ['GET', '/v1/earnings/accounts?format=xml', undefined, 400, 'query.format'],
    ['GET', '/v1/accounts/0x12', undefined, 400, 'params.address'],
    ['GET', '/v1/accounts/' + a + '/journal?limit=0', undefined, 400, 'query.limit'],
    ['GET', '/v1/models/nope', undefined, 400, 'params.id'],
    ['GET', '/v1/models/nope@1', undefined, 404, 'id'],
    ['POST', '/v1/epochs', undefined, 409, 'action.epoch'],
  ] as const)('%s %s %j → %i naming %s', async (method, path, body, status, field) => {
    const size = (await t.client.node()).size;
    const r = await call(method, path, body);
    expect(r.status).toBe(status);
    expect(r.error?.field).toBe(field);
    expect(r.error?.message.length).toBeGreaterThan(10);
    expect((await t.client.node()).size).toBe(size);
  });

  it('an account with nothing reads as zeros, not an error', async () => {
    expect(await t.client.account(a)).toEqual({ address: a, prepaid: '0', unpaid: '0', paid: '0', earned: { baseline: '0', usage: '0', owner: '0', compute: '0', total: '0' } });
    expect(await t.client.money()).toMatchObject({ deposited: '0', conserved: true });
  });

  it('refuses the faucet, hand-recorded inferences and hand-closed epochs in production', async () => {
    const prod = await startTestNode({ dev: false, epochSeconds: 0 });
    try {
      for (const [method, path, body] of [
        ['POST', '/v1/dev/faucet', { account: a }],
        ['POST', '/v1/dev/inferences', { model: 'm@1', requester: a, provider: a, inputTokens: 1, output: 'x' }],
        ['POST', '/v1/epochs', undefined],
      ] as const) {
        const res = await fetch(`${prod.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/dev mode/);
      }
    } finally {
      await prod.stop();
    }
  });
});
