// Serving through a remote OpenAI-compatible backend. The upstream server here is another
// Tributary node (it speaks the OpenAI API, with its own keys and charges); the node in
// front generates nothing itself, yet attribution, charging and the log stay its own.
import { createHash, randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/node/demo.ts';
import { BackendError } from '../src/serving/backend.ts';
import { RemoteBackend } from '../src/serving/remote.ts';
import { call } from './helpers/servingCalls.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

const sha = (s: string) => '0x' + createHash('sha256').update(s).digest('hex');
const TOKEN = 10n ** 18n;

describe('a remote OpenAI-compatible backend', () => {
  let upstream: TestNode;
  let front: TestNode;
  let openai: OpenAI;
  const upstreamKey = `trib_${randomBytes(24).toString('hex')}`;
  const frontKey = `trib_${randomBytes(24).toString('hex')}`;
  const payer = newSigner();
  const operator = newSigner();
  let upstreamStopped = false;

  const inferences = async (t: TestNode, from: number) => {
    const found: Array<Record<string, unknown>> = [];
    const size = (await t.client.node()).size;
    for (let i = from; i < size; i++) {
      const e = JSON.parse(Buffer.from((await t.client.entry(i)).data, 'base64').toString('utf8'));
      if (e.action.type === 'InferenceRecord') found.push(e.action);
    }
    return found;
  };

  beforeAll(async () => {
    upstream = await startTestNode({ epochSeconds: 0 });
    await seedDemo(upstream.node);
    await upstream.client.faucet(operator.address, (100n * TOKEN).toString());
    await upstream.client.act(operator, { type: 'CreateApiKey', keyHash: sha(upstreamKey), label: 'front node' });
    front = await startTestNode({ epochSeconds: 0, backend: { url: `${upstream.url}/v1`, key: upstreamKey, names: {} } });
    await seedDemo(front.node);
    await front.client.faucet(payer.address, (100n * TOKEN).toString());
    await front.client.act(payer, { type: 'CreateApiKey', keyHash: sha(frontKey), label: 'client' });
    openai = new OpenAI({ apiKey: frontKey, baseURL: `${front.url}/v1`, maxRetries: 0, timeout: 60_000 });
  }, 180_000);
  afterAll(async () => {
    await front?.stop();
    if (!upstreamStopped) await upstream?.stop();
  });

  it('generates upstream and attributes, charges and logs in the node in front', async () => {
    const upFrom = (await upstream.client.node()).size;
    const frontFrom = (await front.client.node()).size;
    const before = BigInt((await front.client.account(payer.address)).prepaid);
    const r = await openai.completions.create({ model: 'demo-river@1', prompt: 'The Rhine gathers water from', max_tokens: 12, temperature: 0 });
    // The same greedy request straight to the upstream node gives the same text.
    const direct = await new OpenAI({ apiKey: upstreamKey, baseURL: `${upstream.url}/v1`, maxRetries: 0 }).completions.create({ model: 'demo-river@1', prompt: 'The Rhine gathers water from', max_tokens: 12, temperature: 0 });
    expect(r.choices[0].text).toBe(direct.choices[0].text);
    // The upstream served (and charged its operator's key) once for each call.
    const up = await inferences(upstream, upFrom);
    expect(up.map((a) => a.requester)).toEqual([operator.address, operator.address]);
    // The front node logged the call with its own counts, and charged its own client.
    const [mine] = await inferences(front, frontFrom);
    expect(mine).toMatchObject({ model: 'demo-river@1', requester: payer.address, inputTokens: r.usage!.prompt_tokens, outputTokens: r.usage!.completion_tokens });
    const fee = BigInt((r as unknown as { attribution: { fee: string } }).attribution.fee);
    expect(BigInt((await front.client.account(payer.address)).prepaid)).toBe(before - fee);
  }, 60_000);

  it('streams through, with the attribution in the final chunk', async () => {
    const stream = await openai.completions.create({ model: 'demo-river@1', prompt: 'Along the Danube', max_tokens: 10, temperature: 0, stream: true });
    let text = '';
    let last: Record<string, unknown> | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      last = chunk as unknown as Record<string, unknown>;
    }
    const plain = await openai.completions.create({ model: 'demo-river@1', prompt: 'Along the Danube', max_tokens: 10, temperature: 0 });
    expect(text).toBe(plain.choices[0].text);
    expect(last!.attribution).toMatchObject({ fee: expect.any(String), log_index: expect.any(Number) });
  }, 60_000);

  it('chooses the upstream model by the configured name, and says which name the upstream refused', async () => {
    const basePath = front.node.models.files.path((await front.client.model('demo-river@1')).tributary.base);
    const mapped = new RemoteBackend({ baseUrl: `${upstream.url}/v1/`, apiKey: upstreamKey, names: { 'mine@1': 'demo-river@1', 'gone@1': 'missing@9' }, contextSize: 512 });
    try {
      const r = await mapped.complete({ model: { id: 'mine@1', basePath }, prompt: 'The Volga', maxTokens: 4, temperature: 0 });
      expect(r).toMatchObject({ started: true, finishReason: expect.stringMatching(/stop|length/) });
      expect(r.completionTokens).toBeGreaterThan(0);
      const refused = await mapped.complete({ model: { id: 'gone@1', basePath }, prompt: 'x', maxTokens: 4, temperature: 0 }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(BackendError);
      expect((refused as BackendError).status).toBe(502);
      expect((refused as BackendError).message).toMatch(/answered 404 for model missing@9: no model missing@9/);
    } finally {
      await mapped.close();
    }
  }, 60_000);

  it('answers 503 with Retry-After when the upstream is down, and charges nothing: the hold it took is released whole', async () => {
    await upstream.stop();
    upstreamStopped = true;
    const size = (await front.client.node()).size;
    const before = (await front.client.account(payer.address)).prepaid;
    const res = await fetch(`${front.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${frontKey}` },
      body: JSON.stringify({ model: 'demo-river@1', prompt: 'The Niger', max_tokens: 4 }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: { type: 'service_unavailable', message: expect.stringContaining('cannot be reached') } });
    // The most the call could cost was held before trying the upstream, and given back whole.
    const logged = (await front.client.node()).size;
    expect(logged).toBe(size + 2);
    const [held, released] = await Promise.all([size, size + 1].map(async (i) => JSON.parse(Buffer.from((await front.client.entry(i)).data, 'base64').toString('utf8')).action));
    expect(held).toMatchObject({ type: 'ReserveInference', requester: payer.address, maxTokens: 4 });
    expect(released).toMatchObject({ type: 'ReleaseReservation', reservation: size });
    expect((await front.client.account(payer.address)).prepaid).toBe(before);
  }, 60_000);

  it('holds before asking the upstream: concurrent streams beyond the balance get a 402 and no text', async () => {
    // The upstream is down by now: start another, as before.
    const up = await startTestNode({ epochSeconds: 0 });
    try {
      await seedDemo(up.node);
      await up.client.faucet(operator.address, (100n * TOKEN).toString());
      await up.client.act(operator, { type: 'CreateApiKey', keyHash: sha(upstreamKey), label: 'front node' });
      const front2 = await startTestNode({ epochSeconds: 0, backend: { url: `${up.url}/v1`, key: upstreamKey, names: {} } });
      try {
        await seedDemo(front2.node);
        const who = newSigner();
        const key = `trib_${randomBytes(24).toString('hex')}`;
        await front2.client.faucet(who.address, '1');
        await front2.client.act(who, { type: 'CreateApiKey', keyHash: sha(key), label: 'client' });
        const body = { model: 'demo-river@1', prompt: 'The Rhine gathers water from', max_tokens: 12, temperature: 0, stream: true };
        const need = BigInt(/may cost up to (\d+)/.exec((await call(front2.url, key, '/v1/completions', body)).body)![1]);
        const start = need + need / 2n;
        await front2.client.faucet(who.address, (start - 1n).toString());
        const upFrom = (await up.client.node()).size;
        const answers = await Promise.all(Array.from({ length: 6 }, () => call(front2.url, key, '/v1/completions', body)));
        const served = answers.filter((a) => a.status === 200);
        expect(served.length).toBeGreaterThanOrEqual(1);
        expect(served.length).toBeLessThan(answers.length);
        for (const a of answers) if (a.status !== 200) expect([a.status, a.body.includes('data:')]).toEqual([402, false]);
        // The upstream was asked only for the calls that were covered.
        expect(await inferences(up, upFrom)).toHaveLength(served.length);
        expect(BigInt((await front2.client.account(who.address)).prepaid)).toBe(start - served.reduce((s, a) => s + a.fee!, 0n));
        expect((await front2.client.money()).conserved).toBe(true);
      } finally {
        await front2.stop();
      }
    } finally {
      await up.stop();
    }
  }, 180_000);
});
