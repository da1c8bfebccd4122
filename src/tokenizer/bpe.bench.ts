// Measures the default GPT-2 tokenizer's encoding speed on one core, on English-like text this
// file generates (a seeded Zipf draw over common words, with capitals, punctuation, numbers and
// paragraphs), plus a harder mix with code, CJK, emoji and rare words that defeats the cache.
// A plain script (no vitest), so the project's bench runner can import benchTokenizer. It must
// never read a corpus from disk or the network: the text is generated, so the figure is
// reproducible anywhere.
// Run: node bin/run-ts.js src/tokenizer/bpe.bench.ts [megabytes]
import { fileURLToPath } from 'node:url';
import type { Tokenizer } from './tokenizer.ts';
import { defaultTokenizer } from './default.ts';
import { prng } from '../random/prng.ts';

export interface TokenizerBenchResult {
  readonly tokenizer: string;
  readonly text: 'english' | 'mixed';
  readonly megabytes: number;
  readonly tokens: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
  readonly megabytesPerSecond: number;
}

const WORDS = (
  'the of and to a in is it you that he was for on are with as I his they be at one have this from or had by ' +
  'hot word but what some we can out other were all there when up use your how said an each she which do their ' +
  'time if will way about many then them write would like so these her long make thing see him two has look more ' +
  'day could go come did number sound no most people my over know water than call first who may down side been ' +
  'now find any new work part take get place made live where after back little only round man year came show ' +
  'every good me give our under name very through just form sentence great think say help low line differ turn ' +
  'cause much mean before move right boy old too same tell does set three want air well also play small end put ' +
  'home read hand port large spell add even land here must big high such follow act why ask men change went ' +
  'light kind off need house picture try us again animal point mother world near build self earth father head ' +
  'stand own page should country found answer school grow study still learn plant cover food sun four between ' +
  'state keep eye never last let thought city tree cross farm hard start might story saw far sea draw left late ' +
  'run while press close night real life few north open seem together next white children begin got walk example ' +
  'ease paper group always music those both mark often letter until mile river car feet care second book carry ' +
  'took science eat room friend began idea fish mountain stop once base hear horse cut sure watch color face wood ' +
  'main enough plain girl usual young ready above ever red list though feel talk bird soon body dog family direct ' +
  'pose leave song measure door product black short numeral class wind question happen complete ship area half ' +
  'rock order fire south problem piece told knew pass since top whole king space heard best hour better true during ' +
  'hundred five remember step early hold west ground interest reach fast verb sing listen six table travel less ' +
  'morning ten simple several vowel toward war lay against pattern slow center love person money serve appear road ' +
  'map rain rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark machine note ' +
  'wait plan figure star box noun field rest correct able pound done beauty drive stood contain front teach week ' +
  'final gave green oh quick develop ocean warm free minute strong special mind behind clear tail produce fact ' +
  "attribution ledger contribution datanet tokenizer suffix don't it's we're they've I'm you'll she'd"
).split(' ');


/** About `bytes` of English-like prose: Zipf-distributed words in sentences and paragraphs. */
export function englishLikeText(bytes: number, seed = 1): string {
  const rand = prng(seed);
  // Zipf: P(rank r) ∝ 1/r, drawn by inverting the cumulative sum.
  const cumulative: number[] = [];
  let sum = 0;
  for (let r = 1; r <= WORDS.length; r += 1) cumulative.push((sum += 1 / r));
  const word = (): string => {
    const x = rand() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return WORDS[lo]!;
  };
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const sentenceWords = 6 + Math.floor(rand() * 18);
    let s = '';
    for (let i = 0; i < sentenceWords; i += 1) {
      let w = word();
      if (i === 0) w = w[0]!.toUpperCase() + w.slice(1);
      const x = rand();
      if (x < 0.02) w = String(Math.floor(rand() * 10_000));
      else if (x < 0.03) w = `${w}-${word()}`;
      s += (i === 0 ? '' : ' ') + w;
      if (i < sentenceWords - 1 && rand() < 0.08) s += ',';
    }
    const end = rand();
    s += end < 0.85 ? '.' : end < 0.93 ? '?' : '!';
    s += rand() < 0.12 ? '\n\n' : ' ';
    parts.push(s);
    size += s.length;
  }
  return parts.join('');
}

/** English-like text interleaved with code, CJK, Cyrillic, emoji and random letter strings. */
export function mixedText(bytes: number, seed = 2): string {
  const rand = prng(seed);
  const english = englishLikeText(bytes, seed);
  const extras = [
    () => '\n    for (let i = 0; i < n; i += 1) {\n        total += values[i] * 0x1f;\n    }\n',
    () => ' 日本語のテキストと中文文本混合在一起。',
    () => ' Привет, как дела? Всё хорошо.',
    () => ' 🚀 (normal) 😶‍🌫️ ✅ ',
    () => ' ' + Array.from({ length: 3 + Math.floor(rand() * 12) }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join(''),
  ];
  const out: string[] = [];
  for (let i = 0; i < english.length; i += 400) {
    out.push(english.slice(i, i + 400));
    out.push(extras[Math.floor(rand() * extras.length)]!());
  }
  return out.join('');
}

function run(tokenizer: Tokenizer, kind: 'english' | 'mixed', text: string): TokenizerBenchResult {
  // Warm up the JIT and the piece cache on a different stretch of text of the same kind.
  tokenizer.encode(text.slice(0, 200_000));
  const t0 = performance.now();
  let tokens = 0;
  // Encode in document-sized chunks, as an index build does.
  const chunk = 64 * 1024;
  for (let i = 0; i < text.length; i += chunk) tokens += tokenizer.encode(text.slice(i, i + chunk)).ids.length;
  const seconds = (performance.now() - t0) / 1000;
  const megabytes = Buffer.byteLength(text) / 1e6;
  return {
    tokenizer: tokenizer.id,
    text: kind,
    megabytes,
    tokens,
    seconds,
    tokensPerSecond: tokens / seconds,
    megabytesPerSecond: megabytes / seconds,
  };
}

/** Encodes ~`megabytes` of generated English-like text (and of the mixed text) with the default tokenizer. */
export function benchTokenizer(megabytes = 20, tokenizer: Tokenizer = defaultTokenizer()): TokenizerBenchResult[] {
  const bytes = Math.round(megabytes * 1e6);
  return [run(tokenizer, 'english', englishLikeText(bytes)), run(tokenizer, 'mixed', mixedText(Math.round(bytes / 4)))];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mb = Number(process.argv[2] ?? 20);
  const t0 = performance.now();
  const tokenizer = defaultTokenizer();
  console.log(`GPT-2 BPE (${tokenizer.id}), loaded in ${(performance.now() - t0).toFixed(0)} ms, node ${process.version}, one core`);
  for (const r of benchTokenizer(mb, tokenizer)) {
    console.log(
      `  ${r.text.padEnd(8)} ${r.megabytes.toFixed(1).padStart(6)} MB  ${r.tokens.toLocaleString('en').padStart(11)} tokens  ` +
        `${(r.tokensPerSecond / 1e6).toFixed(2)} M tokens/s  ${r.megabytesPerSecond.toFixed(1)} MB/s   (target >= 1 M tokens/s on English)`,
    );
  }
}
