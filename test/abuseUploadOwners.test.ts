// Uploads have owners and quotas, tried as an attacker would against a real node over HTTP:
// an anonymous upload, an intent signed by someone else or for other bytes, a replayed
// intent, an upload past the uploader's quota, an API key that is unknown or revoked, and a
// valid model padded with garbage. Each is refused with a 4xx naming the field and the
// reason, with nothing written: no file in the models directory (nor a partial one), no
// staged blob, no upload charged, no log entry. Then the sweep: a file nothing references
// goes, a registered one stays, and a staged blob nobody claimed expires.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_HEADERS as H } from '../src/protocol/uploadIntent.ts';
import { gguf, tinyLlamaGguf } from './fixtures/tinyGguf.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { intentFor, put, sha256 as sha } from './helpers/uploads.ts';

type ErrorJson = { error?: { code: string; field?: string; message: string; details?: Record<string, unknown> } };

/** What an upload may change: files on disk, staged blobs, upload records, the log. */
function footprint(t: TestNode) {
  const count = (sql: string) => Number((t.node.db.prepare(sql).get() as { n: number | string }).n);
  return {
    files: readdirSync(join(t.dataDir, 'models')).filter((f) => f.endsWith('.gguf')).sort(),
    incoming: readdirSync(join(t.dataDir, 'models', 'incoming')),
    staged: count('SELECT COUNT(*) AS n FROM staged_blobs'),
    uploads: count('SELECT COUNT(*) AS n FROM uploads'),
    log: t.node.size,
  };
}

async function answer(res: Response) {
  return { status: res.status, error: ((await res.json()) as ErrorJson).error };
}

const variant = (name: string) => tinyLlamaGguf({ metadata: (m) => m.set('general.name', gguf.str(name)) });

