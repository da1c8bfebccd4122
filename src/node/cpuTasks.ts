// The CPU-heavy steps of requests, as plain functions of plain (cloneable) inputs, so that
// they run the same on a CPU worker thread (cpuWorker.ts, through CpuPool) or in-line:
// tokenizing, matching a text against an attribution index, checking a contribution's
// bytes (hash, UTF-8, JSONL schema), re-measuring a training result's held-out loss. Their
// cost grows with the input, which is why the event loop must never run them. They must never touch the node, its database, its files
// or the network: everything they need arrives in their input, and only their result leaves.
import { type Attribution, type AttributionParams, attribute } from '../attribution/attribute.ts';
import type { QueryView } from '../attribution/index.ts';
import { adoptShardTable, findSpans, type MatchOptions, type SpanMatch } from '../attribution/spans.ts';
import { defaultTokenizer } from '../tokenizer/default.ts';
import type { EncodeResult } from '../tokenizer/tokenizer.ts';
import { contentProblem } from '../datanets/intake.ts';
import { compileRecordSchema, RecordSchemaError } from '../datanets/recordSchema.ts';
import { reject } from '../protocol/errors.ts';
import type { DatanetRecord } from '../datanets/records.ts';
import type { TrainingConfig } from '../models/trainer/config.ts';
import type { TrainingDocument } from '../models/trainer/data.ts';

/** One node's shards of an index, as AttributionIndex.queryViews gives them. */
export interface QueryShards {
  views: QueryView[];
  liveTokens: number;
}

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** The shards a task was handed, with the tables their loader built (a clone is a new object to this thread). */
function adopt(shards: QueryShards): QueryShards {
  for (const v of shards.views) adoptShardTable(v.shard, v.table);
  return shards;
}

export const cpuTasks = {
  /** The default tokenizer's ids and UTF-16 offsets for a text. */
  encode(input: { text: string }): EncodeResult {
    return defaultTokenizer().encode(input.text);
  },

  /** An attribution of a text (or of UTF-8 bytes, decoded here) against one node's shards: tokenize, find the maximal spans, score. */
  attribute(input: { shards: QueryShards; text: string | Uint8Array; params: AttributionParams }): Attribution {
    const { views, liveTokens } = adopt(input.shards);
    const text = typeof input.text === 'string' ? input.text : utf8(input.text);
    return attribute(defaultTokenizer(), views, liveTokens, text, input.params);
  },

  /** The unscored spans of token ids among one node's shards (its part of a query over a split index). */
  match(input: { shards: QueryShards; ids: Uint32Array; opts: MatchOptions }): SpanMatch[] {
    return findSpans(adopt(input.shards).views, input.ids, input.opts);
  },

  /** A text's token count and its unscored spans among one node's shards: a peer's shard query. */
  tokensAndSpans(input: { shards: QueryShards; text: string; opts: MatchOptions }): { tokens: number; spans: SpanMatch[] } {
    const { ids } = defaultTokenizer().encode(input.text);
    return { tokens: ids.length, spans: findSpans(adopt(input.shards).views, ids, input.opts) };
  },

  /** Token counts of texts given as UTF-8 bytes (the training tokens a RegisterModel attests). */
  countTokens(input: { texts: Uint8Array[] }): number[] {
    const tok = defaultTokenizer();
    return input.texts.map((bytes) => tok.encode(utf8(bytes)).ids.length);
  },

  /** Why a contribution's bytes cannot be accepted (see datanets/intake.ts); thrown, so that it travels as the refusal it is. */
  contentProblem(input: { datanet: DatanetRecord; message: { contentHash: string; size: number }; bytes: Uint8Array; maxBytes: number }): null {
    const problem = contentProblem(input.datanet, input.message, input.bytes, input.maxBytes);
    if (problem) throw problem;
    return null;
  },

  /** That a new JSONL datanet's schema compiles, its patterns on RE2: refused as action.schema if not. */
  compileSchema(input: { schema: string }): null {
    try {
      compileRecordSchema(input.schema);
    } catch (e) {
      if (e instanceof RecordSchemaError) throw reject.invalid('action.schema', e.message);
      throw e;
    }
    return null;
  },

  /**
   * A LoRA result's held-out loss and its base model's, on the job's split (the node's
   * check of a CompleteTrainingJob). Loaded on first use: tfjs and its wasm backend cost a
   * thread tens of megabytes, which threads that never evaluate should not carry.
   */
  async evaluateAdapter(input: { basePath: string; adapterPath: string; documents: TrainingDocument[]; config: TrainingConfig }): Promise<{ evalLoss: number; baseEvalLoss: number }> {
    const { evaluateAdapter } = await import('../models/trainer/evaluate.ts');
    return evaluateAdapter(input);
  },
};

export type CpuTasks = typeof cpuTasks;
export type CpuTaskName = keyof CpuTasks;
