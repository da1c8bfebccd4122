// The model factory end to end over HTTP: a registered base model (a small llama with the
// real GPT-2 vocabulary), a datanet version, a training job with its fee escrowed, a worker
// that leases it and dies, a second worker that takes the lease over, trains with the
// built-in trainer and is paid once the node has re-measured its result, and the model
// registered with its provenance. Then the same from the CLI: `tributary train`.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import { ApiError } from '../src/client/errors.ts';
import { initLlamaWeights, writeLlamaGguf } from '../src/models/llama/weights.ts';
import { vocabPath } from '../src/tokenizer/vocab.ts';
import { loraPair, tinyAdapterGguf } from './fixtures/tinyGguf.ts';
import { readGgufFile } from '../src/gguf/reader.ts';
import { llamaConfigFromGgufMetadata } from '../src/models/llama/config.ts';
import { buildLoraGguf, initLoraWeights } from '../src/models/llama/lora.ts';
import { parseTrainingConfig } from '../src/models/trainer/config.ts';
import { evaluateAdapter } from '../src/models/trainer/evaluate.ts';
import { runOneJob } from '../src/worker/worker.ts';
import { runCli } from './helpers/runCli.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { verifyTestData } from './helpers/testDatabase.ts';

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');
const TOKEN = 10n ** 18n;
const CONFIG = JSON.stringify({ steps: 6, batchSize: 2, rank: 4, alpha: 8, targets: ['q', 'v', 'ffn'], learningRate: 0.01, sequenceLength: 48, warmupSteps: 1 });