describe('upload owners: authorisation', () => {
  let t: TestNode;
  const alice = newSigner();
  const mallory = newSigner();
  const model = variant('alice model');

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
  });
  afterAll(async () => t.stop());

  it('an anonymous upload is refused with 401 before its body is read, model file or blob', async () => {
    const before = footprint(t);
    const m = await answer(await put(t.url, 'model-file', model, {}));
    expect(m).toMatchObject({ status: 401, error: { code: 'upload_unauthorized', field: 'authorization' } });
    expect(m.error?.message).toMatch(/uploads need an owner: sign an UploadIntent .* or send an API key as Authorization: Bearer KEY/);
    const blob = Buffer.from('staged text nobody signed for');
    expect(await answer(await put(t.url, 'blob', blob, {}))).toMatchObject({ status: 401, error: { code: 'upload_unauthorized', field: 'authorization' } });
    expect(footprint(t)).toEqual(before);
  });

  it("someone else's signature, or an intent for other bytes, is refused with 401", async () => {
    const before = footprint(t);
    const other = variant('mallory model');
    const aliceIntent = await intentFor(t.url, alice, 'model-file', model);
    const cases: Array<[string, Uint8Array, Record<string, string>, string]> = [
      // Mallory signs, but names Alice as the signer to charge her quota.
      ['a signature by another key', model, { ...(await intentFor(t.url, mallory, 'model-file', model)), [H.signer]: alice.address }, 'recovers to ' + mallory.address],
      // Alice's intent, taken for another file.
      ["Alice's intent for another file", other, { ...aliceIntent }, 'not x-upload-signer ' + alice.address],
      // Alice's intent, with the size raised (the padding attack through the headers).
      ["Alice's intent with another size", model, { ...aliceIntent, [H.size]: String(model.length + 64) }, 'for another target, sha256 or size'],
      // Alice's intent for a staged blob, used for a model file.
      ['an intent for another target', model, { ...(await intentFor(t.url, alice, 'blob', model)) }, 'model-file'],
    ];
    for (const [what, bytes, headers, message] of cases) {
      const r = await answer(await put(t.url, 'model-file', bytes, headers));
      expect({ what, status: r.status, code: r.error?.code, field: r.error?.field }).toEqual({ what, status: 401, code: 'bad_signature', field: H.signature });
      expect(r.error?.message, what).toContain(message);
    }
    // A malformed intent is a 400 naming the header.
    const bad = await answer(await put(t.url, 'model-file', model, { ...aliceIntent, [H.expiry]: 'soon' }));
    expect(bad).toMatchObject({ status: 400, error: { field: H.expiry } });
    const expired = await intentFor(t.url, alice, 'model-file', model);
    const stale = await answer(await put(t.url, 'model-file', model, { ...expired, [H.expiry]: String(Math.floor(Date.now() / 1000) - 1) }));
    // Changing the expiry changes what was signed, so it is refused either way; an honest stale intent says "expired".
    expect(stale).toMatchObject({ status: 400, error: { field: H.expiry, message: expect.stringContaining('expired') } });
    expect(footprint(t)).toEqual(before);
  });

  it('a replayed intent is refused with 409, adding nothing', async () => {
    const headers = await intentFor(t.url, alice, 'model-file', model);
    const first = await put(t.url, 'model-file', model, headers);
    expect(first.status).toBe(200);
    const before = footprint(t);
    expect(before.files).toContain(`${sha(model).slice(2)}.gguf`);
    const again = await answer(await put(t.url, 'model-file', model, headers));
    expect(again).toMatchObject({ status: 409, error: { code: 'replayed', field: H.nonce } });
    expect(again.error?.message).toBe(`nonce ${headers[H.nonce]} was already used by ${alice.address}: sign a new upload intent`);
    // Replayed by someone else, with their own address as the signer: the signature does not match.
    const stolen = await answer(await put(t.url, 'model-file', model, { ...headers, [H.signer]: mallory.address }));
    expect(stolen).toMatchObject({ status: 401, error: { field: H.signature } });
    expect(footprint(t)).toEqual(before);
    // The upload is Alice's.
    expect(t.node.uploads.held(alice.address)).toBe(model.length);
    expect(t.node.uploads.held(mallory.address)).toBe(0);
  });

  it('an API key uploads for its account; an unknown or revoked key gets 401', async () => {
    const key = 'sk-' + randomBytes(16).toString('hex');
    const keyHash = '0x' + createHash('sha256').update(key).digest('hex');
    const owner = newSigner();
    await t.client.act(owner, { type: 'CreateApiKey', keyHash, label: 'uploads' });
    const blob = Buffer.from('content staged with an API key');
    const ok = await t.client.stageBlob(sha(blob), blob, { apiKey: key }).then(() => 'ok');
    expect(ok).toBe('ok');
    expect(t.node.uploads.held(owner.address)).toBe(blob.length);
    const before = footprint(t);
    const other = Buffer.from('content an unknown key tries to stage');
    const unknown = await answer(await put(t.url, 'blob', other, { authorization: 'Bearer sk-nobody' }));
    expect(unknown).toMatchObject({ status: 401, error: { code: 'invalid_api_key', field: 'authorization', message: 'unknown API key' } });
    await t.client.act(owner, { type: 'RevokeApiKey', keyHash });
    const revoked = await answer(await put(t.url, 'blob', other, { authorization: `Bearer ${key}` }));
    expect(revoked).toMatchObject({ status: 401, error: { code: 'invalid_api_key', message: 'this API key was revoked' } });
    const log = footprint(t).log;
    expect(footprint(t)).toEqual({ ...before, log });
    expect(log).toBe(before.log + 1); // the RevokeApiKey, nothing else
  });

  it('a model padded with garbage after its last tensor is refused with 422 naming the reason', async () => {
    const before = footprint(t);
    const valid = variant('padded');
    const attempts: Array<[string, Uint8Array]> = [
      ['1 KiB of garbage', Uint8Array.from([...valid, ...randomBytes(1024)])],
      ['a second copy of the model', Uint8Array.from([...valid, ...valid])],
      ['one byte past the padding', Uint8Array.from([...valid, 0])],
    ];
    for (const [what, bytes] of attempts) {
      const r = await answer(await put(t.url, 'model-file', bytes, await intentFor(t.url, alice, 'model-file', bytes)));
      expect({ what, status: r.status, code: r.error?.code, field: r.error?.field }).toEqual({ what, status: 422, code: 'invalid_gguf', field: 'file' });
      expect(r.error?.message, what).toMatch(/^not a model this node can serve safely: \d+ bytes follow the data of the last tensor '[^']+', which ends at byte \d+; only padding to the 32-byte alignment \(to byte \d+\) may follow$/);
    }
    expect(footprint(t)).toEqual(before);
    // The same model, unpadded, is accepted.
    expect((await put(t.url, 'model-file', valid, await intentFor(t.url, alice, 'model-file', valid))).status).toBe(200);
  });
});

