// Tests of reader.ts on GGUF files built in memory by writer.ts (and patched by hand where a
// file must be malformed): every value type, nested arrays, tensor infos, versions 2 and 3,
// every truncation point, and the exact messages of each fault. Expected layouts are computed
// from the format's definition here, never read back from the reader under test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { GgufError } from './errors.ts';
import { readGguf, readGgufFile } from './reader.ts';
import type { GgufValue } from './types.ts';
import { writeGguf, type GgufTensorInput } from './writer.ts';

function fault(f: () => unknown): GgufError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return e as GgufError;
  }
  throw new Error('expected a GgufError');
}

const EVERY_TYPE: Array<[string, GgufValue]> = [
  ['t.u8', { type: 'u8', value: 255 }],
  ['t.i8', { type: 'i8', value: -128 }],
  ['t.u16', { type: 'u16', value: 65535 }],
  ['t.i16', { type: 'i16', value: -32768 }],
  ['t.u32', { type: 'u32', value: 4294967295 }],
  ['t.i32', { type: 'i32', value: -2147483648 }],
  ['t.f32', { type: 'f32', value: 1.5 }],
  ['t.bool.true', { type: 'bool', value: true }],
  ['t.bool.false', { type: 'bool', value: false }],
  ['t.string', { type: 'string', value: 'héllo ✓ 🚀' }],
  ['t.string.empty', { type: 'string', value: '' }],
  // A leading U+FEFF is content: a decoder that strips byte-order marks would lose it.
  ['t.string.bom', { type: 'string', value: '\ufeffx' }],
  ['t.u64', { type: 'u64', value: 18446744073709551615n }],
  ['t.i64', { type: 'i64', value: -9223372036854775808n }],
  ['t.f64', { type: 'f64', value: -1e308 }],
  ['t.arr.u8', { type: 'array', value: { itemType: 'u8', items: new Uint8Array([0, 1, 255]) } }],
  ['t.arr.i8', { type: 'array', value: { itemType: 'i8', items: new Int8Array([-128, 127]) } }],
  ['t.arr.u16', { type: 'array', value: { itemType: 'u16', items: new Uint16Array([1, 65535]) } }],
  ['t.arr.i16', { type: 'array', value: { itemType: 'i16', items: new Int16Array([-2, 3]) } }],
  ['t.arr.u32', { type: 'array', value: { itemType: 'u32', items: new Uint32Array([7, 4294967295]) } }],
  ['t.arr.i32', { type: 'array', value: { itemType: 'i32', items: new Int32Array([1, 3, -6]) } }],
  ['t.arr.f32', { type: 'array', value: { itemType: 'f32', items: new Float32Array([0.25, -0]) } }],
  ['t.arr.bool', { type: 'array', value: { itemType: 'bool', items: [true, false, true] } }],
  ['t.arr.string', { type: 'array', value: { itemType: 'string', items: ['a', '', 'Ġthe'] } }],
  ['t.arr.u64', { type: 'array', value: { itemType: 'u64', items: new BigUint64Array([0n, 2n ** 64n - 1n]) } }],
  ['t.arr.i64', { type: 'array', value: { itemType: 'i64', items: new BigInt64Array([-(2n ** 63n)]) } }],
  ['t.arr.f64', { type: 'array', value: { itemType: 'f64', items: new Float64Array([Math.PI]) } }],
  ['t.arr.empty', { type: 'array', value: { itemType: 'u32', items: new Uint32Array(0) } }],
  [
    't.arr.nested',
    {
      type: 'array',
      value: {
        itemType: 'array',
        items: [
          { itemType: 'string', items: ['x', 'y'] },
          { itemType: 'array', items: [{ itemType: 'i16', items: new Int16Array([-1]) }] },
        ],
      },
    },
  ],
];

const F32_8: GgufTensorInput = { name: 'blk.0.attn_q.weight', dims: [8], type: 'F32', data: new Uint8Array(32).fill(1) };