describe('training jobs, workers and model provenance', () => {
  let t: TestNode;
  let dir: string;
  let base: string;
  const owner = newSigner();
  const curator = newSigner();
  const workerA = newSigner();
  const workerB = newSigner();
  const failure = async (p: Promise<unknown>) => (await p.then(() => undefined, (e: unknown) => e)) as ApiError;

  beforeAll(async () => {
    t = await startTestNode({ leaseSeconds: 3, epochSeconds: 0 });
    dir = mkdtempSync(join(tmpdir(), 'tributary-training-'));
    const path = join(dir, 'base.gguf');
    const w = initLlamaWeights(
      { vocabSize: 50257, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffnDim: 64, contextLength: 128, rmsEps: Math.fround(1e-5), ropeTheta: 10000 },
      { seed: 9, logitStd: 1 },
    );
    writeLlamaGguf(path, w, { tokenizerFrom: vocabPath('gpt-2'), name: 'test base' });
    base = sha(readFileSync(path));
    await t.client.uploadModelFile(base, path, curator);
    await t.client.act(curator, { type: 'RegisterBaseModel', name: 'test-base', file: base });
    await t.client.act(curator, { type: 'CreateDatanet', name: 'tales', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const gen = new TextGenerator(31);
    for (let i = 0; i < 6; i++) {
      const c = Buffer.from(gen.document(100));
      await t.client.act(newSigner(), { type: 'Contribute', datanet: 'tales', contentHash: sha(c), size: c.length, fileName: `t${i}.txt` }, c);
    }
    await t.client.act(curator, { type: 'Snapshot', datanet: 'tales' });
    await t.client.faucet(owner.address, (20n * TOKEN).toString());
  }, 60_000);
  afterAll(async () => t.stop());

  const submit = (extra: Record<string, unknown> = {}) =>
    t.client.act(owner, { type: 'SubmitTrainingJob', base, datanet: 'tales', snapshot: 1, config: CONFIG, computeFee: (5n * TOKEN).toString(), ...extra });

  it('escrows the compute fee when a job is submitted, and refuses bad jobs precisely', async () => {
    expect((await failure(submit({ config: '{"rank": 0}' }))).field).toBe('action.config.rank');
    expect((await failure(submit({ base: '0x' + '12'.repeat(32) }))).status).toBe(404);
    const poor = await failure(t.client.act(newSigner(), { type: 'SubmitTrainingJob', base, datanet: 'tales', snapshot: 1, config: '{}', computeFee: '1' }));
    expect(poor.status).toBe(402);
    const r = await submit();
    expect((await t.client.account(owner.address)).prepaid).toBe((15n * TOKEN).toString());
    expect(await t.client.money()).toMatchObject({ escrow: (5n * TOKEN).toString(), conserved: true });
    const job = await t.client.job(r.index);
    expect(job).toMatchObject({ status: 'open', owner: owner.address, base, computeFee: (5n * TOKEN).toString(), lease: null });
    expect(job.configHash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('a worker that dies loses its lease; another takes over, trains, and is paid after the node re-measures the result', async () => {
    const [job] = await t.client.jobs();
    // Only registered workers may lease.
    expect((await failure(t.client.leaseJob(workerA))).status).toBe(403);
    await t.client.act(workerA, { type: 'RegisterWorker', name: 'A' });
    await t.client.act(workerB, { type: 'RegisterWorker', name: 'B' });
    const leased = await t.client.leaseJob(workerA);
    expect(leased.job!.id).toBe(job.id);
    expect(leased.contributions).toHaveLength(6);
    // While A's lease holds, B gets nothing and cannot renew it.
    expect((await t.client.leaseJob(workerB)).job).toBeNull();
    expect((await failure(t.client.heartbeat(workerB, job.id))).status).toBe(409);
    // A goes silent; after the lease runs out (3 s here) the job is B's.
    await new Promise((r) => setTimeout(r, 3200));
    const done = await runOneJob({ client: t.client, signer: workerB, workDir: join(dir, 'worker-b') });
    expect(done!.job.id).toBe(job.id);
    expect(done!.receipt.result).toMatchObject({ job: job.id, paid: (5n * TOKEN).toString() });
    const after = await t.client.job(job.id);
    expect(after.status).toBe('done');
    expect(after.result).toMatchObject({ worker: workerB.address, adapter: done!.result.adapterHash, trainerVersion: 'tributary-lora/1' });
    expect(after.result!.evalLoss).toBeLessThan(after.result!.baseEvalLoss);
    expect(Math.abs(after.result!.evalLoss - after.result!.reportedEvalLoss)).toBeLessThan(1e-5);
    expect((await t.client.account(workerB.address)).unpaid).toBe((5n * TOKEN).toString());
    // A comes back too late: it no longer holds the job.
    const late = await failure(t.client.act(workerA, { type: 'CompleteTrainingJob', job: job.id, adapter: done!.result.adapterHash, trainerVersion: 'x', evalLoss: '1' }));
    expect(late.status).toBe(409);
    // After the fault: the whole log replays, and money is conserved (the escrow paid once).
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence).toBeUndefined();
    expect(report.money?.conserved).toBe(true);
    expect(await t.client.money()).toMatchObject({ escrow: '0', conserved: true });
  }, 120_000);

  it('refuses worker calls that are forged, stale or confused, and adapters that do not fit the base', async () => {
    const call = async (path: string, body: Record<string, unknown>) => {
      const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, error: ((await res.json()) as { error?: { field?: string; message: string } }).error };
    };
    const now = Math.floor(Date.now() / 1000);
    const forged = await call('/v1/jobs/lease', { worker: workerA.address, expiry: now + 60, signature: '0x' + '11'.repeat(65) });
    expect([400, 401]).toContain(forged.status);
    expect(forged.error?.field).toBe('signature');
    expect((await call('/v1/jobs/lease', { worker: workerA.address, expiry: now - 1, signature: '0x' + '11'.repeat(65) })).error?.field).toBe('expiry');
    expect((await call('/v1/jobs/lease', { worker: workerA.address, expiry: now + 3600, signature: '0x' + '11'.repeat(65) })).error?.message).toMatch(/at most 300 s ahead/);
    expect((await call('/v1/jobs/lease', { worker: 'nope', expiry: now + 60, signature: '0x' })).status).toBe(400);
    expect((await call('/v1/jobs/3/heartbeat', { worker: workerA.address, job: 4, expiry: now + 60, signature: '0x' + '11'.repeat(65) })).error?.field).toBe('job');
    // An adapter for another shape of model is refused before anything is paid.
    const r = await submit();
    await t.client.leaseJob(workerA, r.index);
    const wrong = tinyAdapterGguf(loraPair(0, 'attn_q', 8, 2, 8));
    writeFileSync(join(dir, 'wrong.gguf'), wrong);
    await t.client.uploadModelFile(sha(wrong), join(dir, 'wrong.gguf'), workerA);
    const misfit = await failure(t.client.act(workerA, { type: 'CompleteTrainingJob', job: r.index, adapter: sha(wrong), trainerVersion: 'x', evalLoss: '1' }));
    expect(misfit.status).toBe(422);
    expect(misfit.message).toMatch(/does not fit base 0x[0-9a-f]{64}: blk.0.attn_q.weight: the adapter maps 8 → 8, but the base's attn_q maps 32 → 32/);
  });

  it('pays nothing for an adapter that learned nothing, and lets the owner cancel a job nobody holds', async () => {
    const r = await submit();
    await t.client.leaseJob(workerB, r.index);
    // Exactly what the trainer starts from (B = 0): it reproduces the base model.
    const model = llamaConfigFromGgufMetadata(readGgufFile(join(dir, 'base.gguf')).metadata);
    const untrained = buildLoraGguf(model, initLoraWeights(model, { rank: 4, alpha: 8, targets: ['q', 'v', 'gate', 'up', 'down'] }, { seed: 1 }));
    writeFileSync(join(dir, 'untrained.gguf'), untrained);
    await t.client.uploadModelFile(sha(untrained), join(dir, 'untrained.gguf'), workerB);
    const evaluated = await evaluateAdapter({ basePath: join(dir, 'base.gguf'), adapterPath: join(dir, 'untrained.gguf'), documents: [], config: parseTrainingConfig(CONFIG) }).catch(() => undefined);
    expect(evaluated).toBeUndefined(); // (no documents: nothing to evaluate; the node uses the job's)
    const job = await t.client.job(r.index);
    const docs = await Promise.all(job.documents.map(async (id) => ({ id, text: (await t.client.content(id)).toString('utf8') })));
    const loss = await evaluateAdapter({ basePath: join(dir, 'base.gguf'), adapterPath: join(dir, 'untrained.gguf'), documents: docs, config: parseTrainingConfig(job.config) });
    expect(loss.evalLoss).toBeCloseTo(loss.baseEvalLoss, 6);
    const lazy = await failure(t.client.act(workerB, { type: 'CompleteTrainingJob', job: r.index, adapter: sha(untrained), trainerVersion: 'tributary-lora/1', evalLoss: loss.evalLoss.toFixed(6) }));
    expect(lazy.status).toBe(422);
    expect(lazy.message).toMatch(/is not below the base model's .* nothing was learned to pay for/);
    // The owner cannot cancel while B holds the lease, can once it lapses, and gets the fee back.
    await t.client.heartbeat(workerB, r.index);
    expect((await failure(t.client.act(owner, { type: 'CancelTrainingJob', job: r.index }))).status).toBe(409);
    await new Promise((w) => setTimeout(w, 3200));
    expect((await failure(t.client.act(workerB, { type: 'CancelTrainingJob', job: r.index }))).status).toBe(403);
    const before = BigInt((await t.client.account(owner.address)).prepaid);
    const c = await t.client.act(owner, { type: 'CancelTrainingJob', job: r.index });
    expect(c.result.refunded).toBe((5n * TOKEN).toString());
    expect(BigInt((await t.client.account(owner.address)).prepaid)).toBe(before + 5n * TOKEN);
    expect((await t.client.job(r.index)).status).toBe('cancelled');
    expect((await t.client.leaseJob(workerB, r.index)).job).toBeNull();
  }, 60_000);

  it('refuses, at submission, a job the base model cannot run', async () => {
    expect((await failure(submit({ config: JSON.stringify({ sequenceLength: 4096 }) }))).field).toBe('action.config.sequenceLength');
    expect((await failure(submit({ config: JSON.stringify({ rank: 64 }) }))).message).toContain("more than the base model's narrowest adapted width, 16");
  });

  it('refuses a result whose reported loss the node cannot reproduce', async () => {
    const r = await submit();
    const leased = await t.client.leaseJob(workerA, r.index);
    expect(leased.job!.id).toBe(r.index);
    const [first] = (await t.client.jobs()).filter((j) => j.status === 'done');
    // The node re-measures on one of its CPU worker threads, never on its event loop (issue 15).
    expect(t.node.config.cpuWorkers).toBeGreaterThan(0);
    const tasks = t.node.cpu.stats.started;
    const lie = await failure(t.client.act(workerA, { type: 'CompleteTrainingJob', job: r.index, adapter: first.result!.adapter, trainerVersion: 'tributary-lora/1', evalLoss: '0.5' }));
    expect(t.node.cpu.stats.started).toBe(tasks + 1);
    expect(lie.status).toBe(400);
    expect(lie.field).toBe('action.evalLoss');
    expect(lie.message).toMatch(/the worker reports 0.5 but the node measured \d+\.\d{6} on the held-out split/);
    const missing = await failure(t.client.act(workerA, { type: 'CompleteTrainingJob', job: r.index, adapter: '0x' + '34'.repeat(32), trainerVersion: 'x', evalLoss: '1' }));
    expect(missing.message).toContain('upload it first');
  }, 60_000);

  it('registers a model from a job with its provenance, and only as the job says', async () => {
    const job = (await t.client.jobs()).find((j) => j.status === 'done')!;
    const register = (who = owner, extra: Record<string, unknown> = {}) =>
      t.client.act(who, {
        type: 'RegisterModel',
        name: 'tales-lora',
        datanet: 'tales',
        snapshot: 1,
        base,
        adapter: job.result!.adapter,
        pricePer1kInput: '1000',
        pricePer1kOutput: '1000',
        dataBps: 5000,
        ownerBps: 2500,
        computeBps: 2000,
        treasuryBps: 500,
        baselineBps: 2000,
        job: job.id,
        ...extra,
      });
    expect((await failure(register(owner, { adapter: '0x' + '56'.repeat(32) }))).field).toBe('action.adapter');
    expect((await failure(register(workerB))).status).toBe(403);
    const r = await register();
    const m = await t.client.model(String(r.result.model));
    expect(m.tributary).toMatchObject({ base, adapter: job.result!.adapter, datanet: 'tales', snapshot: 1, training: { job: job.id, configHash: job.configHash, trainerVersion: 'tributary-lora/1', worker: workerB.address } });
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence).toBeUndefined();
  });

  it('tributary train runs the whole flow, and tributary worker --once serves a queued job', async () => {
    const cli = (args: string[]) => runCli(t.url, join(dir, 'ks.json'), dir, args);
    const made = await cli(['--json', 'account', 'new', '--name', 'me']);
    const me = JSON.parse(made.stdout).address as string;
    await t.client.faucet(me, (10n * TOKEN).toString());
    const r = await cli(['train', 'tales', '--base', 'test-base', '--name', 'cli-model', '--steps', '6', '--rank', '2', '--targets', 'q,v,ffn', '--lr', '0.01', '--fee', '2', '--price-in', '1', '--price-out', '2', '--work-dir', join(dir, 'cli-work')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cli-model@1 {2}owned by 0x[0-9a-f]{40}/);
    expect(r.stdout).toContain('registered base model test-base');
    expect(r.stdout).toMatch(/trained by {2}job \d+ on worker 0x[0-9a-f]{40}: tributary-lora\/1/);
    expect(r.stdout).toMatch(/eval loss {3}\d+\.\d{4} nats\/token held out \(base alone \d+\.\d{4}\)/);
    expect(r.stdout).toMatch(/loss curve {2}.*loss\.svg/);

    await t.client.act(owner, { type: 'SubmitTrainingJob', base, datanet: 'tales', snapshot: 1, config: JSON.stringify({ steps: 6, batchSize: 2, rank: 2, targets: ['q', 'v', 'ffn'], learningRate: 0.01, sequenceLength: 32, warmupSteps: 0 }), computeFee: '7' });
    const w = await cli(['worker', '--once', '--account', 'me', '--name', 'cli worker', '--work-dir', join(dir, 'cli-worker')]);
    expect(w.code, w.stderr).toBe(0);
    // The job waiting longest goes first: the one the earlier test leased to A and abandoned, or this one.
    expect(w.stdout).toMatch(/^trained job \d+: held-out loss \d+\.\d{4} → \d+\.\d{4}\n {2}adapter {4}0x[0-9a-f]{64}/);
  }, 180_000);
});
