// Property-based fuzzing of every route the node documents (enumerated from its own
// /openapi.json, so a new route is fuzzed without touching this file): hostile path
// parameters, queries, bodies and headers. Whatever arrives, the node answers below 500,
// in its error shape, stays up, and a refused request writes nothing: the log size, the
// signed checkpoint (with its state root), staged blobs and stored model files are as before.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReplayProtection } from '../src/client/signer.ts';
import { type HostileRequest, type Operation, operationsOf, requestFor } from './helpers/hostile.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 25);
const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('fuzzing every route with hostile input', () => {
  let t: TestNode;
  let operations: Operation[];
  const owner = newSigner();
  /** Values that exist on this node, so that some requests get past "not found". */
  const known: string[] = ['notes', '0', '1', '2', '3', owner.address, 'demo-river@1', 'accounts', 'contributions', 'datanets', 'models'];

  beforeAll(async () => {
    t = await startTestNode({ maxContentBytes: 64 * 1024, maxModelBytes: 256 * 1024 });
    await t.client.act(owner, { type: 'CreateDatanet', name: 'notes', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'curated', curators: [] });
    const body = Buffer.from('a note about rivers\n');
    const r = await t.client.act(owner, { type: 'Contribute', datanet: 'notes', contentHash: sha(body), size: body.length, fileName: 'a.txt' }, body);
    known.push(sha(body), r.leafHash, '0x' + r.leafHash, String(r.index), 'Tributary');
    // A real signature (over another action): the fuzzer's actions then reach signature recovery.
    const { domain, types } = await t.client.actionTypes();
    known.push(owner.sign(domain, types, withReplayProtection({ type: 'Snapshot', datanet: 'notes' })).signature);
    operations = operationsOf((await (await fetch(`${t.url}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0]);
  });
  afterAll(async () => t.stop());

  /** What a refused request must leave as it was. */
  const written = async () => {
    const node = (await (await fetch(`${t.url}/v1/node`)).json()) as { size: number };
    return {
      size: node.size,
      checkpoint: await (await fetch(`${t.url}/v1/log/checkpoint`)).text(),
      stateRoot: t.node.state.hash.root().toString('hex'),
      blobs: (t.node.db.prepare('SELECT COUNT(*) AS n FROM blobs').get() as { n: number }).n,
      modelFiles: readdirSync(join(t.dataDir, 'models')).sort().join(','),
      incoming: readdirSync(join(t.dataDir, 'models', 'incoming')).length,
    };
  };

  async function send(req: HostileRequest) {
    const res = await fetch(t.url + req.url, { ...req.init, signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    return { status: res.status, text };
  }

  it('finds every documented route', () => {
    // A floor, not the exact count: new routes only add to it.
    expect(operations.length).toBeGreaterThanOrEqual(45);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['POST /v1/actions', 'PUT /v1/models/files/{sha256}', 'POST /v1/chat/completions']));
  });

  it('answers every hostile request below 500, in an error shape, and writes nothing when it refuses', { timeout: 120_000 }, async () => {
    const started = Date.now();
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(requestFor(op, known), async (req) => {
          const before = await written();
          const { status, text } = await send(req);
          const where = `${req.init.method} ${req.url.slice(0, 200)} -> ${status} ${text.slice(0, 300)}`;
          expect(status, where).toBeLessThan(500);
          if (status >= 400) {
            const json = JSON.parse(text) as { error?: { message?: unknown } };
            expect(typeof json.error?.message, where).toBe('string');
            expect(await written(), where).toEqual(before);
          }
        }),
        { numRuns: RUNS_PER_ROUTE, seed: Number(process.env.FUZZ_SEED ?? 20261126), endOnFailure: true },
      );
      const health = await fetch(`${t.url}/healthz`);
      expect(health.status, `after ${op.method} ${op.path}`).toBe(200);
    }
    // Bounded: the whole sweep stays well inside the test's time.
    expect(Date.now() - started).toBeLessThan(90_000);
  });

  it('a uint256 field that is not a number is refused naming the field, not as malformed JSON', async () => {
    const { domain, types } = await t.client.actionTypes();
    const signed = owner.sign(domain, types, withReplayProtection({ type: 'Snapshot', datanet: 'notes' }));
    const res = await fetch(`${t.url}/v1/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...signed, action: { ...signed.action, nonce: '😀' } }),
    });
    const json = (await res.json()) as { error: { code: string; field: string } };
    expect({ status: res.status, ...json.error }).toMatchObject({ status: 400, code: 'invalid_field', field: 'action.nonce' });
  });
});