describe('round trip through writeGguf', () => {
  test.each([2, 3] as const)('every value type, version %i', (version) => {
    const bytes = writeGguf({ version, metadata: EVERY_TYPE });
    const f = readGguf(bytes);
    expect(f.version).toBe(version);
    expect(f.tensors).toEqual([]);
    expect([...f.metadata.keys()]).toEqual(EVERY_TYPE.map(([k]) => k));
    for (const [k, v] of EVERY_TYPE) expect(f.metadata.get(k), k).toEqual(v);
  });

  test('tensor infos: names, dims innermost first, types, offsets padded to the alignment', () => {
    const tensors: GgufTensorInput[] = [
      { name: 'a', dims: [3, 2], type: 'F16', data: new Uint8Array(12) },
      { name: 'b', dims: [64, 2], type: 'Q8_0', data: new Uint8Array(2 * 2 * 34) },
      { name: 'c', dims: [256], type: 'Q4_K', data: new Uint8Array(144) },
      { name: 'empty', dims: [0, 4], type: 'F32', data: new Uint8Array(0) },
      { name: 'd', dims: [1, 1, 1, 2], type: 'I64', data: new Uint8Array(16) },
    ];
    const bytes = writeGguf({ metadata: [['general.alignment', { type: 'u32', value: 64 }]], tensors });
    const f = readGguf(bytes);
    expect(f.alignment).toBe(64);
    expect(f.dataOffset % 64).toBe(0);
    expect(f.tensors.map((t) => [t.name, t.dims, t.type.name, t.offset, t.byteSize])).toEqual([
      ['a', [3, 2], 'F16', 0, 12],
      ['b', [64, 2], 'Q8_0', 64, 136],
      ['c', [256], 'Q4_K', 256, 144],
      ['empty', [0, 4], 'F32', 448, 0],
      ['d', [1, 1, 1, 2], 'I64', 448, 16],
    ]);
    // The data is where the infos say it is.
    const b = f.tensors[1]!;
    expect(bytes.subarray(f.dataOffset + b.offset, f.dataOffset + b.offset + b.byteSize)).toEqual(tensors[1]!.data);
  });

  test('header layout: magic, version, counts, default alignment 32', () => {
    const bytes = writeGguf({ metadata: [['k', { type: 'u8', value: 1 }]], tensors: [F32_8] });
    const view = new DataView(bytes.buffer);
    expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('GGUF');
    expect(view.getUint32(4, true)).toBe(3);
    expect(view.getBigUint64(8, true)).toBe(1n);
    expect(view.getBigUint64(16, true)).toBe(1n);
    const f = readGguf(bytes);
    expect(f.alignment).toBe(32);
    expect(f.dataOffset).toBe(bytes.length - 32);
  });
});

