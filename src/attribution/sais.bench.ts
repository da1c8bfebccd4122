// Build speed of the suffix array (sais.ts) on synthetic token corpora, printed beside its
// anchors: Zipf-distributed ids (few repeats), or the generated prose of bench/corpus.ts in
// GPT-2 tokens (phrases repeat, as in real text), optionally with a share of its documents
// copied. A plain script: `node bin/run-ts.js src/attribution/sais.bench.ts [nTokens] [runs]
// [zipf|prose|prose+copies]`. It must stay deterministic (seeded PRNG) so that runs compare,
// and must never be run by the test suite (it takes seconds and gigabytes).
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { suffixArray } from './sais.ts';
import { prng } from '../random/prng.ts';

/** GPT-2's vocabulary size; the separator is the id just past it, as the index builder uses. */
const VOCAB = 50_257;
const SEPARATOR = VOCAB;

export interface SaisBenchFigures {
  tokens: number;
  seconds: number;
  mTokPerSec: number;
  /** Memory held beyond the input text while building, suffix array included. */
  bytesPerToken: number;
}


/**
 * Zipf-distributed token ids (exponent ~1, as word frequencies are) in documents of 100-700
 * tokens, each ended by the separator. Ids are shuffled so frequency does not follow id order.
 */
export function syntheticCorpus(nTokens: number, seed = 42): Uint32Array {
  const rnd = prng(seed);
  const cdf = new Float64Array(VOCAB);
  let sum = 0;
  for (let r = 0; r < VOCAB; r++) {
    sum += 1 / Math.pow(r + 2.7, 1.0);
    cdf[r] = sum;
  }
  for (let r = 0; r < VOCAB; r++) cdf[r] /= sum;
  const idOfRank = new Uint32Array(VOCAB);
  for (let r = 0; r < VOCAB; r++) idOfRank[r] = r;
  for (let r = VOCAB - 1; r > 0; r--) {
    const k = Math.floor(rnd() * (r + 1));
    const t = idOfRank[r];
    idOfRank[r] = idOfRank[k];
    idOfRank[k] = t;
  }
  const text = new Uint32Array(nTokens);
  let docLeft = 0;
  for (let i = 0; i < nTokens; i++) {
    if (docLeft === 0) docLeft = 100 + Math.floor(rnd() * 600);
    if (--docLeft === 0 || i === nTokens - 1) {
      text[i] = SEPARATOR;
      continue;
    }
    const u = rnd();
    let lo = 0;
    let hi = VOCAB - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    text[i] = idOfRank[lo];
  }
  return text;
}

/**
 * Full collections, so that memory figures count live buffers only (no --expose-gc needed).
 * Twice: array buffers found dead by one collection are released by a sweeper that may finish
 * only at the next.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

/**
 * At least `nTokens` GPT-2 tokens of the generated prose of bench/corpus.ts, each document
 * ended by the separator; with probability `copies` a document repeats an earlier one whole.
 */
export async function proseCorpus(nTokens: number, copies = 0, seed = 7): Promise<Uint16Array> {
  // Loaded only here: the tokenizer reads its vocabulary from disk.
  const { defaultTokenizer } = await import('../tokenizer/default.ts');
  const { TextGenerator } = await import('../../bench/corpus.ts');
  const tokenizer = defaultTokenizer();
  const generator = new TextGenerator(seed);
  const rnd = prng(seed);
  const documents: Uint32Array[] = [];
  let n = 0;
  while (n < nTokens) {
    const doc =
      documents.length > 0 && rnd() < copies
        ? documents[Math.floor(rnd() * documents.length)]
        : tokenizer.encode(generator.document(400)).ids;
    documents.push(doc);
    n += doc.length + 1;
  }
  const text = new Uint16Array(n);
  let at = 0;
  for (const doc of documents) {
    text.set(doc, at);
    at += doc.length;
    text[at++] = SEPARATOR;
  }
  return text;
}

/**
 * Builds the suffix array of a corpus of 16-bit ids (by default `nTokens` of the Zipf one:
 * the ids fit 16 bits, the separator being 50,257, as the index builder stores them) and
 * times it.
 */
export function benchSais(nTokens = 10_000_000, text16: Uint16Array = Uint16Array.from(syntheticCorpus(nTokens))): SaisBenchFigures {
  const tokens = text16.length;
  collectGarbage();
  const before = process.memoryUsage().arrayBuffers;
  let peak = before;
  const t0 = performance.now();
  const sa = suffixArray(text16, VOCAB + 1, () => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  });
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  if (sa.length !== tokens) throw new Error('suffix array has the wrong length');
  return { tokens, seconds, mTokPerSec: tokens / seconds / 1e6, bytesPerToken: (peak - before) / tokens };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 10_000_000);
  const runs = Number(process.argv[3] ?? 3);
  const corpus = process.argv[4] ?? 'zipf';
  if (!['zipf', 'prose', 'prose+copies'].includes(corpus)) throw new Error(`corpus must be zipf, prose or prose+copies, got ${corpus}`);
  const text = corpus === 'zipf' ? Uint16Array.from(syntheticCorpus(n)) : await proseCorpus(n, corpus === 'prose' ? 0 : 0.1);
  for (let r = 0; r < runs; r++) {
    const f = benchSais(n, text);
    console.log(
      `suffix array of ${f.tokens.toLocaleString('en-US')} tokens (${corpus}): ${f.seconds.toFixed(2)} s, ` +
        `${f.mTokPerSec.toFixed(2)} Mtok/s (target 5; plain TypeScript SA-IS 2.7; libsais ~23, ratio ${(f.mTokPerSec / 23).toFixed(2)}), ` +
        `peak memory ${f.bytesPerToken.toFixed(1)} B/token beyond the text (the suffix array's 4 included)`,
    );
  }
}
