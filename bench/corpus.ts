// A synthetic, English-like corpus made by our own code (no data is downloaded): a
// lexicon of pseudo-words built from syllables, drawn with a Zipf-like skew into
// sentences and documents. Deterministic for a seed, so every run measures the same text.

import { prng } from '../src/random/prng.ts';


const SYLLABLES = ['ka', 'lo', 'ri', 'ven', 'tha', 'mor', 'el', 'dun', 'sa', 'pri', 'ost', 'ul', 'ne', 'ga', 'bro', 'fi', 'an', 'te', 'wes', 'qua'];
const COMMON = ['the', 'of', 'and', 'to', 'in', 'a', 'is', 'that', 'for', 'it', 'as', 'with', 'was', 'on', 'by', 'river', 'water', 'flows', 'into', 'from'];

export class TextGenerator {
  private readonly words: string[];
  private readonly r: () => number;

  constructor(seed: number, lexicon = 20_000) {
    if (lexicon > 100_000) throw new RangeError(`lexicon of ${lexicon} words is more than the syllables can make`);
    this.r = prng(seed);
    const gen = prng(seed ^ 0x5bd1e995);
    const words = new Set<string>(COMMON);
    while (words.size < lexicon) {
      const n = 1 + Math.floor(gen() * 4); // 20 syllables, up to 4 each: ~168k possible words
      let w = '';
      for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(gen() * SYLLABLES.length)];
      words.add(w);
    }
    this.words = [...words];
  }

  /** A word, skewed toward the front of the lexicon (roughly Zipf). */
  word(): string {
    const u = this.r();
    return this.words[Math.floor(this.words.length * u * u * u)];
  }

  sentence(): string {
    const n = 6 + Math.floor(this.r() * 14);
    const w = Array.from({ length: n }, () => this.word());
    w[0] = w[0][0].toUpperCase() + w[0].slice(1);
    return w.join(' ') + (this.r() < 0.1 ? '?' : '.');
  }

  /** About `words` words of prose in paragraphs. */
  document(words: number): string {
    const parts: string[] = [];
    let count = 0;
    while (count < words) {
      const s = this.sentence();
      count += s.split(' ').length;
      parts.push(s);
      if (this.r() < 0.2) parts.push('\n\n');
    }
    return parts.join(' ').replace(/ \n\n /g, '\n\n') + '\n';
  }

  random(): number {
    return this.r();
  }
}
