// The signed-action format is usable without our code: ethers and viem sign the typed
// data that GET /v1/actions/types publishes, and the node accepts their signatures.
import { createHash } from 'node:crypto';
import { Wallet } from 'ethers';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '../src/node/receipt.ts';
import { startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('third-party signers', () => {
  let t: TestNode;
  let published: { domain: { name: string; version: string; chainId: number }; types: Record<string, Array<{ name: string; type: string }>> };
  beforeAll(async () => {
    t = await startTestNode();
    published = (await (await fetch(`${t.url}/v1/actions/types`)).json()) as typeof published;
  });
  afterAll(async () => t.stop());

  const post = async (body: unknown) => {
    const res = await fetch(`${t.url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const expiry = () => Math.floor(Date.now() / 1000) + 600;

  it('accepts actions signed with ethers Wallet.signTypedData', async () => {
    const wallet = Wallet.createRandom();
    const message = {
      name: 'ethers-made', description: 'made with ethers', license: 'MIT', kind: 'text', schema: '', policy: 'open', curators: [],
      nonce: '123456789012345678901234567890', expiry: expiry(),
    };
    const signature = await wallet.signTypedData(published.domain, { CreateDatanet: published.types.CreateDatanet }, message);
    const { status, json } = await post({ action: { type: 'CreateDatanet', ...message }, signer: wallet.address, signature });
    expect(status).toBe(200);
    expect(json.result).toEqual({ datanet: 'ethers-made' });

    const content = Buffer.from('signed by ethers\n');
    const c = { datanet: 'ethers-made', contentHash: sha(content), size: content.length, fileName: 'e.txt', nonce: '1', expiry: expiry() };
    const sig2 = await wallet.signTypedData(published.domain, { Contribute: published.types.Contribute }, c);
    const r = await post({ action: { type: 'Contribute', ...c }, signer: wallet.address, signature: sig2, content: content.toString('base64') });
    expect(r.status).toBe(200);
    const receipt = r.json as unknown as Parameters<typeof verifyReceipt>[0];
    expect(verifyReceipt(receipt, await t.client.verifierKey()).index).toBe(receipt.index);
    expect((await t.client.contribution(receipt.index)).author).toBe(wallet.address.toLowerCase());
  });

  it('accepts actions signed with viem signTypedData', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const message = { name: 'viem-made', description: '', license: 'MIT', kind: 'text', schema: '', policy: 'curated', curators: [account.address], nonce: 7n, expiry: BigInt(expiry()) };
    const signature = await account.signTypedData({ domain: published.domain, types: { CreateDatanet: published.types.CreateDatanet }, primaryType: 'CreateDatanet', message });
    const { status } = await post({
      action: { type: 'CreateDatanet', ...message, nonce: '7', expiry: Number(message.expiry) },
      signer: account.address,
      signature,
      domain: published.domain,
    });
    expect(status).toBe(200);
  });

  it('refuses an ethers signature over another chain id, naming the domain', async () => {
    const wallet = Wallet.createRandom();
    const message = { datanet: 'ethers-made', nonce: '5', expiry: expiry() };
    const signature = await wallet.signTypedData({ ...published.domain, chainId: 1 }, { Snapshot: published.types.Snapshot }, message);
    const { status, json } = await post({ action: { type: 'Snapshot', ...message }, signer: wallet.address, signature });
    expect(status).toBe(401);
    expect((json.error as { message: string }).message).toMatch(/chainId 31337/);
  });
});
