// `tributary attribute` and `tributary index build|status` against a real node.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import { runCli } from './helpers/runCli.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('attribution from the CLI', () => {
  let t: TestNode;
  let dir: string;
  const gen = new TextGenerator(5);
  const docs = Array.from({ length: 6 }, () => gen.document(120));
  const ids: number[] = [];
  const cli = (args: string[]) => runCli(t.url, join(dir, 'ks.json'), dir, args);

  const owner = newSigner();

  beforeAll(async () => {
    t = await startTestNode();
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-attr-'));
    await t.client.act(owner, { type: 'CreateDatanet', name: 'tales', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (const [i, d] of docs.entries()) {
      const c = Buffer.from(d);
      ids.push((await t.client.act(newSigner(), { type: 'Contribute', datanet: 'tales', contentHash: sha(c), size: c.length, fileName: `t${i}.txt` }, c)).index);
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'tales' });
  });
  afterAll(async () => t.stop());

  it('index build shows the index, index status lists it', async () => {
    const build = await cli(['index', 'build', 'tales', '--progress']);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toMatch(/^tales: 6 live documents, \d+ tokens, 1 shards, 0 tombstones/);
    const v1 = await cli(['--json', 'index', 'build', 'tales@1']);
    expect(JSON.parse(v1.stdout)).toMatchObject({ datanet: 'tales', version: 1, liveDocuments: 6 });
    const status = await cli(['index', 'status']);
    expect(status.stdout).toContain('tales@1: 6 live documents');
  });

  it('attribute prints shares and spans, from an argument or a file, against a datanet or a version', async () => {
    const copied = docs[4].slice(50, 350);
    const r = await cli(['attribute', '--datanet', 'tales', `A fresh opening line. ${copied} A fresh ending.`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/attributed\s+\d+\.\d\d%/);
    expect(r.stdout).toMatch(new RegExp(`^  ${ids[4]}\\s+\\d+\\.\\d\\d%`, 'm'));
    writeFileSync(join(dir, 'out.txt'), copied);
    const j = await cli(['--json', 'attribute', '--snapshot', 'tales@1', '--file', join(dir, 'out.txt')]);
    const body = JSON.parse(j.stdout);
    expect(body.contributions.map((c: { contribution: number }) => c.contribution)).toEqual([ids[4]]);
    expect(body.scope).toMatchObject({ datanet: 'tales', version: 1 });
  });

  it('says what is wrong with bad usage', async () => {
    const both = await cli(['attribute', '--datanet', 'tales', '--snapshot', 'tales@1', 'x']);
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/exactly one of --datanet/);
    const bad = await cli(['attribute', '--snapshot', 'tales', 'x']);
    expect(bad.stderr).toMatch(/NAME@VERSION/);
    const missing = await cli(['attribute', '--datanet', 'nope', 'some text']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no datanet named nope \(field datanet, HTTP 404\)/);
  });

  it('datanet duplicates sets the policy; a copy is then refused, naming the original', async () => {
    expect((await cli(['account', 'new', '--name', 'me'])).code).toBe(0);
    const denied = await cli(['datanet', 'duplicates', 'tales', '--policy', 'reject']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/only the owner .* \(field signer, HTTP 403\)/);
    await t.client.act(owner, { type: 'SetDuplicatePolicy', datanet: 'tales', policy: 'reject', thresholdPpm: 500_000, minSpan: 16 });
    const show = await cli(['datanet', 'show', 'tales']);
    expect(show.stdout).toMatch(/duplicates\s+reject above 50% \(spans of 16\+ tokens\)/);
    writeFileSync(join(dir, 'copy.txt'), docs[2].slice(0, 500));
    const r = await cli(['contribute', 'tales', join(dir, 'copy.txt')]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`repeats earlier contributions ${ids[2]} in tales`));
  });
});
