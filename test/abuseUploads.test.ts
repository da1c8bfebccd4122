// Hostile uploads over HTTP: contributions and model files over the node's limits, GGUF
// files built to hurt a parser (truncated, wrong magic, huge declared counts and lengths,
// tensor offsets out of range, absurd dimensions, and random mutations of a valid file),
// and slow-loris clients that send their headers or body a trickle at a time. The node
// answers 413, 422 or 408, keeps nothing it refused, and goes on serving everyone else.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReplayProtection } from '../src/client/signer.ts';
import { gguf, tinyLlamaGguf } from './fixtures/tinyGguf.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { intentFor, put } from './helpers/uploads.ts';

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');
const CONTENT_LIMIT = 8 * 1024;
const MODEL_LIMIT = 64 * 1024;

/** Where `name`'s tensor info starts in `bytes`, just after its name. */
function tensorInfoAt(bytes: Uint8Array, name: string): number {
  const at = Buffer.from(bytes).indexOf(Buffer.from(name));
  if (at < 0) throw new Error(`no tensor ${name}`);
  return at + Buffer.byteLength(name);
}

/** A copy of `bytes` with a u64 (little-endian) written at `at`. */
function withU64(bytes: Uint8Array, at: number, value: bigint): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (at + 8 <= out.length) new DataView(out.buffer).setBigUint64(at, value, true);
  return out;
}

function withU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, value, true);
  return out;
}

