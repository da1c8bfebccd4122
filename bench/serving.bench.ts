// Serving figures on the demo base model with the embedded backend: the per-request
// overhead of attribution, settlement and logging above raw generation, the latency of
// switching to an adapter not yet loaded, throughput with 1, 10 and 100 distinct adapters
// under the same concurrent load (as ratios), and how many adapters stay resident within
// a memory budget. A plain script; `runServingBench()` returns the figures for bench/run.ts.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llamaConfigFromGgufMetadata } from '../src/models/llama/config.ts';
import { buildLoraGguf, initLoraWeights } from '../src/models/llama/lora.ts';
import { readGgufFile } from '../src/gguf/reader.ts';
import { loadConfig } from '../src/node/config.ts';
import { EmbeddedBackend } from '../src/serving/embedded.ts';
import { demoPrivateKey, seedDemo, signAndSubmit } from '../src/node/demo.ts';
import { TributaryNode } from '../src/node/node.ts';
import { privateKeyToAddress } from '../src/protocol/secp256k1.ts';

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

export interface ServingBench {
  overheadP50Ms: number;
  overheadP99Ms: number;
  generationP50Ms: number;
  adapterSwitchMs: number;
  tokensPerSecond1: number;
  tokensPerSecond10: number;
  tokensPerSecond100: number;
  /** Clients sending requests at once in the throughput runs. */
  concurrency: number;
  /** Requests per batch in the single-adapter run (same-adapter batching at work). */
  meanBatch1: number;
  requestsPerSecond1: number;
  resident: ResidentFigure;
}

export interface ResidentFigure {
  budgetMiB: number;
  /** Adapters offered, one request each, in turn. */
  offered: number;
  /** The most adapter contexts resident at once within the budget. */
  most: number;
  /** What the budget counts per resident adapter: its tensors and its context. */
  accountedKiB: number;
  /** Resident-set growth per resident adapter, measured. */
  rssKiB: number;
  recycles: number;
}

/**
 * Offers `offered` distinct adapters to a backend with a `budgetMiB` budget, one request
 * each, and reports the most that were resident at once and the memory they took.
 */
async function residentWithin(basePath: string, model: ReturnType<typeof llamaConfigFromGgufMetadata>, budgetMiB: number, offered: number, dir: string): Promise<ResidentFigure> {
  const b = new EmbeddedBackend({ threads: 1, contextSize: 512, sequences: 2, parallel: 1, budgetBytes: budgetMiB * 2 ** 20 });
  try {
    const paths: string[] = [];
    for (let i = 0; i < offered; i++) {
      const path = join(dir, `r${i}.gguf`);
      writeFileSync(path, buildLoraGguf(model, initLoraWeights(model, { rank: 4, alpha: 8, targets: ['q', 'v'] }, { seed: 1000 + i, bStd: 0.02 })));
      paths.push(path);
    }
    const ask = (adapterPath?: string) => b.complete({ model: { id: 'r', basePath, adapterPath }, prompt: 'The river', maxTokens: 2, temperature: 0 });
    await ask(); // the base weights and the first context: not counted
    const rss0 = process.memoryUsage().rss;
    const bytes0 = b.residency.residentBytes;
    const contexts0 = b.residency.residentContexts;
    let most = 0;
    let atMost = { rss: rss0, bytes: bytes0 };
    for (const p of paths) {
      await ask(p);
      if (b.residency.residentContexts > most) {
        most = b.residency.residentContexts;
        atMost = { rss: process.memoryUsage().rss, bytes: b.residency.residentBytes };
      }
    }
    const added = most - contexts0;
    return {
      budgetMiB,
      offered,
      most,
      accountedKiB: (atMost.bytes - bytes0) / added / 1024,
      rssKiB: (atMost.rss - rss0) / added / 1024,
      recycles: b.residency.stats.recycles,
    };
  } finally {
    await b.close();
  }
}