describe('upload quotas', () => {
  let t: TestNode;
  const a = variant('quota a');
  const b = variant('quota b');
  // Room for two model files and a little more, not three.
  const QUOTA = 2 * a.length + 100;

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0, uploadQuotaBytes: QUOTA });
    await t.client.act(newSigner(), { type: 'CreateDatanet', name: 'notes', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
  });
  afterAll(async () => t.stop());

  it('an upload past the quota is refused with 413 naming the quota, nothing written; a claimed blob frees its bytes', async () => {
    const carol = newSigner();
    expect((await put(t.url, 'model-file', a, await intentFor(t.url, carol, 'model-file', a))).status).toBe(200);
    const blob = randomBytes(60).toString('hex'); // 120 bytes: a + blob fit, a + blob + b do not
    const text = Buffer.from(blob);
    expect((await put(t.url, 'blob', text, await intentFor(t.url, carol, 'blob', text))).status).toBe(200);
    expect(t.node.uploads.held(carol.address)).toBe(a.length + text.length);

    const before = footprint(t);
    const over = await answer(await put(t.url, 'model-file', b, await intentFor(t.url, carol, 'model-file', b)));
    expect(over).toMatchObject({ status: 413, error: { code: 'quota_exceeded', field: H.size, details: { quota: QUOTA, held: a.length + text.length, size: b.length } } });
    expect(over.error?.message).toBe(
      `${carol.address} holds ${a.length + text.length} bytes of uploads; ${b.length} more would pass its upload quota of ${QUOTA} bytes (TRIBUTARY_UPLOAD_QUOTA_BYTES). ` +
        'Model files count while the node keeps them; staged blobs until a Contribute claims them or they expire.',
    );
    // The same through the SDK, and as staged content: refused before a byte is sent.
    const bigText = Buffer.alloc(QUOTA, 'x');
    const viaSdk = await t.client.stageBlob(sha(bigText), bigText, carol).then(() => undefined, (e: unknown) => e as { status: number; code: string });
    expect(viaSdk).toMatchObject({ status: 413, code: 'quota_exceeded' });
    expect(footprint(t)).toEqual(before);
    // Someone else's quota is their own.
    expect((await put(t.url, 'model-file', b, await intentFor(t.url, newSigner(), 'model-file', b))).status).toBe(200);

    // Uploading bytes one already holds costs nothing more.
    expect((await put(t.url, 'model-file', a, await intentFor(t.url, carol, 'model-file', a))).status).toBe(200);
    expect(t.node.uploads.held(carol.address)).toBe(a.length + text.length);

    // Once a Contribute claims the staged blob it is a contribution, no longer Carol's upload.
    await t.client.act(carol, { type: 'Contribute', datanet: 'notes', contentHash: sha(text), size: text.length, fileName: 'n.txt' });
    expect(t.node.uploads.held(carol.address)).toBe(a.length);
    expect((await put(t.url, 'model-file', b, await intentFor(t.url, carol, 'model-file', b))).status).toBe(200);
  });
});

