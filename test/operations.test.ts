// Operations end to end: a real node over HTTP exposes /metrics (the families an operator
// graphs, moving after a contribution, a refusal and a served completion), answers /readyz
// 200 or 503 naming what is not ready, and with TRIBUTARY_LOG=1 a real `tributary start`
// writes JSON lines for requests and chain failures.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/node/demo.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';
import { freePort, until } from './helpers/wait.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

/** The value of the first sample of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function metrics(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return r.text();
}

/** A chain configuration whose RPC refuses connections: every chain worker pass fails. */
async function unreachableChain(dir: string): Promise<NodeJS.ProcessEnv> {
  const keyFile = join(dir, 'settler.key');
  writeFileSync(keyFile, '0x' + randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');
  return {
    TRIBUTARY_RPC_URL: `http://127.0.0.1:${await freePort()}`,
    TRIBUTARY_EVM_CHAIN_ID: '31337',
    TRIBUTARY_TOKEN_ADDRESS: addr(1),
    TRIBUTARY_VAULT_ADDRESS: addr(2),
    TRIBUTARY_DISTRIBUTOR_ADDRESS: addr(3),
    TRIBUTARY_ANCHOR_ADDRESS: addr(4),
    TRIBUTARY_SETTLER_KEY_FILE: keyFile,
    TRIBUTARY_CHAIN_POLL_MS: '50',
    TRIBUTARY_READY_CHAIN_FAILURES: '1',
  };
}

describe('/metrics on the demo node', () => {
  let t: TestNode;
  const key = `trib_${randomBytes(24).toString('hex')}`;
  const payer = newSigner();

  beforeAll(async () => {
    t = await startTestNode({ epochSeconds: 0 });
    await seedDemo(t.node);
    await t.client.faucet(payer.address, (10n ** 20n).toString());
    await t.client.act(payer, { type: 'CreateApiKey', keyHash: '0x' + createHash('sha256').update(key).digest('hex'), label: 'ops' });
  }, 120_000);
  afterAll(async () => t.stop());

  it('exposes every family with HELP and TYPE lines', async () => {
    const text = await metrics(t.url);
    const families: Array<[string, string]> = [
      ['tributary_http_requests_total', 'counter'],
      ['tributary_http_request_duration_seconds', 'histogram'],
      ['tributary_log_entries', 'gauge'],
      ['tributary_checkpoints_signed_total', 'counter'],
      ['tributary_sequencer_batches_total', 'counter'],
      ['tributary_sequencer_batch_entries', 'histogram'],
      ['tributary_sequencer_batch_duration_seconds', 'histogram'],
      ['tributary_sequencer_commit_failures_total', 'counter'],
      ['tributary_sequencer_queue_depth', 'gauge'],
      ['tributary_actions_accepted_total', 'counter'],
      ['tributary_actions_rejected_total', 'counter'],
      ['tributary_inferences_settled_total', 'counter'],
      ['tributary_inference_fees_tokens_total', 'counter'],
      ['tributary_settlement_epochs', 'gauge'],
      ['tributary_training_jobs_completed_total', 'counter'],
      ['tributary_serving_generation_seconds', 'histogram'],
      ['tributary_serving_overhead_seconds', 'histogram'],
      ['tributary_serving_queue_depth', 'gauge'],
      ['tributary_serving_resident_contexts', 'gauge'],
      ['tributary_serving_resident_bytes', 'gauge'],
      ['tributary_serving_context_loads_total', 'counter'],
      ['tributary_process_resident_memory_bytes', 'gauge'],
      ['tributary_process_heap_used_bytes', 'gauge'],
      ['tributary_event_loop_lag_seconds', 'gauge'],
    ];
    for (const [name, type] of families) {
      expect(text, name).toContain(`# HELP ${name} `);
      expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
    }
    // No chain configured: no chain families.
    expect(text).not.toContain('tributary_chain_');
    // What the demo seeding did: a trained adapter, settled inferences, an epoch.
    expect(sample(text, 'tributary_log_entries')).toBe(t.node.size);
    expect(sample(text, 'tributary_training_jobs_completed_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'tributary_inferences_settled_total')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'tributary_inference_fees_tokens_total')).toBeGreaterThan(0);
    expect(sample(text, 'tributary_settlement_epochs')).toBe(1);
    expect(sample(text, 'tributary_process_resident_memory_bytes')).toBeGreaterThan(10 * 2 ** 20);
  });

  it('moves after a contribution and after a refusal, with HTTP requests counted by route pattern', async () => {
    const before = await metrics(t.url);
    const owner = newSigner();
    await t.client.act(owner, { type: 'CreateDatanet', name: 'ops-notes', description: '', license: 'MIT', kind: 'text', schema: '', policy: 'open', curators: [] });
    const c = Buffer.from('metrics move\n');
    await t.client.act(owner, { type: 'Contribute', datanet: 'ops-notes', contentHash: sha(c), size: c.length, fileName: 'm.txt' }, c);
    await expect(t.client.act(owner, { type: 'Contribute', datanet: 'no-such-datanet', contentHash: sha(c), size: c.length, fileName: 'm.txt' }, c)).rejects.toMatchObject({ status: 404 });
    await fetch(`${t.url}/v1/contributions/424242`);
    await fetch(`${t.url}/no/such/path`);
    const after = await metrics(t.url);

    const delta = (name: string, labels?: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('tributary_log_entries')).toBe(2);
    expect(delta('tributary_actions_accepted_total', { type: 'Contribute' })).toBe(1);
    expect(delta('tributary_actions_accepted_total', { type: 'CreateDatanet' })).toBe(1);
    expect(delta('tributary_actions_rejected_total', { type: 'Contribute', status: '404' })).toBe(1);
    expect(delta('tributary_sequencer_batches_total')).toBeGreaterThanOrEqual(2);
    expect(delta('tributary_checkpoints_signed_total')).toBe(2);
    expect(delta('tributary_http_requests_total', { route: '/v1/actions', method: 'POST', status: '2xx' })).toBe(2);
    expect(delta('tributary_http_requests_total', { route: '/v1/actions', method: 'POST', status: '4xx' })).toBe(1);
    expect(delta('tributary_http_request_duration_seconds_count', { route: '/v1/actions', method: 'POST' })).toBe(3);
    // Patterns, not URLs: the client cannot grow the number of series.
    expect(sample(after, 'tributary_http_requests_total', { route: '/v1/contributions/:id', method: 'GET', status: '4xx' })).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain('/v1/contributions/424242');
    expect(delta('tributary_http_requests_total', { route: 'unmatched', method: 'GET', status: '4xx' })).toBe(1);
    expect(after).not.toContain('/no/such/path');
  });

  it('moves after a served completion: generation and overhead, settlement, fees, residency', async () => {
    const before = await metrics(t.url);
    const r = await fetch(`${t.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo-river@1', prompt: 'The Rhine gathers water from', max_tokens: 8, temperature: 0 }),
    });
    expect(r.status).toBe(200);
    const after = await metrics(t.url);
    const delta = (name: string, labels?: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('tributary_serving_generation_seconds_count')).toBe(1);
    expect(delta('tributary_serving_overhead_seconds_count')).toBe(1);
    expect(delta('tributary_serving_generation_seconds_sum')).toBeGreaterThan(0);
    expect(delta('tributary_inferences_settled_total')).toBe(1);
    expect(delta('tributary_actions_accepted_total', { type: 'InferenceRecord' })).toBe(1);
    expect(delta('tributary_inference_fees_tokens_total')).toBeGreaterThan(0);
    expect(delta('tributary_http_requests_total', { route: '/v1/completions', method: 'POST', status: '2xx' })).toBe(1);
    expect(sample(after, 'tributary_serving_resident_contexts')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'tributary_serving_resident_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'tributary_serving_queue_depth')).toBe(0);
    expect(sample(after, 'tributary_serving_context_loads_total')).toBeGreaterThanOrEqual(1);
  }, 60_000);
});

describe('/readyz', () => {
  it('is 200 on a healthy node, 503 naming the sequencer after a batch failed to commit until one commits, then the database once closed', async () => {
    const t = await startTestNode();
    try {
      const ok = await fetch(`${t.url}/readyz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ready: true, failing: [], checks: { database: { ok: true }, sequencer: { ok: true } } });

      // As the sequencer records a rolled-back transaction (disk full, I/O error).
      t.node.sequencer.commitError = { message: 'database or disk is full', at: Date.now() };
      const down = await fetch(`${t.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ ready: false, failing: ['sequencer'], checks: { sequencer: { ok: false, reason: expect.stringContaining('database or disk is full') } } });
      await t.client.act(newSigner(), { type: 'CreateDatanet', name: 'ready-again', description: '', license: 'MIT', kind: 'text', schema: '', policy: 'open', curators: [] });
      expect((await fetch(`${t.url}/readyz`)).status).toBe(200);

      t.node.db.close();
      const closed = await fetch(`${t.url}/readyz`);
      expect(closed.status).toBe(503);
      expect(await closed.json()).toMatchObject({ failing: ['database'], checks: { database: { ok: false, reason: expect.stringContaining('does not answer') } } });
      // Liveness is another question: the process still answers.
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    } finally {
      await t.stop();
    }
  });

  it('is 503 naming the chain once its worker has failed more than TRIBUTARY_READY_CHAIN_FAILURES passes in a row; the failures show in /metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-ops-'));
    const t = await startTestNode({}, { dataDir: dir, env: await unreachableChain(dir) });
    try {
      const body = await until('a 503 from /readyz', async () => {
        const r = await fetch(`${t.url}/readyz`);
        return r.status === 503 ? ((await r.json()) as { failing: string[]; checks: { chain: { reason: string } } }) : undefined;
      });
      expect(body.failing).toEqual(['chain']);
      expect(body.checks.chain.reason).toMatch(/the chain worker failed \d+ passes in a row \(more than 1\)/);
      const text = await metrics(t.url);
      expect(sample(text, 'tributary_chain_failures_total')).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'tributary_chain_consecutive_failures')).toBeGreaterThanOrEqual(2);
      expect(sample(text, 'tributary_chain_pending_epochs')).toBe(0);
      expect(text).toContain('# TYPE tributary_chain_posts_total counter\n');
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TRIBUTARY_LOG=1', () => {
  const BIN = resolve(import.meta.dirname, '../bin/tributary.js');
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-log-'));
  afterAll(async () => {
    if (child && child.exitCode === null) await new Promise((done) => (child!.on('exit', done), child!.kill('SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one JSON line per request and JSON lines for chain failures, each with a level', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: dir, TRIBUTARY_AUTH_WORKERS: '0', TRIBUTARY_LOG: '1', ...(await unreachableChain(dir)) };
    child = spawn(process.execPath, [BIN, 'start', '--data', join(dir, 'node'), '--port', '0', '--no-demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    const url = await until('the node to listen', async () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], 60_000);
    expect((await fetch(`${url}/v1/node`)).status).toBe(200);
    const json = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = await until('the request line', async () => json().find((l) => l.msg === 'request' && l.route === '/v1/node'));
    expect(line).toMatchObject({ level: 30, method: 'GET', url: '/v1/node', status: 200, reqId: expect.any(String), durationMs: expect.any(Number), time: expect.any(Number) });
    expect(json().filter((l) => l.reqId === line.reqId)).toHaveLength(1);
    const failed = await until('a chain failure line', async () => json().find((l) => l.event === 'chain_failed'));
    expect(failed).toMatchObject({ level: 40, failures: 1, message: expect.any(String), nextAttemptAt: expect.any(String) });
  }, 90_000);
});