export async function runServingBench(requests = 40, concurrency = 8): Promise<ServingBench> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-serve-'));
  const node = await TributaryNode.open({ ...loadConfig({ data: dir, port: '0' }, {}), demo: false, epochSeconds: 0, authWorkers: 0 });
  try {
    await seedDemo(node);
    const key = demoPrivateKey(3);
    const me = privateKeyToAddress(key);
    const act = (action: Record<string, unknown>) => signAndSubmit(node, key, action);
    const base = (await node.serving.model('demo-river@1')).base;
    const model = llamaConfigFromGgufMetadata(readGgufFile(node.models.files.path(base)).metadata);
    // Distinct adapters for the same base (random, so each really changes the model): 0-9
    // for the 10-adapter run, 10-14 loaded only to time a switch, 15-114 for the 100-adapter run.
    const ids: string[] = [];
    for (let i = 0; i < 115; i++) {
      const bytes = buildLoraGguf(model, initLoraWeights(model, { rank: 4, alpha: 8, targets: ['q', 'v'] }, { seed: 100 + i, bStd: 0.02 }));
      const path = join(dir, `a${i}.gguf`);
      writeFileSync(path, bytes);
      const hash = '0x' + createHash('sha256').update(bytes).digest('hex');
      node.models.files.keep(await node.models.files.receive(createReadStream(path), hash, node.config.maxModelBytes));
      await act({ type: 'RegisterModel', name: `bench-${i}`, datanet: '', snapshot: 0, base, adapter: hash, pricePer1kInput: '1', pricePer1kOutput: '1', dataBps: 0, ownerBps: 5000, computeBps: 4000, treasuryBps: 1000, baselineBps: 0, job: 0 });
    }
    await node.settlement.faucet(me, 10n ** 21n);
    const call = (m: string, maxTokens = 16) => node.serving.complete(me, { model: m, prompt: 'The river', maxTokens, temperature: 0 });

    // Overhead above generation, on the model with attribution against its datanet.
    await call('demo-river@1');
    node.serving.stats.length = 0;
    for (let i = 0; i < requests; i++) await call('demo-river@1');
    const overhead = node.serving.stats.map((s) => s.overheadMs);
    const generation = node.serving.stats.map((s) => s.generationMs);

    // Switching: the first call to an adapter not loaded yet, against the next (warm) one;
    // the median over five adapters.
    const switches: number[] = [];
    for (let i = 10; i < 15; i++) {
      const cold = performance.now();
      await call(`bench-${i}@1`, 1);
      const coldMs = performance.now() - cold;
      const warm = performance.now();
      await call(`bench-${i}@1`, 1);
      switches.push(coldMs - (performance.now() - warm));
    }

    // The same closed-loop load each time: `concurrency` clients, each sending its next
    // request when its last is answered, spread over the models in turn.
    const embedded = node.serving.backend as EmbeddedBackend;
    const throughput = async (models: string[]) => {
      for (const m of models) await call(m); // load each first: this measures steady state
      let tokens = 0;
      let next = 0;
      const batchesBefore = embedded.batchSizes.length;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < requests; i = next++) {
            // Not `tokens += await …`: that reads `tokens` before the await and loses updates.
            const r = await call(models[i % models.length]);
            tokens += r.completionTokens;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const batches = embedded.batchSizes.slice(batchesBefore);
      return { tokensPerSecond: tokens / seconds, requestsPerSecond: requests / seconds, meanBatch: batches.reduce((a, b) => a + b, 0) / batches.length };
    };
    await throughput(['bench-0@1']); // a first pass warms the JIT and the caches: not counted
    const one = await throughput(['bench-0@1']);
    const ten = await throughput(Array.from({ length: 10 }, (_, i) => `bench-${i}@1`));
    const hundred = await throughput(Array.from({ length: 100 }, (_, i) => `bench-${15 + i}@1`));
    const resident = await residentWithin(node.models.files.path(base), model, 256, 120, dir);
    return {
      overheadP50Ms: pct(overhead, 50),
      overheadP99Ms: pct(overhead, 99),
      generationP50Ms: pct(generation, 50),
      adapterSwitchMs: pct(switches, 50),
      tokensPerSecond1: one.tokensPerSecond,
      tokensPerSecond10: ten.tokensPerSecond,
      tokensPerSecond100: hundred.tokensPerSecond,
      concurrency,
      meanBatch1: one.meanBatch,
      requestsPerSecond1: one.requestsPerSecond,
      resident,
    };
  } finally {
    await node.serving.close();
    node.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runServingBench(Number(process.argv[2] ?? 40)));
