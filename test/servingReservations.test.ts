// Pay before you get the text (issue 15, part 5), against a real node and real
// llama.cpp with the demo model. Many more concurrent streams than a balance covers: each
// gets text only if the most it may cost was reserved first, the others a 402 and not one
// byte of text; afterwards the payer's balance is the start less exactly the fees
// settled, no hold is left, and the books are conserved. A client that disconnects
// mid-stream pays only what was generated, the rest of its hold goes back; and a node
// killed mid-call gives every hold back when it restarts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../bench/serverProcess.ts';
import type { LocalSigner } from '../src/client/signer.ts';
import { seedDemo } from '../src/node/demo.ts';
import { policyOf } from '../src/settlement/actions/inferenceRecord.ts';
import { inferenceFee } from '../src/settlement/feePolicy.ts';
import { findModel, moneyKeys } from '../src/settlement/records.ts';
import { call, logEntries as entries, streamedCall } from './helpers/servingCalls.ts';
import { databaseEnv, onPostgres, verifyTestData } from './helpers/testDatabase.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { until } from './helpers/wait.ts';

const sha = (s: string) => '0x' + createHash('sha256').update(s).digest('hex');
const PROMPT = '# Notes on the Rhine\n\nThe Rhine gathers water from';

describe('serving reserves the most a call may cost before any text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-reserve-'));
  let t: TestNode;
  let child: ServerProcess | undefined;
  const owner = newSigner();

  /** A fresh account with an API key, funded with `funds` base units (none: unfunded). */
  async function caller(funds: bigint): Promise<{ signer: LocalSigner; key: string }> {
    const signer = newSigner();
    const key = `trib_${randomBytes(24).toString('hex')}`;
    if (funds > 0n) await t.client.faucet(signer.address, funds.toString());
    await t.client.act(signer, { type: 'CreateApiKey', keyHash: sha(key), label: 'reserve test' });
    return { signer, key };
  }
  const prepaid = async (a: string) => BigInt((await t.client.account(a)).prepaid);
  const openHolds = () => t.node.state.list(moneyKeys.holdPrefix).length;
  /** The most a call may cost, as the node reserves it. */
  const most = (model: string, inputTokens: number, maxTokens: number) => inferenceFee(policyOf(findModel(t.node.state, model)!), inputTokens, maxTokens);

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 }, { dataDir: dir });
    await seedDemo(t.node);
    // The demo base without its adapter: its sampled answers run long, for the disconnect.
    const [demo] = (await t.client.models()).filter((m) => m.id === 'demo-river@1');
    await t.client.faucet(owner.address, '1');
    await t.client.act(owner, {
      type: 'RegisterModel', name: 'demo-plain', datanet: '', snapshot: 0, base: demo.tributary.base, adapter: '0x' + '00'.repeat(32),
      pricePer1kInput: '1000', pricePer1kOutput: '1000000', dataBps: 0, ownerBps: 5000, computeBps: 4000, treasuryBps: 1000, baselineBps: 0, job: 0,
    });
  }, 180_000);
  afterAll(async () => {
    await child?.stop();
    await t?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives concurrent streams text only when their reservation is covered; the rest get a 402 and no text; the books balance', async () => {
    const body = { model: 'demo-river@1', prompt: PROMPT, max_tokens: 16, temperature: 0, stream: true };
    // An account with nothing learns, before any text, what the call needs.
    const broke = await caller(0n);
    const refused = await call(t.url, broke.key, '/v1/completions', body);
    expect(refused.status).toBe(402);
    const need = BigInt(/may cost up to (\d+)/.exec(refused.body)![1]);
    expect(JSON.parse(refused.body).error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_balance', param: 'authorization' });
    expect(JSON.parse(refused.body).error.message).toMatch(new RegExp(`^${broke.signer.address} has 0 base units prepaid .* may cost up to ${need} \\(\\d+ prompt tokens, max_tokens 16\\)`));

    // Two and a half reservations' worth, and twelve streams at once.
    const start = 2n * need + need / 2n;
    const payer = await caller(start);
    const from = (await t.client.node()).size;
    const answers = await Promise.all(Array.from({ length: 12 }, () => call(t.url, payer.key, '/v1/completions', body)));
    const served = answers.filter((a) => a.status === 200);
    const turnedAway = answers.filter((a) => a.status !== 200);
    // The balance covers two at a time, and a settled call returns what it did not use: at
    // least two are served, and many more than the balance covers are not.
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(turnedAway.length).toBeGreaterThanOrEqual(1);
    for (const a of served) {
      expect(a.contentType).toMatch(/^text\/event-stream/);
      expect(a.text.length).toBeGreaterThan(0);
      expect(a.fee).toBeGreaterThan(0n);
      expect(a.body.endsWith('data: [DONE]\n\n')).toBe(true);
    }
    for (const a of turnedAway) {
      // A plain JSON 402, not a stream: not one byte of text came before it.
      expect(a.status).toBe(402);
      expect(a.contentType).toMatch(/^application\/json/);
      expect(a.body).not.toContain('data:');
      const e = JSON.parse(a.body).error;
      expect(e).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_balance', param: 'authorization' });
      expect(e.message).toMatch(new RegExp(`^${payer.signer.address} has \\d+ base units prepaid .* may cost up to ${need} `));
    }
    // Exactly the settled fees left the balance; no hold is left open; the books are conserved.
    const fees = served.reduce((s, a) => s + a.fee!, 0n);
    expect(await prepaid(payer.signer.address)).toBe(start - fees);
    expect(fees).toBeLessThanOrEqual(start);
    expect(openHolds()).toBe(0);
    expect(await t.client.money()).toMatchObject({ reserved: '0', conserved: true });
    // In the log: one InferenceRecord per stream served, each paid from a reservation made before it.
    const log = await entries(t.client, from);
    const records = log.filter((e) => e.action.type === 'InferenceRecord' && e.action.requester === payer.signer.address);
    expect(records).toHaveLength(served.length);
    for (const r of records) {
      const reserve = log.find((e) => e.index === r.action.reservation);
      expect(reserve?.action).toMatchObject({ type: 'ReserveInference', requester: payer.signer.address, model: 'demo-river@1', maxTokens: 16 });
    }
  }, 180_000);

  it('reserves for chat and non-streamed calls too, and the official client sees the 402', async () => {
    const body = { model: 'demo-river@1', messages: [{ role: 'user', content: 'Tell me about the Danube.' }], max_tokens: 12, temperature: 0 };
    const broke = await caller(0n);
    const openai = new OpenAI({ apiKey: broke.key, baseURL: `${t.url}/v1`, maxRetries: 0 });
    await expect(openai.chat.completions.create({ ...body, messages: [{ role: 'user', content: 'Tell me about the Danube.' }], stream: true })).rejects.toMatchObject({ status: 402 });
    const probe = await call(t.url, broke.key, '/v1/chat/completions', body);
    expect(probe.status).toBe(402);
    const need = BigInt(/may cost up to (\d+)/.exec(probe.body)![1]);

    const start = need + need / 2n;
    const payer = await caller(start);
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(t.url, payer.key, '/v1/chat/completions', body)));
    const served = answers.filter((a) => a.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) {
      if (a.status === 200) expect(a.text.length).toBeGreaterThan(0);
      else expect([a.status, JSON.parse(a.body).choices]).toEqual([402, undefined]);
    }
    expect(await prepaid(payer.signer.address)).toBe(start - served.reduce((s, a) => s + a.fee!, 0n));
    expect(openHolds()).toBe(0);
    expect((await t.client.money()).conserved).toBe(true);
  }, 120_000);

  it('a client that disconnects mid-stream pays only for what was generated; the rest of its hold goes back', async () => {
    const start = 10n ** 18n;
    const payer = await caller(start);
    const from = (await t.client.node()).size;
    await streamedCall(t.url, payer.key, { model: 'demo-plain@1', prompt: 'Once', max_tokens: 256, temperature: 1.5, seed: 3 }, (abort) => abort());
    const record = await until('the InferenceRecord of the cut stream', async () =>
      (await entries(t.client, from)).find((e) => e.action.type === 'InferenceRecord' && e.action.requester === payer.signer.address),
    );
    const outputTokens = record.action.outputTokens as number;
    const inputTokens = record.action.inputTokens as number;
    expect(outputTokens).toBeGreaterThan(0);
    expect(outputTokens).toBeLessThan(256);
    const reserve = (await entries(t.client, from)).find((e) => e.index === record.action.reservation)!;
    expect(reserve.action).toMatchObject({ type: 'ReserveInference', requester: payer.signer.address, inputTokens, maxTokens: 256 });
    const charged = most('demo-plain@1', inputTokens, outputTokens);
    // What was held was more than what was charged, and all of the difference came back.
    expect(charged).toBeLessThan(most('demo-plain@1', inputTokens, 256));
    await until('the hold to go', async () => (openHolds() === 0 ? true : undefined));
    expect(await prepaid(payer.signer.address)).toBe(start - charged);
    expect((await t.client.money()).conserved).toBe(true);
  }, 60_000);

  it("sweeps the holds nobody will settle, and never a running call's", async () => {
    const payer = await caller(10n ** 18n);
    const r = t.node.serving.reservations;
    const x = { model: 'demo-river@1', requester: payer.signer.address, inputTokens: 5, maxTokens: 8 };
    // A call of this process still running: kept.
    const running = await r.reserve(x);
    // One of this process whose call is gone without settling, and one of another process.
    const leftover = await t.node.submitNodeAction({ type: 'ReserveInference', ...x, holder: `${r.instance.toString(16)}/0`, ttlMs: 3_600_000 });
    const foreign = await t.node.submitNodeAction({ type: 'ReserveInference', ...x, holder: 'dead0001/1', ttlMs: 3_600_000 });
    expect(openHolds()).toBe(3);
    await r.sweep();
    if (onPostgres()) {
      // On PostgreSQL the node is a cluster of one: another instance is taken for dead only
      // once its liveness lock has been missing for 10 s.
      expect(t.node.state.get(moneyKeys.hold(foreign.index))).toBeDefined();
      await new Promise((w) => setTimeout(w, 10_500));
      await r.sweep();
    }
    expect(t.node.state.list(moneyKeys.holdPrefix).map(([, h]) => (h as { reservation: number }).reservation)).toEqual([running.index]);
    expect([leftover.index, foreign.index].every((i) => t.node.state.get(moneyKeys.hold(i)) === undefined)).toBe(true);
    await r.release(running);
    expect(openHolds()).toBe(0);
    expect(await prepaid(payer.signer.address)).toBe(10n ** 18n);
  }, 60_000);

  it('a node killed mid-call gives every hold back when it restarts', async () => {
    const start = 10n ** 18n;
    const payer = await caller(start);
    const from = (await t.client.node()).size;
    // The same data (and database) served by a real `tributary start`, killed with SIGKILL
    // once text is flowing: no process is left to settle or release what it held.
    await t.stop();
    const env = { ...process.env, ...(await databaseEnv(dir)), TRIBUTARY_INFERENCE_THREADS: '1' };
    child = await startServerProcess(dir, [], 60_000, env);
    const victim = child;
    const kill = () => victim.child.exitCode === null && victim.child.kill('SIGKILL');
    await Promise.all(Array.from({ length: 4 }, () => streamedCall(victim.url, payer.key, { model: 'demo-plain@1', prompt: 'Once', max_tokens: 256, temperature: 1.5, seed: 3 }, kill)));
    expect(victim.child.killed, 'no stream got text, so the node was never killed').toBe(true);
    await new Promise<void>((r) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? r() : victim.child.once('exit', () => r())));
    expect(victim.child.signalCode).toBe('SIGKILL');
    child = undefined;

    t = await startTestNode({ epochSeconds: 0 }, { dataDir: dir });
    await until('every hold to be released', async () => (openHolds() === 0 ? true : undefined));
    const log = await entries(t.client, from);
    const reserved = log.filter((e) => e.action.type === 'ReserveInference' && e.action.requester === payer.signer.address);
    const settled = log.filter((e) => e.action.type === 'InferenceRecord' && e.action.requester === payer.signer.address);
    const released = log.filter((e) => e.action.type === 'ReleaseReservation');
    // The kill landed mid-call: some calls held money that no process settled, and the restart gave it back.
    expect(reserved.length).toBeGreaterThan(settled.length);
    expect(released.map((e) => e.action.reservation).sort()).toEqual(reserved.filter((r) => !settled.some((s) => s.action.reservation === r.index)).map((r) => r.index).sort());
    const fees = settled.reduce((s, e) => s + most('demo-plain@1', e.action.inputTokens as number, e.action.outputTokens as number), 0n);
    expect(await prepaid(payer.signer.address)).toBe(start - fees);
    expect((await t.client.money()).conserved).toBe(true);
    const report = await verifyTestData(dir);
    expect(report.ok, JSON.stringify(report.divergence)).toBe(true);
    expect(report.money?.conserved).toBe(true);
  }, 180_000);
});
