// Base models end to end: GGUF files uploaded over HTTP (streamed, hashed, validated,
// kept only if valid), registered by a signed RegisterBaseModel with what the node
// measured, refused precisely when hostile, and the same from the CLI.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/client/errors.ts';
import { gguf, loraPair, TINY, tinyAdapterGguf, tinyLlamaGguf } from './fixtures/tinyGguf.ts';
import { runCli } from './helpers/runCli.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { verifyTestData } from './helpers/testDatabase.ts';
import { intentFor, put as putRaw } from './helpers/uploads.ts';

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');

describe('base models', () => {
  let t: TestNode;
  let dir: string;
  const owner = newSigner();
  // Uploaded as the owner's, with an intent signed for exactly this hash and size.
  const put = async (hash: string, body: Uint8Array) => {
    const res = await putRaw(t.url, 'model-file', body, await intentFor(t.url, owner, 'model-file', body, { sha256: hash }), hash);
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const stored = () => readdirSync(join(t.dataDir, 'models')).filter((f) => f.endsWith('.gguf'));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  beforeAll(async () => {
    t = await startTestNode({ maxModelBytes: 64 * 1024 });
    dir = mkdtempSync(join(tmpdir(), 'tributary-base-'));
  });
  afterAll(async () => t.stop());

  it('uploads a model, then registers it with what the node measured', async () => {
    const bytes = tinyLlamaGguf();
    const up = await put(sha(bytes), bytes);
    expect(up.status).toBe(200);
    expect(up.json).toMatchObject({ hash: sha(bytes), size: bytes.length, kind: 'model', model: { blockCount: 2, vocabSize: TINY.vocab } });
    const r = await t.client.act(owner, { type: 'RegisterBaseModel', name: 'tiny-base', file: sha(bytes) });
    expect(r.result).toMatchObject({ base: sha(bytes), name: 'tiny-base', vocabSize: TINY.vocab });
    const [b] = await t.client.baseModels();
    expect(b).toMatchObject({ hash: sha(bytes), name: 'tiny-base', owner: owner.address, fileSize: bytes.length, fileModelName: 'tiny', embeddingLength: TINY.embd, tokenizer: { model: 'gpt2' } });
    expect(await t.client.baseModel(sha(bytes))).toEqual(b);
    // The entry carries the node's measurement, so replay needs nothing but the log.
    expect((await verifyTestData(t.dataDir)).ok).toBe(true);

    const again = await t.client.act(newSigner(), { type: 'RegisterBaseModel', name: 'copy', file: sha(bytes) }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ApiError);
    expect((again as ApiError).status).toBe(409);
    expect((again as ApiError).message).toContain('already registered, as base model tiny-base');
  });

  it('refuses hostile or wrong uploads, keeping nothing', async () => {
    const before = stored();
    const junk = new TextEncoder().encode('this is not a gguf file at all, just text');
    const bad = await put(sha(junk), junk);
    expect(bad.status).toBe(422);
    expect(bad.json.error).toMatchObject({ code: 'invalid_gguf', field: 'file' });
    const wrongArch = tinyLlamaGguf({ metadata: (m) => m.set('general.architecture', gguf.str('gpt2')) });
    expect((await put(sha(wrongArch), wrongArch)).json.error.message).toContain('general.architecture is "gpt2"; only "llama"');
    const truncated = tinyLlamaGguf().subarray(0, 200);
    expect((await put(sha(truncated), truncated)).status).toBe(422);
    const good = tinyLlamaGguf({ metadata: (m) => m.set('general.name', gguf.str('other')) });
    const mismatch = await put('0x' + '00'.repeat(32), good);
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error.message).toMatch(/the file's SHA-256 is 0x[0-9a-f]{64}, not 0x0{64}/);
    const huge = new Uint8Array(65 * 1024);
    const tooBig = await put(sha(huge), huge);
    expect(tooBig.status).toBe(413);
    const asJson = await fetch(`${t.url}/v1/models/files/${sha(good)}`, {
      method: 'PUT',
      headers: { ...(await intentFor(t.url, owner, 'model-file', new Uint8Array(2), { sha256: sha(good) })), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(asJson.status).toBe(400);
    expect(stored()).toEqual(before);
    expect(readdirSync(join(t.dataDir, 'models', 'incoming'))).toEqual([]);
  });

  it('refuses to register a file it does not hold, or an adapter as a base', async () => {
    const missing = await t.client.act(owner, { type: 'RegisterBaseModel', name: 'ghost', file: '0x' + 'ab'.repeat(32) }).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(400);
    expect((missing as ApiError).message).toContain('upload it first (PUT /v1/models/files/0x');
    const adapter = tinyAdapterGguf(loraPair(0, 'attn_q', TINY.embd, 2, TINY.embd));
    const up = await put(sha(adapter), adapter);
    expect(up.json).toMatchObject({ kind: 'adapter', adapter: { alpha: 8, ranks: [2], targets: ['attn_q'] } });
    const asBase = await t.client.act(owner, { type: 'RegisterBaseModel', name: 'nope', file: sha(adapter) }).catch((e: unknown) => e);
    expect((asBase as ApiError).status).toBe(400);
    expect((asBase as ApiError).message).toContain('is a LoRA adapter, not a base model');
  });

  it('models add-base checks the file locally, uploads it and registers it', async () => {
    const cli = (args: string[]) => runCli(t.url, join(dir, 'ks.json'), dir, args);
    expect((await cli(['account', 'new'])).code).toBe(0);
    const bytes = tinyLlamaGguf({ metadata: (m) => m.set('general.name', gguf.str('cli model')) });
    const path = write('My-Model.gguf', bytes);
    const r = await cli(['models', 'add-base', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^registered base model my-model\n  file        0x[0-9a-f]{64} \(/);
    expect(r.stdout).toContain('llama, 2 blocks, width 8, 2 heads (2 for keys and values), ffn 12, context 64');
    expect(existsSync(join(t.dataDir, 'models', `${sha(bytes).slice(2)}.gguf`))).toBe(true);
    const list = await cli(['models', 'list']);
    expect(list.stdout).toMatch(/base models\n  tiny-base .*\n  my-model /);

    const bad = write('bad.gguf', tinyLlamaGguf({ metadata: (m) => m.delete('llama.block_count') }));
    const refused = await cli(['models', 'add-base', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not a llama model this node can serve: key llama.block_count is missing; it must be a u32');
  });
});
