// The embedded backend on the real node-llama-cpp with the demo base model and random
// adapters: batching of one adapter's requests, fairness across adapters, the memory
// budget with model recycling, and requests abandoned while they wait. Batching is
// checked on a model that knows two texts by heart (pretrained here in seconds), so an
// answer that borrowed from another sequence in its batch would show.
import { statSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBasePath } from '../models/demoBase.ts';
import { readGgufFile } from '../gguf/reader.ts';
import { llamaConfigFromGgufMetadata } from '../models/llama/config.ts';
import { buildLoraGguf, initLoraWeights } from '../models/llama/lora.ts';
import { makeReciter } from '../../test/fixtures/reciter.ts';
import type { CompletionResult } from './backend.ts';
import { EmbeddedBackend, type EmbeddedOptions } from './embedded.ts';

const base = demoBasePath();
let dir: string;
let reciter: string;
const adapters: string[] = [];
const backends: EmbeddedBackend[] = [];

function backend(o: Partial<EmbeddedOptions> = {}): EmbeddedBackend {
  const b = new EmbeddedBackend({ threads: 1, contextSize: 256, sequences: 2, parallel: 1, budgetBytes: 256 * 2 ** 20, ...o });
  backends.push(b);
  return b;
}

const ask = (b: EmbeddedBackend, adapter: number | undefined, prompt: string, extra: { maxTokens?: number; signal?: AbortSignal } = {}) =>
  b.complete({ model: { id: `m${adapter}`, basePath: base, adapterPath: adapter === undefined ? undefined : adapters[adapter] }, prompt, maxTokens: extra.maxTokens ?? 8, temperature: 0, signal: extra.signal });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-embedded-'));
  reciter = await makeReciter(join(dir, 'reciter.gguf'));
  const config = llamaConfigFromGgufMetadata(readGgufFile(base).metadata);
  for (let i = 0; i < 6; i++) {
    const path = join(dir, `a${i}.gguf`);
    writeFileSync(path, buildLoraGguf(config, initLoraWeights(config, { rank: 4, alpha: 8, targets: ['q', 'v', 'up'] }, { seed: 40 + i, bStd: 0.05 })));
    adapters.push(path);
  }
}, 60_000);
afterAll(async () => {
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('EmbeddedBackend', () => {
  it("runs one adapter's concurrent requests as one batch, each answered as it would be alone", async () => {
    const b = backend({ sequences: 2 });
    const recite = (prompt: string) => b.complete({ model: { id: 'reciter', basePath: reciter }, prompt, maxTokens: 12, temperature: 0 }).then((r) => r.text);
    const prompts = ['The heron counts', 'Copper kettles'];
    const alone: string[] = [];
    for (const p of prompts) alone.push(await recite(p));
    expect(alone[0]).toContain('41 quiet stones below the mill');
    expect(alone[1]).toContain('hum softly when winter');
    expect(b.batchSizes).toEqual([1, 1]);
    for (let round = 0; round < 20; round++) expect(await Promise.all(prompts.map(recite))).toEqual(alone);
    expect(b.batchSizes.slice(2)).toEqual(Array(20).fill(2));
  }, 60_000);

  it('gives every adapter its turn: a flood for one adapter does not starve another', async () => {
    const b = backend({ sequences: 2 });
    const order: string[] = [];
    const track = (name: string, p: Promise<CompletionResult>) => p.then(() => order.push(name));
    const all = [track('x', ask(b, 1, 'The Danube', { maxTokens: 16 }))];
    for (let i = 0; i < 6; i++) all.push(track(`hot${i}`, ask(b, 2, `River ${i}`)));
    all.push(track('cold', ask(b, 3, 'The Amazon')));
    await Promise.all(all);
    // Turns: x, then hot0+hot1 (one batch), then cold, then the rest of the flood.
    expect(order.indexOf('cold')).toBeLessThan(order.indexOf('hot2'));
    expect(order.indexOf('cold')).toBeGreaterThan(order.indexOf('hot1'));
    expect(b.batchSizes).toEqual([1, 2, 1, 2, 2]);
  }, 60_000);

  it('keeps adapters and contexts within the memory budget, recycling the model when dead adapters add up', async () => {
    const probe = backend();
    await ask(probe, 0, 'x', { maxTokens: 1 });
    const perContext = probe.residency.residentBytes - statSync(adapters[0]).size;
    const adapterBytes = statSync(adapters[0]).size;
    expect(perContext).toBeGreaterThan(0);
    // Room for two adapters with their contexts and one dead adapter; recycle at two dead.
    const budget = 2 * (perContext + adapterBytes) + adapterBytes;
    const b = backend({ budgetBytes: budget, recycleBytes: 2 * adapterBytes });
    const first = (await ask(b, 0, 'The Mekong')).text;
    for (let i = 1; i < 6; i++) {
      await ask(b, i, 'The Mekong');
      expect(b.residency.residentBytes).toBeLessThanOrEqual(budget);
      expect(b.residency.residentContexts).toBeLessThanOrEqual(2);
    }
    expect(b.residency.stats.evictions).toBeGreaterThanOrEqual(4);
    expect(b.residency.stats.recycles).toBeGreaterThanOrEqual(1);
    // An adapter evicted, its model recycled and loaded again answers as before.
    expect((await ask(b, 0, 'The Mekong')).text).toBe(first);
  }, 60_000);

  it('drops a request abandoned while it waits, without running it', async () => {
    const b = backend();
    const long = ask(b, 4, 'The Yukon', { maxTokens: 48 });
    const abort = new AbortController();
    const waiting = ask(b, 5, 'The Ganges', { signal: abort.signal });
    expect(b.waiting).toBe(1);
    abort.abort();
    expect(await waiting).toEqual({ text: '', completionTokens: 0, finishReason: 'abort', started: false });
    expect(b.waiting).toBe(0);
    expect((await long).started).toBe(true);
    expect(b.batchSizes).toEqual([1]);
  }, 60_000);
});
