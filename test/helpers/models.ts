// Registers the tiny demo model on a test node as a model version trained on a datanet
// snapshot, with a fixed fee policy: the setup every test of earnings and payouts needs.
// One place, so that a change to how model files are uploaded is made once.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { LocalSigner } from '../../src/client/signer.ts';
import { tinyLlamaGguf } from '../fixtures/tinyGguf.ts';
import type { TestNode } from './testNode.ts';
import { putModelFile } from './uploads.ts';

const TOKEN = 10n ** 18n;
const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');

/** Uploads the tiny base model, registers it, and registers `name@1` on `datanet` snapshot 1; returns `name@1`. */
export async function registerTinyModel(t: TestNode, owner: LocalSigner, name: string, datanet: string): Promise<string> {
  const file = tinyLlamaGguf();
  const res = await putModelFile(t.url, file, owner);
  expect(res.status).toBe(200);
  await t.client.act(owner, { type: 'RegisterBaseModel', name: 'tiny', file: sha(file) });
  await t.client.act(owner, {
    type: 'RegisterModel', name, datanet, snapshot: 1, base: sha(file), adapter: '0x' + '00'.repeat(32), job: 0,
    pricePer1kInput: (2n * TOKEN).toString(), pricePer1kOutput: (6n * TOKEN).toString(), dataBps: 5000, ownerBps: 2500, computeBps: 2000, treasuryBps: 500, baselineBps: 2000,
  });
  return `${name}@1`;
}
