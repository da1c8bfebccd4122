import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalBytes, canonicalize } from './canonical.ts';

function fromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalize: RFC 8785 examples', () => {
  // §3.2.2 input; §3.2.4 gives the canonical form as UTF-8 bytes.
  it('produces the bytes of §3.2.4 for the sample of §3.2.2', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const hex = `
      7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
      75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
      5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
      65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
      5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
      30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`;
    const value = JSON.parse(input);
    expect(canonicalBytes(value).toString('hex')).toBe(hex.replace(/\s+/g, ''));
    expect(canonicalize(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  // §3.2.3: properties sort by UTF-16 code units, so the emoji (a surrogate pair,
  // 0xD83D…) sorts before U+FB33 although its code point is larger.
  it('sorts properties by UTF-16 code units (§3.2.3)', () => {
    const value = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    expect(canonicalize(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 bit patterns and their canonical text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the number with bits %s as %s (Appendix B)', (bits, text) => {
    expect(canonicalize(fromBits(bits))).toBe(text);
  });

  it.each([['7fffffffffffffff'], ['7ff0000000000000'], ['fff0000000000000']])(
    'refuses NaN and infinities (Appendix B %s)',
    (bits) => {
      expect(() => canonicalize({ n: [1, fromBits(bits)] })).toThrow(CanonicalizationError);
    },
  );
});

describe('canonicalize: strings', () => {
  it('escapes exactly the controls, quote and backslash', () => {
    for (let c = 0; c < 0x20; c++) {
      const short: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      const want = short[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
      expect(canonicalize(String.fromCharCode(c))).toBe(`"${want}"`);
    }
    expect(canonicalize('"\\/')).toBe('"\\"\\\\/"');
    // DEL, C1 controls, line/paragraph separators and non-BMP characters go out raw.
    expect(canonicalize('\u007f\u0085\u2028\u2029😀')).toBe('"\u007f\u0085\u2028\u2029😀"');
  });

  it('refuses lone surrogates, in values and in keys', () => {
    expect(() => canonicalize('a\ud800b')).toThrow(/lone UTF-16 surrogate/);
    expect(() => canonicalize('\udc00')).toThrow(CanonicalizationError);
    expect(() => canonicalize({ ['k\ud83d']: 1 })).toThrow(CanonicalizationError);
    expect(() => canonicalize('\ude00\ud83d')).toThrow(CanonicalizationError); // reversed pair
    expect(canonicalize('\ud83d\ude00')).toBe('"😀"');
  });
});

describe('canonicalize: refused values', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  const cyclicArray: unknown[] = [];
  cyclicArray.push([cyclicArray]);

  it.each<[string, unknown, string]>([
    ['NaN', { x: NaN }, '$.x: NaN is not a finite number'],
    ['Infinity', [1, Infinity], '$[1]: Infinity is not a finite number'],
    ['undefined member', { a: { b: undefined } }, '$.a.b: undefined is not a JSON value'],
    ['undefined element', [undefined], '$[0]: undefined'],
    ['a hole', [1, , 3], '$[1]: undefined'],
    ['top-level undefined', undefined, '$: undefined'],
    ['bigint', { amount: 10n }, '$.amount: bigint is not a JSON value; encode it as a decimal string'],
    ['function', { f: () => 1 }, '$.f: a function'],
    ['symbol', Symbol('s'), '$: a symbol'],
    ['symbol key', { [Symbol('k')]: 1 }, 'symbol keys'],
    ['Date', { at: new Date(0) }, '$.at: a Date is not a plain JSON object'],
    ['Map', new Map(), 'a Map is not a plain JSON object'],
    ['Buffer', { b: Buffer.from('x') }, '$.b: a Buffer'],
    ['cycle through an object', cyclic, '$.self.back: cycle'],
    ['cycle through an array', cyclicArray, '$[0][0]: cycle'],
    ['odd key in a path', { 'a b': { 'x-y': NaN } }, '$["a b"]["x-y"]: NaN'],
  ])('%s', (_name, value, message) => {
    let err: unknown;
    try {
      canonicalize(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CanonicalizationError);
    expect((err as Error).name).toBe('CanonicalizationError');
    expect((err as Error).message).toContain(message);
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { k: 1 };
    expect(canonicalize({ a: shared, b: [shared, shared] })).toBe('{"a":{"k":1},"b":[{"k":1},{"k":1}]}');
  });

  it('accepts null-prototype objects', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 2;
    o.a = 1;
    expect(canonicalize(o)).toBe('{"a":1,"b":2}');
  });
});

describe('canonicalize: generated values', () => {
  // A seeded generator, so a failure reproduces.
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const chars = ['a', 'Z', '0', '"', '\\', '\n', '\u0001', 'é', '€', '😀', '\u2028', ' '];
  const str = () => Array.from({ length: Math.floor(rand() * 6) }, () => chars[Math.floor(rand() * chars.length)]).join('');
  const gen = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.3) {
      const p = rand();
      if (p < 0.2) return null;
      if (p < 0.3) return rand() < 0.5;
      if (p < 0.6) return str();
      if (p < 0.8) return Math.floor((rand() - 0.5) * 2 ** 40);
      return (rand() - 0.5) * 10 ** Math.floor(rand() * 60 - 30);
    }
    if (r < 0.6) return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(rand() * 5); i > 0; i--) o[str()] = gen(depth + 1);
    return o;
  };

  it('round-trips, is idempotent and sorts every object', () => {
    for (let i = 0; i < 500; i++) {
      const v = gen(0);
      const text = canonicalize(v);
      const back = JSON.parse(text);
      expect(back).toEqual(v);
      expect(canonicalize(back)).toBe(text);
      expect(canonicalBytes(v).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });
});
