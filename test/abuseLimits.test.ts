// Rate limits over HTTP on a real node: past its burst a client address, a signing
// account or an API key gets 429 with Retry-After in whole seconds, in the route's error
// shape, and gets through again once that time has passed. A forged `signer` does not use
// up someone else's allowance, and loopback is exempt by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSigner, withReplayProtection } from '../src/client/signer.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

interface Answer {
  status: number;
  retryAfter: string | null;
  json: { error?: { code?: string; field?: string; type?: string; message?: string; details?: Record<string, unknown> } };
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as Answer['json'] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('per client address', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode({ rateExempt: [], rateIp: { perSecond: 1, burst: 8 } });
  });
  afterAll(async () => t.stop());

  it('lets a burst through, then answers 429 with Retry-After, and lets the client back after it', { timeout: 20_000 }, async () => {
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await call(`${t.url}/v1/node`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
    const refused = answers[8];
    expect(refused.retryAfter).toBe('1');
    expect(refused.json.error).toMatchObject({ code: 'rate_limited', details: { limit: 'ip', perSecond: 1, burst: 8, retryAfter: 1 } });
    expect(refused.json.error?.message).toMatch(/client address \(127\.0\.0\.1\).*1 a second, in bursts of up to 8; retry in 1 s/);
    // Every route counts, the unknown ones too; the OpenAI routes answer in OpenAI's shape.
    expect((await call(`${t.url}/v1/nothing-here`)).status).toBe(429);
    const openai = await call(`${t.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(openai.status).toBe(429);
    expect(openai.json.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    await sleep(Number(refused.retryAfter) * 1000);
    expect((await call(`${t.url}/v1/node`)).status).toBe(200);
  });
});

describe('behind a trusted proxy', () => {
  let direct: TestNode;
  let proxied: TestNode;
  beforeAll(async () => {
    direct = await startTestNode({ rateExempt: [], rateIp: { perSecond: 0.1, burst: 2 } });
    proxied = await startTestNode({ rateExempt: [], rateIp: { perSecond: 0.1, burst: 2 }, trustProxy: ['127.0.0.1', '::1'] });
  });
  afterAll(async () => {
    await direct.stop();
    await proxied.stop();
  });
  const from = (url: string, client: string) => call(`${url}/v1/node`, { headers: { 'x-forwarded-for': client } });

  it('limits each client named by X-Forwarded-For, but only when the proxy is trusted', async () => {
    const a = [await from(proxied.url, '203.0.113.7'), await from(proxied.url, '203.0.113.7'), await from(proxied.url, '203.0.113.7')];
    expect(a.map((x) => x.status)).toEqual([200, 200, 429]);
    expect(a[2].json.error?.message).toMatch(/client address \(203\.0\.113\.7\)/);
    // Another client behind the same proxy has an allowance of its own.
    expect((await from(proxied.url, '203.0.113.8')).status).toBe(200);
    // Not trusted: the header is the client's say-so, and everyone shares the peer's allowance.
    const d = [await from(direct.url, '203.0.113.7'), await from(direct.url, '203.0.113.8'), await from(direct.url, '203.0.113.9')];
    expect(d.map((x) => x.status)).toEqual([200, 200, 429]);
    expect(d[2].json.error?.message).toMatch(/client address \(127\.0\.0\.1\)/);
  });
});

describe('per signing account and per API key', () => {
  let t: TestNode;
  const alice = newSigner();
  const bob = newSigner();
  const mallory = newSigner();
  let names = 0;

  beforeAll(async () => {
    t = await startTestNode({ rateExempt: [], rateIp: { perSecond: 1000, burst: 1000 }, rateAccount: { perSecond: 0.5, burst: 3 }, rateApiKey: { perSecond: 1, burst: 2 } });
  });
  afterAll(async () => t.stop());

  const create = async (who: LocalSigner, as?: string) => {
    const { domain, types } = await t.client.actionTypes();
    const signed = who.sign(domain, types, withReplayProtection({ type: 'CreateDatanet', name: `d${names++}`, description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] }));
    return call(`${t.url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...signed, signer: as ?? signed.signer }) });
  };

  it('an account past its burst gets 429 naming the signer, before its signature is checked; others are not held up', { timeout: 20_000 }, async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await create(alice)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const size = t.node.size;
    const refused = await create(alice);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(refused.json.error).toMatchObject({ code: 'rate_limited', field: 'signer', details: { limit: 'account', perSecond: 0.5, burst: 3 } });
    expect(refused.json.error?.message).toContain(alice.address);
    expect(t.node.size).toBe(size);
    expect((await create(bob)).status).toBe(200);
    await sleep(Number(refused.retryAfter) * 1000);
    expect((await create(alice)).status).toBe(200);
  });

  it('requests that forge someone else as signer are refused and do not use up that account', async () => {
    const carol = newSigner();
    for (let i = 0; i < 10; i++) expect((await create(mallory, carol.address)).status).toBe(401);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await create(carol)).status);
    expect(statuses).toEqual([200, 200, 200]);
  });

  it('an API key past its burst gets 429 in OpenAI\'s shape; another key is not held up', { timeout: 20_000 }, async () => {
    const complete = (key: string) =>
      call(`${t.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'none@1', prompt: 'hi' }) });
    // Unknown keys are 401s, and still count: the limit comes before any lookup.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await complete('trib_made_up')).status);
    expect(statuses).toEqual([401, 401, 429]);
    const refused = await complete('trib_made_up');
    expect(refused.retryAfter).toBe('1');
    expect(refused.json).toEqual({ error: { message: expect.stringMatching(/API key .*1 a second, in bursts of up to 2/), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    expect((await complete('trib_another')).status).toBe(401);
    await sleep(1000);
    expect((await complete('trib_made_up')).status).toBe(401);
  });
});

describe('defaults', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode();
  });
  afterAll(async () => t.stop());

  it('loopback is exempt: a burst far past the default limits is served', async () => {
    expect(t.node.config.rateExempt).toEqual(['127.0.0.1', '::1']);
    const answers = await Promise.all(Array.from({ length: 300 }, () => fetch(`${t.url}/v1/node`).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
  });
});
