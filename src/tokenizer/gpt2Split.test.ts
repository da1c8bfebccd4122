// Tests of gpt2Split.ts: the scanner cuts text exactly where GPT-2's regex (written with Unicode
// property escapes, \s read as White_Space as llama.cpp does) cuts it, on hand-picked cases and
// on seeded random strings; and the frozen Unicode 15.1 class table is what its generator makes.
import { describe, expect, test } from 'vitest';
import { charClasses, gpt2Pieces } from './gpt2Split.ts';
import { UNICODE_VERSION } from './unicodeData.ts';
import { ASSIGNED_AFTER_15_1, SOURCE_UNICODE_VERSION, unicode151Classes } from './unicodeData.gen.ts';

/** The specification: GPT-2's pattern, verbatim but for \s → White_Space. */
const GPT2 = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

function byRegex(text: string): string[] {
  // With the u flag a lone surrogate is a code point of its own (category Cs, "other"), as the
  // scanner's U+FFFD is: both fall in [^\s\p{L}\p{N}].
  return [...text.matchAll(GPT2)].map((m) => m[0]);
}

function byScanner(text: string): string[] {
  return gpt2Pieces(text).map(([a, b]) => text.slice(a, b));
}

describe('gpt2Pieces', () => {
  test.each([
    ['Hello world', ['Hello', ' world']],
    ["I'm don't we're they've she'll he'd it's", ['I', "'m", ' don', "'t", ' we', "'re", ' they', "'ve", ' she', "'ll", ' he', "'d", ' it', "'s"]],
    ["'S 'Re ''s", ["'", 'S', " '", 'Re', " ''", 's']],
    ['   Hello', ['  ', ' Hello']],
    ['\n\nHello', ['\n', '\n', 'Hello']],
    ['a  ', ['a', '  ']],
    [' ', [' ']],
    ['x\u00a0\u00a0y', ['x', '\u00a0', '\u00a0', 'y']],
    ['abc123 456!!! ??', ['abc', '123', ' 456', '!!!', ' ??']],
    ['🚀 (normal) 😶‍🌫️', ['🚀', ' (', 'normal', ')', ' 😶\u200d🌫️']],
    ['\u0085x', ['\u0085', 'x']],
    ['\ufeffx', ['\ufeff', 'x']],
    ['a\ud800b', ['a', '\ud800', 'b']],
  ])('%j', (text, pieces) => {
    expect(byScanner(text)).toEqual(pieces);
    expect(byRegex(text)).toEqual(pieces);
  });

  test('equals the regex on 20,000 seeded random strings', () => {
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
    const randomCodePoint = (): number => {
      for (;;) {
        const cp = Math.floor(rand() * 0x110000);
        if (!ASSIGNED_AFTER_15_1.some(([a, b]) => cp >= a && cp <= b)) return cp;
      }
    };
    // No code point added after Unicode 15.1 here: the regex sees the engine's newer Unicode.
    const atoms = [' ', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u0085', '\u2028', '\u200b', '\ufeff', "'", "'s", "'ll", "'ve", "'S",
      'a', 'Hello', 'é', 'e\u0301', 'Привет', '日本', '١٢', '²', 'Ⅻ', '42', '!', '...', '(', '🚀', '😶\u200d🌫️', '\ud800', '\udc00', '𝔘', '𝟙', '\u{10ffff}', '\u0378'];
    for (let i = 0; i < 20_000; i += 1) {
      let text = '';
      const n = 1 + Math.floor(rand() * 10);
      for (let k = 0; k < n; k += 1) {
        text += rand() < 0.8 ? atoms[Math.floor(rand() * atoms.length)]! : String.fromCodePoint(randomCodePoint());
      }
      expect(byScanner(text), JSON.stringify(text)).toEqual(byRegex(text));
    }
  });
});

describe('the frozen class table', () => {
  test('is Unicode 15.1, the version of llama.cpp\'s own tables', () => {
    expect(UNICODE_VERSION).toBe('15.1');
    const classes = charClasses();
    expect(classes.length).toBe(0x110000);
    expect(classes[0x2ebf0]).toBe(1); // CJK Extension I (15.1): a letter
    expect(classes[0x1c89]).toBe(0); // CYRILLIC CAPITAL LETTER TJE (16.0): not yet
    expect(classes[0x0cdc]).toBe(0); // KANNADA ARCHAIC SHRII (17.0): not yet
    expect([classes[0x85], classes[0xa0], classes[0x3000], classes[0xfeff], classes[0x200b]]).toEqual([3, 3, 3, 0, 0]);
  });

  test.runIf(process.versions.unicode === SOURCE_UNICODE_VERSION)(
    `equals the engine's property escapes less the letters and numbers added after 15.1 (Unicode ${SOURCE_UNICODE_VERSION} engines)`,
    () => {
      const frozen = charClasses();
      const live = unicode151Classes();
      let diff = 0;
      for (let cp = 0; cp < 0x110000; cp += 1) if (frozen[cp] !== live[cp]) diff += 1;
      expect(diff).toBe(0);
    },
  );
});
