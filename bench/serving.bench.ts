// Serving figures on the demo base model with the embedded backend: the per-request
// overhead of attribution, settlement and logging above raw generation, the latency of
// switching to an adapter not yet loaded, and throughput with 1 and with 10 distinct
// adapters under the same sequential load (as a ratio). A plain script;
// `runServingBench()` returns the figures for bench/run.ts.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { llamaConfigFromGgufMetadata } from '../src/models/llama/config.ts';
import { buildLoraGguf, initLoraWeights } from '../src/models/llama/lora.ts';
import { readGgufFile } from '../src/models/gguf/reader.ts';
import { loadConfig } from '../src/node/config.ts';
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
  /** 100 distinct adapters, more than the contexts kept loaded: every call may switch. */
  tokensPerSecond100: number;
}

export async function runServingBench(requests = 40): Promise<ServingBench> {
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

    const throughput = async (models: string[]) => {
      for (const m of models) await call(m); // load each first: this measures steady state
      let tokens = 0;
      const t0 = performance.now();
      for (let i = 0; i < requests; i++) tokens += (await call(models[i % models.length])).completionTokens;
      return tokens / ((performance.now() - t0) / 1000);
    };
    await throughput(['bench-0@1']); // a first pass warms the JIT and the caches: not counted
    const one = await throughput(['bench-0@1']);
    const ten = await throughput(Array.from({ length: 10 }, (_, i) => `bench-${i}@1`));
    const hundred = await throughput(Array.from({ length: 100 }, (_, i) => `bench-${15 + i}@1`));
    return {
      overheadP50Ms: pct(overhead, 50),
      overheadP99Ms: pct(overhead, 99),
      generationP50Ms: pct(generation, 50),
      adapterSwitchMs: pct(switches, 50),
      tokensPerSecond1: one,
      tokensPerSecond10: ten,
      tokensPerSecond100: hundred,
    };
  } finally {
    await node.serving.close();
    node.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runServingBench(Number(process.argv[2] ?? 40)));