describe('oversized and hostile uploads', () => {
  let t: TestNode;
  const alice = newSigner();
  const valid = tinyLlamaGguf();

  beforeAll(async () => {
    t = await startTestNode({ maxContentBytes: CONTENT_LIMIT, maxModelBytes: MODEL_LIMIT });
    await t.client.act(alice, { type: 'CreateDatanet', name: 'notes', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
  });
  afterAll(async () => t.stop());

  const kept = () => ({
    size: t.node.size,
    root: t.node.state.hash.root().toString('hex'),
    blobs: (t.node.db.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number }).n,
    models: readdirSync(join(t.dataDir, 'models')).filter((f) => f.endsWith('.gguf')).sort(),
    incoming: readdirSync(join(t.dataDir, 'models', 'incoming')),
  });
  const putModel = async (hash: string, body: Uint8Array) => {
    const res = await put(t.url, 'model-file', body, await intentFor(t.url, alice, 'model-file', body, { sha256: hash }), hash);
    return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string } } };
  };

  it('content over TRIBUTARY_MAX_CONTENT_BYTES: 413, inline or staged, and nothing kept', async () => {
    const before = kept();
    const big = Buffer.alloc(CONTENT_LIMIT + 1, 'a');
    const { domain, types } = await t.client.actionTypes();
    const signed = alice.sign(domain, types, withReplayProtection({ type: 'Contribute', datanet: 'notes', contentHash: sha(big), size: big.length, fileName: 'big.txt' }));
    const inline = await fetch(`${t.url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...signed, content: big.toString('base64') }) });
    expect(inline.status).toBe(413);
    const staged = await put(t.url, 'blob', big, await intentFor(t.url, alice, 'blob', big));
    expect(staged.status).toBe(413);
    expect(((await staged.json()) as { error: { code: string } }).error.code).toBe('too_large');
    // A JSON body far past the body limit is cut off before it is parsed.
    const huge = await fetch(`${t.url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...signed, content: Buffer.alloc(CONTENT_LIMIT * 40).toString('base64') }) });
    expect(huge.status).toBe(413);
    expect(kept()).toEqual(before);
  });

  it('a model over TRIBUTARY_MAX_MODEL_BYTES: 413, and no file left, not even a partial one', async () => {
    const before = kept();
    const padded = new Uint8Array(MODEL_LIMIT * 3);
    padded.set(valid);
    const r = await putModel(sha(padded), padded);
    expect(r.status).toBe(413);
    expect(r.json.error?.code).toBe('too_large');
    expect(kept()).toEqual(before);
  });

  it('hand-made hostile GGUF files: 422 naming the fault, nothing kept', async () => {
    const before = kept();
    const norm = tensorInfoAt(valid, 'output_norm.weight');
    const embd = tensorInfoAt(valid, 'token_embd.weight');
    const hostile: Array<[string, Uint8Array, RegExp]> = [
      ['empty', new Uint8Array(0), /./],
      ['wrong magic', Uint8Array.from([0x47, 0x47, 0x4d, 0x4c, ...valid.subarray(4)]), /not a GGUF file/],
      ['big-endian version', withU32(valid, 4, 0x03000000), /big-endian/],
      ['truncated in the header', valid.subarray(0, 20), /runs past the end/],
      ['truncated in the tensor data', valid.subarray(0, valid.length - 7), /./],
      ['2^64-1 tensors declared', withU64(valid, 8, 2n ** 64n - 1n), /./],
      ['2^63 metadata entries declared', withU64(valid, 16, 2n ** 63n), /./],
      ['a key 2^64-1 bytes long', withU64(valid, 24, 2n ** 64n - 1n), /./],
      ['a tensor with 2^32-1 dimensions', withU32(valid, norm, 0xffffffff), /./],
      ['a tensor of absurd dimensions', withU64(valid, norm + 4, 2n ** 62n), /./],
      ['a tensor dimension of 0', withU64(valid, embd + 4, 0n), /./],
      ['a tensor of an unknown ggml type', withU32(valid, norm + 4 + 8, 0xdead), /./],
      ['a tensor offset past the end of the file', withU64(valid, norm + 4 + 8 + 4, 2n ** 40n), /./],
      ['a tensor offset of 2^64-1', withU64(valid, norm + 4 + 8 + 4, 2n ** 64n - 1n), /./],
      ['a misaligned tensor offset', withU64(valid, norm + 4 + 8 + 4, 1n), /./],
      ['a tokenizer array of 2^62 strings', (() => {
        const key = Buffer.from(valid).indexOf(Buffer.from('tokenizer.ggml.tokens')) + 'tokenizer.ggml.tokens'.length;
        return withU64(valid, key + 8, 2n ** 62n);
      })(), /./],
      ['wrong shapes for its own metadata', tinyLlamaGguf({ metadata: (m) => m.set('llama.embedding_length', gguf.u32(2 ** 31)) }), /./],
      ['a zero head count', tinyLlamaGguf({ metadata: (m) => m.set('llama.attention.head_count', gguf.u32(0)) }), /./],
    ];
    for (const [what, bytes, message] of hostile) {
      const r = await putModel(sha(bytes), bytes).catch((e: unknown) => { throw new Error(`${what}: ${String(e)}`); });
      expect({ what, status: r.status, code: r.json.error?.code }).toEqual({ what, status: 422, code: 'invalid_gguf' });
      expect(r.json.error?.message, what).toMatch(message);
    }
    expect(kept()).toEqual(before);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('random damage to a valid GGUF: never a 5xx; anything refused leaves nothing behind', { timeout: 60_000 }, async () => {
    const u64s = fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n);
    const damage = fc.oneof(
      fc.integer({ min: 0, max: valid.length - 1 }).map((n) => (b: Uint8Array) => b.subarray(0, n)),
      fc.tuple(fc.integer({ min: 0, max: valid.length - 8 }), u64s).map(([at, v]) => (b: Uint8Array) => withU64(b, at, v)),
      fc.tuple(fc.integer({ min: 0, max: valid.length - 4 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([at, v]) => (b: Uint8Array) => withU32(b, at, v)),
      fc.array(fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => (b: Uint8Array) => {
        const out = Uint8Array.from(b);
        for (const [at, v] of flips) out[at] = v;
        return out;
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (steps) => {
        const bytes = steps.reduce((b, f) => f(b), valid);
        const before = kept();
        const r = await putModel(sha(bytes), bytes);
        expect([200, 422], `${r.status} ${r.json.error?.message}`).toContain(r.status);
        if (r.status === 422) expect(kept()).toEqual(before);
        expect(kept().incoming).toEqual([]);
      }),
      { numRuns: 150, seed: 7 },
    );
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });
});

describe('slow-loris clients', () => {
  let t: TestNode;
  const HEADERS_MS = 600;
  const BODY_MS = 1500;

  beforeAll(async () => {
    t = await startTestNode({ headersTimeoutMs: HEADERS_MS, bodyTimeoutMs: BODY_MS, maxModelBytes: MODEL_LIMIT });
  });
  afterAll(async () => t.stop());

  /** Opens a raw connection and reports what came back and when it closed. */
  function slowClient(first: string, drip: string, everyMs: number) {
    const port = Number(new URL(t.url).port);
    const started = Date.now();
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write(first);
      timer = setInterval(() => {
        if (!socket.destroyed && socket.writable) socket.write(drip);
      }, everyMs);
    });
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => {});
    const closed = new Promise<{ ms: number; received: string }>((done) =>
      socket.on('close', () => {
        clearInterval(timer);
        done({ ms: Date.now() - started, received });
      }),
    );
    return { closed, socket };
  }

  it('headers sent a byte at a time are cut off after TRIBUTARY_HEADERS_TIMEOUT_MS with a 408', { timeout: 20_000 }, async () => {
    const c = slowClient('GET /v1/node HTTP/1.1\r\nHost: x\r\n', 'X', 100);
    // Meanwhile the node answers everyone else at once.
    const t0 = Date.now();
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(HEADERS_MS);
    const { ms, received } = await c.closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"timeout"');
    expect(ms).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(ms).toBeLessThan(HEADERS_MS + 3_000);
  });

  it('a model upload that trickles its body is cut off after TRIBUTARY_BODY_TIMEOUT_MS, leaving no partial file', { timeout: 20_000 }, async () => {
    const hash = '0x' + 'ab'.repeat(32);
    const intent = await intentFor(t.url, newSigner(), 'model-file', new Uint8Array(0), { sha256: hash, size: 60000 });
    const auth = Object.entries(intent).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    const head = `PUT /v1/models/files/${hash} HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/octet-stream\r\nContent-Length: 60000\r\n\r\nGGUF`;
    const c = slowClient(head, '\u0000'.repeat(16), 100);
    await new Promise((r) => setTimeout(r, 300));
    // The upload is in flight: a partial file waits in incoming/.
    expect(readdirSync(join(t.dataDir, 'models', 'incoming')).length).toBe(1);
    const { ms } = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(BODY_MS - 50);
    expect(ms).toBeLessThan(BODY_MS + 3_000);
    await expect.poll(() => readdirSync(join(t.dataDir, 'models', 'incoming')), { timeout: 2_000 }).toEqual([]);
    expect(readdirSync(join(t.dataDir, 'models')).filter((f) => f.endsWith('.gguf'))).toEqual([]);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('a connection that sends nothing at all is closed too', { timeout: 20_000 }, async () => {
    const c = slowClient('', '', 10_000);
    const { ms } = await c.closed;
    expect(ms).toBeLessThan(HEADERS_MS + 3_000);
  });
});
