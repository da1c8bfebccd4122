import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { englishLikeText } from '../tokenizer/bpe.bench.ts';
import { defaultTokenizer } from '../tokenizer/default.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { CpuPool } from './cpuPool.ts';

const jsonl = { name: 'd', kind: 'jsonl', schema: '{"type":"object","required":["a"]}' } as never;
const contentOf = (text: string) => {
  const bytes = Buffer.from(text);
  return { bytes, message: { contentHash: '0x' + createHash('sha256').update(bytes).digest('hex'), size: bytes.length } };
};

describe('CpuPool', () => {
  const pools: CpuPool[] = [];
  const pool = (workers: number, budgetMs: number) => {
    const p = new CpuPool(workers, budgetMs);
    pools.push(p);
    return p;
  };
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  it('gives on a worker thread what the task gives in-line', async () => {
    const text = englishLikeText(50_000, 3);
    const threaded = await pool(1, 60_000).run('encode', { text }, 'tokenizing');
    const inline = await pool(0, 60_000).run('encode', { text }, 'tokenizing');
    const direct = defaultTokenizer().encode(text);
    expect(Array.from(threaded.ids)).toEqual(Array.from(direct.ids));
    expect(Array.from(threaded.offsets)).toEqual(Array.from(direct.offsets));
    expect(Array.from(inline.ids)).toEqual(Array.from(direct.ids));
    expect(await pool(1, 60_000).run('countTokens', { texts: [Buffer.from(text), Buffer.from('')] }, 'counting')).toEqual([direct.ids.length, 0]);
  });

  it('brings a refusal back as the same ActionRejected', async () => {
    const p = pool(1, 60_000);
    const { bytes, message } = contentOf('{"b":1}\n');
    const e = await p.run('contentProblem', { datanet: jsonl, message, bytes, maxBytes: 1024 }, 'checking').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ActionRejected);
    expect(e).toMatchObject({ status: 400, field: 'content', message: "JSONL record does not match datanet d's schema: line 1: (record) must have required property 'a'" });
    const ok = contentOf('{"a":1}\n');
    expect(await p.run('contentProblem', { datanet: jsonl, message: ok.message, bytes: ok.bytes, maxBytes: 1024 }, 'checking')).toBeNull();
    expect(await p.run('compileSchema', { schema: '{"pattern":"(?=x)"}' }, 'compiling').catch((x: ActionRejected) => [x.status, x.field])).toEqual([400, 'action.schema']);
  });

  it('stops a task that overruns its budget with a 503 naming it, and goes on with a fresh thread', async () => {
    // ~8 MB of English takes ~0.4 s to tokenize on an idle core; the budget is a quarter of that.
    const p = pool(1, 100);
    const text = englishLikeText(8_000_000, 5);
    const e = await p.run('encode', { text }, 'tokenizing a text of 8,000,000 characters').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ActionRejected);
    expect(e).toMatchObject({ status: 503, code: 'cpu_budget' });
    expect((e as Error).message).toBe(
      'tokenizing a text of 8,000,000 characters needed more than 100 ms of CPU, the most one request may take on this node (TRIBUTARY_CPU_BUDGET_MS): send less, or try again when the node is less busy',
    );
    // The next task gets a new thread (a few tokens fit any budget once the thread is ready).
    const small = await p.run('countTokens', { texts: [Buffer.from('hello world')] }, 'counting');
    expect(small).toEqual([2]);
    expect(p.stats).toEqual({ waiting: 0, running: 0, started: 2 });
  });

  it("holds a task with its own budget (the node's own checks) to that budget, not the pool's", async () => {
    const p = pool(1, 60_000);
    const e = await p.run('encode', { text: englishLikeText(8_000_000, 5) }, 'evaluating job 7', 100).catch((x: unknown) => x);
    expect(e).toMatchObject({ status: 503, code: 'cpu_budget', message: 'evaluating job 7 needed more than the 100 ms this node allows it' });
  });

  it('runs tasks queued together one after another on its threads', async () => {
    const p = pool(2, 60_000);
    const texts = Array.from({ length: 12 }, (_, i) => englishLikeText(2_000, i + 10));
    const counts = await Promise.all(texts.map((text) => p.run('countTokens', { texts: [Buffer.from(text)] }, 'counting')));
    expect(counts).toEqual(texts.map((t) => [defaultTokenizer().encode(t).ids.length]));
    expect(p.stats.started).toBe(12);
  });
});