describe('faults', () => {
  test('bad magic', () => {
    const bytes = writeGguf({ metadata: [] });
    bytes.set([0x47, 0x47, 0x4d, 0x4c]);
    const e = fault(() => readGguf(bytes));
    expect(e.code).toBe('bad-magic');
    expect(e.message).toBe('not a GGUF file: it starts with "GGML" (47 47 4d 4c), want "GGUF" (47 47 55 46)');
  });

  test('versions 1 and 4, and big-endian files, are refused by name', () => {
    const cases: Array<[number, RegExp]> = [
      [1, /^GGUF version 1 is not supported: version 1 \(32-bit counts\) is obsolete/],
      [4, /^GGUF version 4 is not supported: only versions 2 and 3 are read$/],
      [0x03000000, /big-endian GGUF; only little-endian files are read$/],
    ];
    for (const [version, message] of cases) {
      const bytes = writeGguf({ metadata: [] });
      new DataView(bytes.buffer).setUint32(4, version, true);
      const e = fault(() => readGguf(bytes));
      expect(e.code).toBe('unsupported-version');
      expect(e.message).toMatch(message);
    }
  });

  test('every proper prefix of a file is reported as truncated', () => {
    const bytes = writeGguf({ metadata: EVERY_TYPE, tensors: [F32_8] });
    expect(readGguf(bytes).tensors).toHaveLength(1);
    for (let n = 0; n < bytes.length; n += 1) {
      const e = fault(() => readGguf(bytes.subarray(0, n)));
      expect(e.code, `prefix of ${n} bytes`).toBe('truncated');
      expect(e.message, `prefix of ${n} bytes`).toMatch(new RegExp(`runs? past the end of the file at byte ${n}\\b`));
    }
  });

  test('a truncated string array names the key, the array and the item', () => {
    const bytes = writeGguf({
      metadata: [
        ['general.name', { type: 'string', value: 'x' }],
        ['tokenizer.ggml.tokens', { type: 'array', value: { itemType: 'string', items: ['a', 'bb', 'ccc'] } }],
      ],
    });
    // Header 24; "general.name" 8+12, type 4, string 8+1 → 57; key 8+21, type 4, item type 4,
    // count 8 → 102; "a" 8+1, "bb" 8+2 → 121; "ccc" has its length at 121 and bytes at 129..132.
    expect(bytes.length).toBe(132);
    expect(fault(() => readGguf(bytes.subarray(0, 130))).message).toBe(
      'key tokenizer.ggml.tokens: array of 3 strings runs past the end of the file at byte 130 (string #2 at byte 129 needs 3 bytes)',
    );
    expect(fault(() => readGguf(bytes.subarray(0, 127))).message).toBe(
      'key tokenizer.ggml.tokens: array of 3 strings runs past the end of the file at byte 127 (string #2 length at byte 121 needs 8 bytes)',
    );
    // Three strings need at least their three 8-byte lengths: checked before any is read.
    expect(fault(() => readGguf(bytes.subarray(0, 125))).message).toBe(
      'key tokenizer.ggml.tokens: array of 3 strings runs past the end of the file at byte 125 (its 3 items at byte 102 need at least 24 bytes)',
    );
    expect(fault(() => readGguf(bytes.subarray(0, 96))).message).toBe(
      'key tokenizer.ggml.tokens: array header runs past the end of the file at byte 96 (item count at byte 94 needs 8 bytes)',
    );
    expect(fault(() => readGguf(bytes.subarray(0, 10))).message).toBe(
      'header: tensor count runs past the end of the file at byte 10 (it starts at byte 8 and needs 8 bytes)',
    );
  });

  test('a huge array count is refused before anything is allocated for it', () => {
    const bytes = writeGguf({ metadata: [['big', { type: 'array', value: { itemType: 'u64', items: new BigUint64Array([1n]) } }]] });
    // The count sits after header (24), key (8+3), type (4), item type (4).
    new DataView(bytes.buffer).setBigUint64(43, 2n ** 40n, true);
    const e = fault(() => readGguf(bytes));
    expect(e.code).toBe('truncated');
    expect(e.message).toBe(
      `key big: array of 1099511627776 u64 values runs past the end of the file at byte ${bytes.length} (its 1099511627776 items at byte 51 need at least 8796093022208 bytes)`,
    );
  });

  test('unknown value type, bool byte, invalid UTF-8, duplicate key, a count beyond the file', () => {
    const one = (value: GgufValue): Uint8Array => writeGguf({ metadata: [['k', value]] });
    // Value type code at 24 + 8 + 1 = 33.
    let b = one({ type: 'u8', value: 1 });
    new DataView(b.buffer).setUint32(33, 13, true);
    expect(fault(() => readGguf(b)).message).toBe('key k: unknown value type 13 at byte 33');

    b = one({ type: 'bool', value: true });
    b[37] = 2;
    expect(fault(() => readGguf(b)).message).toBe('key k: bool is 2 at byte 37, want 0 or 1');

    b = one({ type: 'array', value: { itemType: 'bool', items: [false, true] } });
    b[50] = 7;
    expect(fault(() => readGguf(b)).message).toBe('key k: bool #1 is 7 at byte 50, want 0 or 1');

    b = one({ type: 'string', value: 'ab' });
    b[45] = 0xff;
    const utf8 = fault(() => readGguf(b));
    expect(utf8.code).toBe('invalid-value');
    expect(utf8.message).toBe('key k: string at byte 45 is not valid UTF-8');

    b = writeGguf({ metadata: [['k', { type: 'u8', value: 1 }], ['j', { type: 'u8', value: 2 }]] });
    b[46] = 'k'.charCodeAt(0); // rename the second key: first entry 24..38, second key's text at 46
    const dup = fault(() => readGguf(b));
    expect(dup.code).toBe('duplicate');
    expect(dup.message).toBe('key k appears twice (again at byte 38)');

    b = writeGguf({ metadata: [['k', { type: 'u8', value: 1 }]] });
    new DataView(b.buffer).setBigUint64(16, 2n ** 62n, true);
    expect(fault(() => readGguf(b)).message).toBe(
      'metadata entry #1 of 4611686018427387904: key runs past the end of the file at byte 38 (key length at byte 38 needs 8 bytes)',
    );
  });

  test('arrays nested deeper than 16 levels are refused', () => {
    let a: GgufValue = { type: 'array', value: { itemType: 'u8', items: new Uint8Array(0) } };
    for (let i = 0; i < 16; i += 1) a = { type: 'array', value: { itemType: 'array', items: [a.value] } };
    const e = fault(() => readGguf(writeGguf({ metadata: [['deep', a]] })));
    expect(e.message).toMatch(/^key deep: arrays nest deeper than 16 levels at byte \d+$/);
  });

  test('general.alignment must be a u32 power of two', () => {
    const u64 = writeGguf({ metadata: [['general.alignmenX', { type: 'u64', value: 32n }]] });
    u64[24 + 8 + 16] = 't'.charCodeAt(0); // the writer refuses this file, so patch one it accepts
    expect(fault(() => readGguf(u64)).message).toBe('key general.alignment: must be a u32, found u64');
    const b = writeGguf({ metadata: [['general.alignment', { type: 'u32', value: 32 }]] });
    new DataView(b.buffer).setUint32(b.length - 4, 24, true);
    expect(fault(() => readGguf(b)).message).toBe('key general.alignment: 24 is not a power of two');
  });

  /** Byte offset of the first tensor info's fields in a file with no metadata. */
  const info = (nameLength: number) => ({ nDims: 24 + 8 + nameLength, dim0: 24 + 8 + nameLength + 4 });

  test('tensor faults: dims, type, block size, offsets, names, data past the end', () => {
    const base = (): Uint8Array => writeGguf({ metadata: [], tensors: [F32_8] });
    const at = info(F32_8.name.length);
    const bad = (patch: (v: DataView, b: Uint8Array) => void): GgufError => {
      const b = base();
      patch(new DataView(b.buffer), b);
      return fault(() => readGguf(b));
    };
    expect(bad((v) => v.setUint32(at.nDims, 5, true)).message).toBe("tensor #0 'blk.0.attn_q.weight': 5 dimensions, the limit is 4");
    expect(bad((v) => v.setUint32(at.dim0 + 8, 4, true)).message).toBe("tensor #0 'blk.0.attn_q.weight': unknown ggml type 4");
    let e = bad((v) => v.setUint32(at.dim0 + 8, 8, true)); // Q8_0: blocks of 32 elements
    expect(e.code).toBe('invalid-tensor');
    expect(e.message).toBe("tensor #0 'blk.0.attn_q.weight': first dimension 8 is not a multiple of Q8_0's block size 32");
    e = bad((v) => v.setBigUint64(at.dim0 + 12, 32n, true));
    expect(e.message).toBe("tensor 'blk.0.attn_q.weight': data offset is 32, want 0 (tensors are stored in order, each padded to 32 bytes)");
    e = bad((v) => v.setBigUint64(at.dim0, 9n, true));
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/^tensor 'blk\.0\.attn_q\.weight': its 36 bytes of data from byte \d+ run past the end of the file at byte \d+$/);
    e = bad((v) => v.setBigUint64(at.dim0, 2n ** 63n, true));
    expect(e.message).toBe("tensor #0 'blk.0.attn_q.weight': dimension 0 is 9223372036854775808, which no file can hold");

    const twice = writeGguf({ metadata: [], tensors: [F32_8, { ...F32_8, name: 'blk.0.attn_k.weight' }] });
    twice.set(Buffer.from('blk.0.attn_q.weight'), 24 + 8 + 19 + 4 + 8 + 4 + 8 + 8);
    expect(fault(() => readGguf(twice)).message).toBe("tensor #1 'blk.0.attn_q.weight': a tensor with this name appears earlier");

    const long = 'x'.repeat(64);
    const b = writeGguf({ metadata: [], tensors: [{ ...F32_8, name: long.slice(0, 63) }] });
    const grown = new Uint8Array(b.length + 1);
    grown.set(b.subarray(0, 24));
    new DataView(grown.buffer).setBigUint64(24, 64n, true);
    grown.set(Buffer.from(long), 32);
    grown.set(b.subarray(24 + 8 + 63), 32 + 64);
    expect(fault(() => readGguf(grown)).message).toBe(`tensor #0 '${long}': name is 64 bytes, the limit is 63`);
  });
});

