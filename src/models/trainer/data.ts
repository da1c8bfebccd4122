// A training job's data: the datanet version's documents split, by the job's seed, into
// a training part and a held-out part, and each part tokenized with the base model's own
// tokenizer into fixed-length sequences. The worker and the node both call this, so the
// node evaluates a result on exactly the held-out split the worker held out.
import { readGgufFile } from '../../gguf/reader.ts';
import { gpt2BpeFromGguf } from '../../tokenizer/bpe.ts';
import type { Tokenizer } from '../../tokenizer/tokenizer.ts';
import { prng } from '../../random/prng.ts';
import type { TrainingConfig } from './config.ts';

export interface TrainingDocument {
  id: number;
  text: string;
}

export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
}

/** Documents in id order, shuffled by the seed; the first evalFraction of them (at least one) are held out. */
export function splitDocuments(docs: readonly TrainingDocument[], config: Pick<TrainingConfig, 'seed' | 'evalFraction'>): { train: TrainingDocument[]; held: TrainingDocument[] } {
  if (docs.length < 2) throw new TrainingDataError(`a job needs at least 2 documents (one to hold out), the datanet version has ${docs.length}`);
  const order = [...docs].sort((a, b) => a.id - b.id);
  const rand = prng(config.seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nHeld = Math.min(order.length - 1, Math.max(1, Math.round(config.evalFraction * order.length)));
  return { held: order.slice(0, nHeld), train: order.slice(nHeld) };
}

/** The base model's tokenizer and end-of-text id, read from its GGUF. */
export function modelTokenizer(basePath: string): { tokenizer: Tokenizer; eos: number } {
  const file = readGgufFile(basePath);
  const tokenizer = gpt2BpeFromGguf(file);
  const eosKey = file.metadata.get('tokenizer.ggml.eos_token_id');
  const eos = eosKey?.type === 'u32' ? eosKey.value : tokenizer.vocabSize - 1;
  return { tokenizer, eos };
}

/**
 * The documents as one token stream (each followed by end-of-text), cut into windows of
 * `length + 1` tokens that overlap by one, so every window gives `length` predictions.
 */
export function sequences(docs: readonly TrainingDocument[], tok: { tokenizer: Tokenizer; eos: number }, length: number): number[][] {
  const stream: number[] = [];
  for (const d of docs) {
    for (const id of tok.tokenizer.encode(d.text).ids) stream.push(id);
    stream.push(tok.eos);
  }
  const out: number[][] = [];
  for (let s = 0; s + 1 < stream.length; s += length) out.push(stream.slice(s, Math.min(stream.length, s + length + 1)));
  return out.filter((w) => w.length >= 2);
}
