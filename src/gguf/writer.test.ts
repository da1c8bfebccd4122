// Tests of writer.ts: it refuses what its reader (and llama.cpp) would refuse, instead of
// writing a file that fails later; round trips live in reader.test.ts.
import { describe, expect, test } from 'vitest';
import { GgufError } from './errors.ts';
import type { GgufValue } from './types.ts';
import { writeGguf, type GgufTensorInput } from './writer.ts';

function fault(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return (e as GgufError).message;
  }
  throw new Error('expected a GgufError');
}

const one = (v: GgufValue): string => fault(() => writeGguf({ metadata: [['k', v]] }));

describe('writeGguf refuses', () => {
  test('values outside their type', () => {
    expect(one({ type: 'u8', value: 256 })).toBe('key k: 256 does not fit type u8');
    expect(one({ type: 'i16', value: 1.5 })).toBe('key k: 1.5 does not fit type i16');
    expect(one({ type: 'u32', value: -1 })).toBe('key k: -1 does not fit type u32');
    expect(one({ type: 'u64', value: -1n })).toBe('key k: -1 does not fit type u64');
    expect(one({ type: 'i64', value: 2n ** 63n })).toBe('key k: 9223372036854775808 does not fit type i64');
    expect(one({ type: 'array', value: { itemType: 'u16', items: [1, 70000] as unknown as Uint16Array } })).toBe('key k item #1: 70000 does not fit type u16');
    expect(one({ type: 'string', value: 'a\ud800' })).toBe('key k: string holds a lone surrogate, which UTF-8 cannot encode');
    expect(one({ type: 'f32', value: '1' as unknown as number })).toBe('key k: a value of type f32 must be a JavaScript number, got string');
  });

  test('duplicate keys and a bad alignment', () => {
    const v: GgufValue = { type: 'u8', value: 1 };
    expect(fault(() => writeGguf({ metadata: [['k', v], ['k', v]] }))).toBe('key k is given twice');
    expect(fault(() => writeGguf({ metadata: [['general.alignment', { type: 'u32', value: 48 }]] }))).toBe(
      'key general.alignment: must be a u32 power of two',
    );
  });

  test('tensors whose data, shape, type or name do not fit', () => {
    const t: GgufTensorInput = { name: 'w', dims: [32], type: 'Q8_0', data: new Uint8Array(34) };
    expect(() => writeGguf({ metadata: [], tensors: [t] })).not.toThrow();
    const bad = (patch: Partial<GgufTensorInput>): string => fault(() => writeGguf({ metadata: [], tensors: [{ ...t, ...patch }] }));
    expect(bad({ data: new Uint8Array(33) })).toBe("tensor 'w': 33 bytes of data, its shape and type need 34");
    expect(bad({ dims: [16] })).toBe("tensor 'w': shape [16] does not fit type Q8_0 (block size 32)");
    expect(bad({ type: 'Q4_2' })).toBe("tensor 'w': unknown ggml type Q4_2");
    expect(bad({ name: 'x'.repeat(64) })).toBe(`tensor '${'x'.repeat(64)}': name is longer than 63 bytes`);
    expect(bad({ dims: [32, 1, 1, 1, 1] })).toBe("tensor 'w': 5 dimensions, the limit is 4");
  });
});