describe('bytes after the last tensor', () => {
  const F32_9: GgufTensorInput = { name: 'w', dims: [9], type: 'F32', data: new Uint8Array(36).fill(2) };
  const append = (b: Uint8Array, extra: Uint8Array): Uint8Array => Uint8Array.from([...b, ...extra]);

  test('the padding to the alignment may follow, with or without it; one byte more is refused', () => {
    const padded = writeGguf({ metadata: [], tensors: [F32_9] });
    const f = readGguf(padded);
    const end = f.dataOffset + 36;
    // Computed from the format: the data section is aligned to 32, and the writer pads its one tensor to 64 bytes.
    expect(f.dataOffset % 32).toBe(0);
    expect(padded.length).toBe(f.dataOffset + 64);
    expect(readGguf(padded.subarray(0, end)).tensors).toEqual(f.tensors);
    expect(readGguf(padded.subarray(0, end + 5)).tensors).toEqual(f.tensors);
    const e = fault(() => readGguf(append(padded, new Uint8Array(1))));
    expect(e.code).toBe('trailing-bytes');
    expect(e.offset).toBe(end);
    expect(e.message).toBe(`29 bytes follow the data of the last tensor 'w', which ends at byte ${end}; only padding to the 32-byte alignment (to byte ${f.dataOffset + 64}) may follow`);
    // A whole copy of the model appended (the attack: same weights, new hash) is refused the same way.
    expect(fault(() => readGguf(append(padded, padded))).code).toBe('trailing-bytes');
  });

  test('the limit follows general.alignment', () => {
    const wide = writeGguf({ metadata: [['general.alignment', { type: 'u32', value: 256 }]], tensors: [F32_9] });
    const f = readGguf(wide);
    expect(wide.length).toBe(f.dataOffset + 256);
    expect(fault(() => readGguf(append(wide, new Uint8Array(1)))).message).toMatch(/follow the data of the last tensor 'w', .* only padding to the 256-byte alignment/);
  });

  test('a file without tensors may end with the padding after its header, and nothing else', () => {
    const header = writeGguf({ metadata: [['general.name', { type: 'string', value: 'vocab' }]] });
    const f = readGguf(header);
    expect(f.tensors).toEqual([]);
    const pad = f.dataOffset - header.length;
    expect(readGguf(append(header, new Uint8Array(pad))).dataOffset).toBe(f.dataOffset);
    const e = fault(() => readGguf(append(header, new Uint8Array(pad + 1))));
    expect(e.code).toBe('trailing-bytes');
    expect(e.message).toBe(`${pad + 1} bytes follow the header, which ends at byte ${header.length}; only padding to the 32-byte alignment (to byte ${f.dataOffset}) may follow`);
  });

  test('an alignment larger than 64 KiB is refused (it would allow that much padding)', () => {
    const b = writeGguf({ metadata: [['general.alignment', { type: 'u32', value: 32 }]] });
    new DataView(b.buffer).setUint32(b.length - 4, 2 ** 30, true);
    expect(fault(() => readGguf(b)).message).toBe('key general.alignment: 1073741824 is larger than 65536');
  });

  test('on disk too, where only the header is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gguf-trailing-'));
    try {
      const path = join(dir, 'a.gguf');
      const bytes = writeGguf({ metadata: [], tensors: [F32_9] });
      writeFileSync(path, append(bytes, new Uint8Array(1 << 20)));
      expect(fault(() => readGgufFile(path, 64)).code).toBe('trailing-bytes');
      writeFileSync(path, bytes);
      expect(readGgufFile(path, 64).tensors).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readGgufFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reads the header in growing chunks and checks tensor extents against the real size', () => {
    const tokens = Array.from({ length: 5000 }, (_, i) => `token-${i}`);
    const bytes = writeGguf({
      metadata: [['tokenizer.ggml.tokens', { type: 'array', value: { itemType: 'string', items: tokens } }]],
      tensors: [{ name: 'w', dims: [4096], type: 'F32', data: new Uint8Array(4 * 4096) }],
    });
    const path = join(dir, 'a.gguf');
    writeFileSync(path, bytes);
    const whole = readGguf(bytes);
    for (const initial of [16, 1000, 1 << 20]) {
      const f = readGgufFile(path, initial);
      expect(f.metadata).toEqual(whole.metadata);
      expect(f.tensors).toEqual(whole.tensors);
      expect(f.dataOffset).toBe(whole.dataOffset);
      expect(f.fileSize).toBe(bytes.length);
    }
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    expect(fault(() => readGgufFile(path, 64)).message).toMatch(/^tensor 'w': its 16384 bytes of data from byte \d+ run past the end of the file at byte \d+$/);
    writeFileSync(path, bytes.subarray(0, 200));
    expect(fault(() => readGgufFile(path, 64)).message).toBe(
      'key tokenizer.ggml.tokens: array of 5000 strings runs past the end of the file at byte 200 (its 5000 items at byte 69 need at least 40000 bytes)',
    );
  });
});
