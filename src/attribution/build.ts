// One index build step, the same whether it runs on a worker thread or in-line: tokenize
// new documents and/or take the live documents of existing shards, build one shard,
// write it to disk, and read it back into shared memory for the index to query. Merges reuse the shards' tokens, so nothing is re-tokenized.
import { buildShard, docLength, type Shard, type ShardDocument } from './shard.ts';
import { readShardFile, writeShardFile } from './shardFile.ts';
import { prepareShard } from './spans.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';

export interface BuildJob {
  out: string;
  /** New documents to tokenize. */
  texts: Array<{ id: number; text: string }>;
  /** Existing shards to fold in, minus the documents listed in `drop`. */
  shards: Array<{ path: string; drop: number[] }>;
}

export interface BuildResult {
  documents: number;
  tokens: number;
  bytes: number;
  tokenizeSeconds: number;
  suffixArraySeconds: number;
  /**
   * The shard as written, read back into shared memory (checksum checked) with its
   * first-token table: the index takes both as they are, so that loading a new shard never
   * runs on the thread that answers queries.
   */
  shard: Shard;
  table: Int32Array;
}

export type Progress = (phase: 'tokenize' | 'suffix-array' | 'write', done: number, total: number) => void;

export function runBuildJob(job: BuildJob, tokenizer: Tokenizer, onProgress: Progress = () => {}): BuildResult {
  const docs: ShardDocument[] = [];
  const t0 = performance.now();
  job.texts.forEach((d, i) => {
    docs.push({ id: d.id, tokens: tokenizer.encode(d.text).ids });
    if (i % 64 === 0) onProgress('tokenize', i, job.texts.length);
  });
  onProgress('tokenize', job.texts.length, job.texts.length);
  for (const s of job.shards) {
    const shard = readShardFile(s.path);
    if (shard.tokenizerId !== tokenizer.id) throw new Error(`${s.path} was built with ${shard.tokenizerId}, not ${tokenizer.id}`);
    const drop = new Set(s.drop);
    for (let k = 0; k < shard.docIds.length; k++) {
      if (drop.has(shard.docIds[k])) continue;
      const start = shard.docStarts[k];
      docs.push({ id: shard.docIds[k], tokens: shard.tokens.subarray(start, start + docLength(shard, k)) });
    }
  }
  const t1 = performance.now();
  const shard = buildShard(docs, tokenizer.vocabSize, tokenizer.id, (done, total) => onProgress('suffix-array', done, total));
  const t2 = performance.now();
  onProgress('write', 0, 1);
  const bytes = writeShardFile(job.out, shard);
  const written = readShardFile(job.out);
  const table = prepareShard(written);
  onProgress('write', 1, 1);
  return {
    shard: written,
    table,
    documents: docs.length,
    tokens: shard.tokens.length - docs.length,
    bytes,
    tokenizeSeconds: (t1 - t0) / 1000,
    suffixArraySeconds: (t2 - t1) / 1000,
  };
}
