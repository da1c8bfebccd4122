// Proof of Attribution figures: index build speed on a ≥10M-token corpus, query latency
// for 256-token outputs, bytes per token on disk and in memory, and quality on
// synthetic outputs that copy planted spans from known contributions (plus an honest
// check that paraphrased text finds nothing).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attribute } from '../src/attribution/attribute.ts';
import { buildShard } from '../src/attribution/shard.ts';
import { prepareShard } from '../src/attribution/spans.ts';
import { readShardFile, writeShardFile } from '../src/attribution/shardFile.ts';
import { defaultTokenizer } from '../src/tokenizer/default.ts';
import { TextGenerator } from './corpus.ts';

export interface AttributionFigures {
  tokens: number;
  documents: number;
  tokenizeMTokPerSec: number;
  buildMTokPerSec: number;
  diskBytesPerToken: number;
  memoryBytesPerToken: number;
  queryP50Ms: number;
  queryP99Ms: number;
  queries: number;
  precisionAt3: number;
  recallAt3: number;
  paraphraseRecall: number;
}

export async function runAttributionBench(targetTokens = 10_000_000, queries = 300): Promise<AttributionFigures> {
  const tok = defaultTokenizer();
  const gen = new TextGenerator(7);
  const texts: string[] = [];
  const ids: Uint32Array[] = [];
  let tokens = 0;
  const t0 = performance.now();
  while (tokens < targetTokens) {
    const text = gen.document(200 + Math.floor(gen.random() * 400));
    const enc = tok.encode(text).ids;
    texts.push(text);
    ids.push(enc);
    tokens += enc.length;
  }
  const tokenizeS = (performance.now() - t0) / 1000;
  const docs = ids.map((t, i) => ({ id: i + 1, tokens: t }));

  const t1 = performance.now();
  const shard = buildShard(docs, tok.vocabSize, tok.id);
  const buildS = (performance.now() - t1) / 1000;
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-attr-'));
  try {
    const path = join(dir, 'shard.bin');
    const diskBytes = writeShardFile(path, shard);
    const before = process.memoryUsage().arrayBuffers;
    const loaded = readShardFile(path);
    const memBytes = process.memoryUsage().arrayBuffers - before;
    prepareShard(loaded);
    const views = [{ shard: loaded, tombstones: new Set<number>() }];

    // Queries: ~256 tokens, copying 1-3 spans of 12-40 words from known documents, the rest novel.
    const novel = new TextGenerator(999_999, 20_000);
    const latencies: number[] = [];
    let tp = 0;
    let predicted = 0;
    let truthTotal = 0;
    let paraphraseHits = 0;
    for (let q = 0; q < queries; q++) {
      const k = 1 + Math.floor(gen.random() * 3);
      const truth = new Set<number>();
      const parts: string[] = [];
      const paraphrased: string[] = [];
      for (let j = 0; j < k; j++) {
        const id = 1 + Math.floor(gen.random() * texts.length);
        truth.add(id);
        const words = texts[id - 1].split(/\s+/).filter(Boolean);
        const len = 12 + Math.floor(gen.random() * 28);
        const from = Math.floor(gen.random() * Math.max(1, words.length - len));
        const span = words.slice(from, from + len);
        parts.push(novel.sentence(), span.join(' '));
        // A paraphrase: every other word replaced; the meaning a reader sees may survive, exact runs do not.
        paraphrased.push(novel.sentence(), span.map((w, i) => (i % 2 === 1 ? novel.word() : w)).join(' '));
      }
      let text = parts.join(' ');
      while (tok.encode(text).ids.length < 256) text += ' ' + novel.sentence();
      const ids256 = tok.encode(text).ids.subarray(0, 256);
      text = tok.decode(ids256);
      const t = performance.now();
      const a = attribute(tok, views, tokens, text);
      latencies.push(performance.now() - t);
      const top = a.contributions.slice(0, 3).map((c) => c.contribution);
      predicted += top.length;
      tp += top.filter((id) => truth.has(id)).length;
      truthTotal += truth.size;
      const p = attribute(tok, views, tokens, paraphrased.join(' '));
      paraphraseHits += p.contributions.filter((c) => truth.has(c.contribution)).length;
    }
    latencies.sort((a, b) => a - b);
    return {
      tokens,
      documents: docs.length,
      tokenizeMTokPerSec: tokens / tokenizeS / 1e6,
      buildMTokPerSec: shard.tokens.length / buildS / 1e6,
      diskBytesPerToken: diskBytes / shard.tokens.length,
      memoryBytesPerToken: memBytes / shard.tokens.length,
      queryP50Ms: latencies[Math.floor(latencies.length / 2)],
      queryP99Ms: latencies[Math.floor(latencies.length * 0.99)],
      queries,
      precisionAt3: predicted ? tp / predicted : 0,
      recallAt3: truthTotal ? tp / truthTotal : 0,
      paraphraseRecall: truthTotal ? paraphraseHits / truthTotal : 0,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