describe('upload quotas and uploads in flight', () => {
  let t: TestNode;
  const [a, b, c] = ['flight a', 'flight b', 'flight c'].map(variant);
  const QUOTA = 2 * a.length + 100;

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0, uploadQuotaBytes: QUOTA });
  });
  afterAll(async () => t.stop());

  it('an upload still streaming counts against the quota, and stops counting once its client goes away', async () => {
    const eve = newSigner();
    // Eve starts uploading `a` and keeps the connection open, half sent.
    const intent = await intentFor(t.url, eve, 'model-file', a);
    const head = `PUT /v1/models/files/${sha(a)} HTTP/1.1\r\nHost: x\r\n${Object.entries(intent).map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Type: application/octet-stream\r\nContent-Length: ${a.length}\r\n\r\n`;
    const socket = connect(Number(new URL(t.url).port), '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from(head), a.subarray(0, 100)])));
    socket.on('error', () => {});
    await expect.poll(() => readdirSync(join(t.dataDir, 'models', 'incoming')).length, { timeout: 5_000 }).toBe(1);
    expect(t.node.uploads.held(eve.address)).toBe(a.length);
    // `b` fits beside it; `c` would fit beside `b` alone, but not beside `b` and `a` in flight.
    expect((await put(t.url, 'model-file', b, await intentFor(t.url, eve, 'model-file', b))).status).toBe(200);
    const over = await answer(await put(t.url, 'model-file', c, await intentFor(t.url, eve, 'model-file', c)));
    expect(over).toMatchObject({ status: 413, error: { code: 'quota_exceeded', details: { held: a.length + b.length } } });
    socket.destroy();
    await expect.poll(() => t.node.uploads.held(eve.address), { timeout: 5_000 }).toBe(b.length);
    await expect.poll(() => readdirSync(join(t.dataDir, 'models', 'incoming')), { timeout: 5_000 }).toEqual([]);
    expect(existsSync(join(t.dataDir, 'models', `${sha(a).slice(2)}.gguf`))).toBe(false);
    expect((await put(t.url, 'model-file', c, await intentFor(t.url, eve, 'model-file', c))).status).toBe(200);
  });
});

describe('the sweep of unreferenced uploads', () => {
  let t: TestNode;
  const owner = newSigner();

  beforeAll(async () => {
    // A grace period long enough for the upload and its registration on a loaded machine.
    t = await startTestNode({ epochSeconds: 0, unreferencedFileMs: 10_000, stagedBlobMs: 10_000, uploadSweepMs: 100 });
  });
  afterAll(async () => t.stop());

  it('a model file nothing references goes after the grace period; a registered one stays; an unclaimed blob expires', async () => {
    const registered = variant('registered');
    const orphan = variant('orphan');
    const text = Buffer.from('staged, never contributed');
    for (const bytes of [registered, orphan]) expect((await put(t.url, 'model-file', bytes, await intentFor(t.url, owner, 'model-file', bytes))).status).toBe(200);
    expect((await put(t.url, 'blob', text, await intentFor(t.url, owner, 'blob', text))).status).toBe(200);
    await t.client.act(owner, { type: 'RegisterBaseModel', name: 'kept', file: sha(registered) });
    const path = (b: Uint8Array) => join(t.dataDir, 'models', `${sha(b).slice(2)}.gguf`);
    expect(t.node.uploads.held(owner.address)).toBe(registered.length + orphan.length + text.length);

    await expect.poll(() => existsSync(path(orphan)), { timeout: 30_000, interval: 100 }).toBe(false);
    await expect.poll(() => t.node.blobs.staged(sha(text)) === undefined, { timeout: 30_000, interval: 100 }).toBe(true);
    // Several more sweeps pass; the registered file, past its grace period too, stays.
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(path(registered))).toBe(true);
    expect(t.node.uploads.held(owner.address)).toBe(registered.length);
    // It still serves as what it was registered as.
    expect((await t.client.baseModel(sha(registered))).name).toBe('kept');
  });
});
