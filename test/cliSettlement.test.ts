// The settlement commands against a real node: models register/list/show, dev faucet
// and infer, epoch close/list, payout, earnings (table and CSV), and verify's audit.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import { tinyLlamaGguf } from './fixtures/tinyGguf.ts';
import { runCli } from './helpers/runCli.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('settlement from the CLI', () => {
  let t: TestNode;
  let dir: string;
  const gen = new TextGenerator(8);
  const docs = Array.from({ length: 4 }, () => gen.document(100));
  const author = newSigner();
  const cli = (args: string[]) => runCli(t.url, join(dir, 'ks.json'), dir, args);
  let me: string;

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-money-'));
    const owner = newSigner();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'tales', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [i, d] of docs.entries()) {
      const c = Buffer.from(d);
      await t.client.act(author, { type: 'Contribute', datanet: 'tales', contentHash: sha(c), size: c.length, fileName: `t${i}.txt` }, c);
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'tales' });
    const created = await cli(['--json', 'account', 'new', '--name', 'me']);
    expect(created.code, created.stderr).toBe(0);
    me = JSON.parse(created.stdout).address;
  });
  afterAll(async () => t.stop());

  it('registers a model from a base file, lists it and shows its provenance and policy', async () => {
    writeFileSync(join(dir, 'base.gguf'), tinyLlamaGguf());
    const added = await cli(['models', 'add-base', 'base.gguf']);
    expect(added.code, added.stderr).toBe(0);
    const r = await cli(['models', 'register', 'tales-chat', '--datanet', 'tales@1', '--base', 'base.gguf', '--price-in', '2', '--price-out', '6.5', '--shares', '50/25/20/5', '--baseline', '20']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^registered tales-chat@1: 4 training contributions, \d+ tokens/);
    const list = await cli(['models', 'list']);
    expect(list.stdout).toMatch(/^models\n  tales-chat@1\s+tales@1\s+0 inferences\s+fees 0/m);
    const show = await cli(['models', 'show', 'tales-chat@1']);
    expect(show.stdout).toContain(`base 0x${createHash('sha256').update(tinyLlamaGguf()).digest('hex')} (registered base model base,`);
    expect(show.stdout).toContain('price       2 per 1k input tokens, 6.5 per 1k output tokens');
    expect(show.stdout).toContain('shares      data 50% (baseline 20% of it), owner 25%, compute 20%, treasury 5%');
    const bad = await cli(['models', 'register', 'x', '--base', 'base.gguf', '--price-in', '1', '--price-out', '1', '--shares', '50/25/20/6']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shares must add up to 100%, not 101%');
  });

  it('funds, records an inference, closes an epoch and prints a verified payout proof', async () => {
    const poor = await cli(['dev', 'infer', 'tales-chat@1', docs[2].slice(0, 300)]);
    expect(poor.code).toBe(1);
    expect(poor.stderr).toMatch(/has 0 base units prepaid but this call to tales-chat@1 costs \d+/);

    const fund = await cli(['dev', 'faucet', '--amount', '25.5']);
    expect(fund.code, fund.stderr).toBe(0);
    expect(fund.stdout).toMatch(new RegExp(`^${me} now holds 25.5 prepaid`));

    const infer = await cli(['dev', 'infer', 'tales-chat@1', docs[2].slice(0, 300), '--input-tokens', '40']);
    expect(infer.code, infer.stderr).toBe(0);
    expect(infer.stdout).toMatch(/^tales-chat@1 charged 0x[0-9a-f]{40} \d+\.\d+/);
    expect(infer.stdout).toMatch(/usage\s+[\d.]+\s+0x/);
    expect(infer.stdout).toMatch(/attributed to \d+ \(\d+\.\d%\)/);

    const close = await cli(['epoch', 'close']);
    expect(close.code, close.stderr).toBe(0);
    expect(close.stdout).toMatch(/^closed epoch 1: paid [\d.]+ to the payout tree of \d+ accounts\n  root       0x[0-9a-f]{64}/);
    const list = await cli(['epoch', 'list']);
    expect(list.stdout).toMatch(/^epoch 1 .* root 0x[0-9a-f]{64}/);

    const payout = await cli(['payout', '1', author.address]);
    expect(payout.code, payout.stderr).toBe(0);
    expect(payout.stdout).toMatch(/as of epoch 1: [\d.]+ cumulative \(\d+ base units\)/);
    expect(payout.stdout).toContain('(verified here)');
    const none = await cli(['payout', '1', '0x' + '12'.repeat(20)]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no payout as of epoch 1');
  });

  it('prints earnings for an account, by group, and as CSV; verify audits the books', async () => {
    const mine = await cli(['earnings', author.address]);
    expect(mine.code, mine.stderr).toBe(0);
    expect(mine.stdout).toMatch(/paid\s+[\d.]*[1-9][\d.]*\s+\(cumulative/);
    expect(mine.stdout).toMatch(/CONTRIBUTION\s+DATANET\s+BASELINE\s+USAGE\s+TOTAL/);
    const byModel = await cli(['earnings', '--by', 'models']);
    expect(byModel.stdout).toMatch(/^MODEL\s+INFERENCES/);
    expect(byModel.stdout).toMatch(/tales-chat@1\s+1\s+40/);
    const csv = await cli(['earnings', '--by', 'datanets', '--csv']);
    expect(csv.stdout).toMatch(/^datanet,baseline,usage,total\r\ntales,\d+,\d+,\d+\r\n$/);
    const verify = await cli(['verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/money\s+conserved: \d+ base units held = \d+ deposited - \d+ withdrawn and paid out/);
    expect(verify.stdout).toContain('1 epochs closed');
  });
});
