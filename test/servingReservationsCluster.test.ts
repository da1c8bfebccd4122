// Reservations in a cluster: two API nodes on one PostgreSQL database, both serving, one
// sequencing. A hold taken on the node without the lease goes through the sequencer like
// any money move, so streams spread over both nodes still get text only when covered;
// and when a serving node dies mid-call (SIGKILL), the sequencer gives its holds back as
// soon as its database session is gone, with no restart of anything.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../bench/serverProcess.ts';
import { TributaryClient } from '../src/client/client.ts';
import { seedDemo } from '../src/node/demo.ts';
import { policyOf } from '../src/settlement/actions/inferenceRecord.ts';
import { inferenceFee } from '../src/settlement/feePolicy.ts';
import { findModel, moneyKeys } from '../src/settlement/records.ts';
import { nodeProcessEnv, type PostgresServer, startPostgres } from './helpers/postgres.ts';
import { call, logEntries, streamedCall } from './helpers/servingCalls.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { until } from './helpers/wait.ts';

const sha = (s: string) => '0x' + createHash('sha256').update(s).digest('hex');

describe('reservations on a cluster of two serving nodes', () => {
  let pg: PostgresServer;
  let a: TestNode;
  let b: ServerProcess | undefined;
  let bUrl: string;
  const dirA = mkdtempSync(join(tmpdir(), 'tributary-hold-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'tributary-hold-b-'));

  async function caller(funds: bigint) {
    const signer = newSigner();
    const key = `trib_${randomBytes(24).toString('hex')}`;
    await a.client.faucet(signer.address, funds.toString());
    await a.client.act(signer, { type: 'CreateApiKey', keyHash: sha(key), label: 'cluster hold test' });
    return { signer, key };
  }
  const prepaid = async (x: string) => BigInt((await a.client.account(x)).prepaid);
  const openHolds = () => a.node.state.list(moneyKeys.holdPrefix).length;

  beforeAll(async () => {
    pg = await startPostgres();
    const url = pg.createDatabase('holds');
    a = await startTestNode({ epochSeconds: 0 }, { dataDir: dirA, env: { DATABASE_URL: url, TRIBUTARY_TAKEOVER_MS: '200', TRIBUTARY_AUTH_WORKERS: '0' } });
    await seedDemo(a.node);
    // Node b: the same key and model files, its own process, no lease while a holds it.
    copyFileSync(join(dirA, 'node.key'), join(dirB, 'node.key'));
    mkdirSync(join(dirB, 'models'), { recursive: true });
    for (const f of readdirSync(join(dirA, 'models'))) if (f.endsWith('.gguf')) copyFileSync(join(dirA, 'models', f), join(dirB, 'models', f));
    b = await startServerProcess(dirB, [], 60_000, nodeProcessEnv(dirB, url, { TRIBUTARY_INFERENCE_THREADS: '1' }));
    bUrl = b.url;
    expect(a.node.sequencing).toBe(true);
    expect((await new TributaryClient(bUrl).node()).size).toBeGreaterThan(0);
  }, 240_000);
  afterAll(async () => {
    await b?.stop();
    await a?.stop().catch(() => {});
    pg?.destroy();
    for (const d of [dirA, dirB]) rmSync(d, { recursive: true, force: true });
  });

  it('streams spread over both nodes get text only when covered, the rest a 402 before any text', async () => {
    const body = { model: 'demo-river@1', prompt: 'The Rhine gathers water from', max_tokens: 16, temperature: 0, stream: true };
    const m = findModel(a.node.state, 'demo-river@1')!;
    const probe = await call(bUrl, (await caller(1n)).key, '/v1/completions', body);
    expect(probe.status).toBe(402);
    const need = BigInt(/may cost up to (\d+)/.exec(probe.body)![1]);
    expect(need).toBe(inferenceFee(policyOf(m), Number(/\((\d+) prompt tokens/.exec(probe.body)![1]), 16));

    // Node b serves, holding through the sequencer: its InferenceRecord names a reservation.
    const one = await caller(need);
    const from = (await a.client.node()).size;
    const alone = await call(bUrl, one.key, '/v1/completions', body);
    expect(alone.status).toBe(200);
    const record = (await logEntries(a.client, from)).find((e) => e.action.type === 'InferenceRecord' && e.action.requester === one.signer.address)!;
    expect(record.action.reservation).toBeGreaterThanOrEqual(from);
    expect(await prepaid(one.signer.address)).toBe(need - alone.fee!);

    const start = 2n * need + need / 2n;
    const payer = await caller(start);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call(i % 2 ? bUrl : a.url, payer.key, '/v1/completions', body)));
    const served = answers.filter((x) => x.status === 200);
    expect(served.length).toBeGreaterThanOrEqual(2);
    expect(answers.filter((x) => x.status === 402).length).toBeGreaterThanOrEqual(1);
    for (const x of answers) {
      if (x.status === 200) expect([x.text.length > 0, x.fee! > 0n]).toEqual([true, true]);
      else expect([x.status, x.body.includes('data:'), /may cost up to/.test(x.body)]).toEqual([402, false, true]);
    }
    await until('every hold settled', async () => (openHolds() === 0 ? true : undefined));
    expect(await prepaid(payer.signer.address)).toBe(start - served.reduce((s, x) => s + x.fee!, 0n));
    expect((await a.client.money()).conserved).toBe(true);
  }, 180_000);

  it('a serving node killed mid-call: the sequencer releases its holds once its session is gone', async () => {
    const start = 10n * 10n ** 18n;
    const payer = await caller(start);
    const from = (await a.client.node()).size;
    const victim = b!;
    const kill = () => victim.child.exitCode === null && victim.child.kill('SIGKILL');
    await Promise.all(Array.from({ length: 4 }, () => streamedCall(bUrl, payer.key, { model: 'demo-river@1', prompt: 'Once', max_tokens: 256, temperature: 1.5, seed: 3 }, kill)));
    expect(victim.child.killed, 'no stream got text, so the node was never killed').toBe(true);
    await new Promise<void>((r) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? r() : victim.child.once('exit', () => r())));
    expect(victim.child.signalCode).toBe('SIGKILL');
    b = undefined;
    // Node a never stopped: its sweep finds the dead process's liveness lock gone.
    await until('the dead node’s holds to be released', async () => (openHolds() === 0 ? true : undefined), 30_000);
    const log = await logEntries(a.client, from);
    const reserved = log.filter((e) => e.action.type === 'ReserveInference' && e.action.requester === payer.signer.address);
    const settled = log.filter((e) => e.action.type === 'InferenceRecord' && e.action.requester === payer.signer.address);
    const released = log.filter((e) => e.action.type === 'ReleaseReservation').map((e) => e.action.reservation);
    expect(reserved.length).toBeGreaterThan(settled.length);
    expect(released.sort()).toEqual(reserved.filter((r) => !settled.some((s) => s.action.reservation === r.index)).map((r) => r.index).sort());
    const policy = policyOf(findModel(a.node.state, 'demo-river@1')!);
    const fees = settled.reduce((s, e) => s + inferenceFee(policy, e.action.inputTokens as number, e.action.outputTokens as number), 0n);
    expect(await prepaid(payer.signer.address)).toBe(start - fees);
    expect((await a.client.money()).conserved).toBe(true);
  }, 120_000);
});
