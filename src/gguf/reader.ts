// Reads the header of a GGUF file (llama.cpp's model container, versions 2 and 3,
// little-endian): metadata key/values of every type, nested arrays included, and the tensor
// infos. It validates as strictly as llama.cpp's own loader and more (UTF-8, bool bytes,
// duplicate keys, bytes after the last tensor), because a malformed file handed to llama.cpp
// can abort the whole process.
// It must never read tensor data, never trust a length or count before checking it against the
// bytes that are there, and never throw anything but a GgufError for a bad file.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { GgufError } from './errors.ts';
import {
  alignUp,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_MAX_ALIGNMENT,
  GGUF_MAX_DIMS,
  GGUF_MAX_TENSOR_NAME_BYTES,
  GGUF_SCALAR_SIZE,
  GGUF_VALUE_TYPES,
  tensorByteSize,
  tensorElementCount,
  type GgmlType,
  type GgufArray,
  type GgufValue,
  type GgufValueType,
} from './types.ts';

export interface GgufTensorInfo {
  readonly name: string;
  /** Extent of each dimension, innermost first, as ggml stores them. */
  readonly dims: readonly number[];
  readonly type: GgmlType;
  /** Where the tensor's data starts, relative to `dataOffset`. */
  readonly offset: number;
  /** Bytes of the tensor's data, without the padding that follows it. */
  readonly byteSize: number;
}

export interface GgufFile {
  readonly version: 2 | 3;
  /** Metadata in file order (a Map keeps insertion order). */
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensorInfo[];
  /** `general.alignment`, or 32 when absent. */
  readonly alignment: number;
  /** Absolute byte offset where tensor data begins: the end of the header, aligned. */
  readonly dataOffset: number;
  /** Size of the whole file: tensor extents were checked against it. */
  readonly fileSize: number;
}

/** Parses a whole GGUF file held in memory. Throws GgufError on any fault. */
export function readGguf(bytes: Uint8Array): GgufFile {
  const r = new Reader(bytes, bytes.length).parse();
  if (r instanceof NeedMore) throw new Error('unreachable: a whole file never needs more bytes');
  return r;
}

/**
 * Reads only the header of a GGUF file on disk (a multi-gigabyte model need not fit in
 * memory): it starts with the first 8 MiB (enough for most headers, vocabularies included) and
 * reads further while the header goes on.
 */
export function readGgufFile(path: string, initialBytes = 8 << 20): GgufFile {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    let length = Math.min(fileSize, Math.max(initialBytes, 4));
    for (;;) {
      const bytes = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = readSync(fd, bytes, got, length - got, got);
        if (n === 0) break;
        got += n;
      }
      const r = new Reader(bytes.subarray(0, got), got < length ? got : fileSize).parse();
      if (!(r instanceof NeedMore)) return r;
      length = Math.min(fileSize, Math.max(length * 2, r.upTo + (1 << 16)));
    }
  } finally {
    closeSync(fd);
  }
}

const MAX_NESTING = 16;
// Token strings must reach the tokenizer byte for byte: invalid UTF-8 is an error, never replaced,
// and a leading U+FEFF is content, not a byte-order mark to drop.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const INT64_MAX = (1n << 63n) - 1n;

/** A read found fewer bytes than it needs; turned into a message by the entry being read. */
class Short {
  constructor(
    readonly at: number,
    readonly need: bigint,
    readonly item: string,
    /** `need` is a lower bound (for the items of an array), not an exact size. */
    readonly atLeast = false,
  ) {}
}

/** Only when reading a prefix of a file: the header goes on beyond the bytes read so far. */
class NeedMore {
  constructor(readonly upTo: number) {}
}

const PLURAL: Record<GgufValueType, string> = {
  u8: 'u8 values', i8: 'i8 values', u16: 'u16 values', i16: 'i16 values', u32: 'u32 values',
  i32: 'i32 values', f32: 'f32 values', bool: 'bools', string: 'strings', array: 'arrays',
  u64: 'u64 values', i64: 'i64 values', f64: 'f64 values',
};

class Reader {
  private pos = 0;
  private readonly view: DataView;
  /** The entry being read, for messages: "header", "key general.name", "tensor #3 'output.weight'". */
  private where = 'header';
  /** What that entry holds, refined as it is read: "string", "array of 50257 strings". */
  private what = 'magic';

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  parse(): GgufFile | NeedMore {
    try {
      return this.file();
    } catch (e) {
      if (!(e instanceof Short)) throw e;
      const end = BigInt(e.at) + e.need;
      if (end <= BigInt(this.fileSize)) return new NeedMore(Number(end));
      const detail =
        e.item === this.what
          ? `it starts at byte ${e.at} and needs ${e.need} bytes`
          : `${e.item} at byte ${e.at} ${e.atLeast ? 'need at least' : 'needs'} ${e.need} bytes`;
      throw new GgufError('truncated', `${this.where}: ${this.what} runs past the end of the file at byte ${this.fileSize} (${detail})`, e.at);
    }
  }

  private file(): GgufFile {
    if (this.fileSize >= 4 && this.bytes.length >= 4 && this.view.getUint32(0, true) !== GGUF_MAGIC) {
      const head = [...this.bytes.subarray(0, 4)];
      const shown = head.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
      const hex = head.map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new GgufError('bad-magic', `not a GGUF file: it starts with "${shown}" (${hex}), want "GGUF" (47 47 55 46)`, 0);
    }
    this.u32('magic');
    this.what = 'version';
    const version = this.u32('version');
    if (version !== 2 && version !== 3) {
      const swapped = ((version & 0xff) << 24) | ((version >>> 8) & 0xff) << 16 | ((version >>> 16) & 0xff) << 8 | (version >>> 24);
      const why =
        swapped === 2 || swapped === 3
          ? 'this is a big-endian GGUF; only little-endian files are read'
          : version === 1
            ? 'version 1 (32-bit counts) is obsolete; only versions 2 and 3 are read'
            : `only versions 2 and 3 are read`;
      throw new GgufError('unsupported-version', `GGUF version ${version} is not supported: ${why}`, 4);
    }
    this.what = 'tensor count';
    // Nothing is allocated per count up front: a count larger than the file can hold fails at
    // the first entry that is missing, with that entry's position.
    const tensorCount = this.u64('tensor count');
    this.what = 'metadata count';
    const kvCount = this.u64('metadata count');

    const metadata = new Map<string, GgufValue>();
    for (let k = 0; BigInt(k) < kvCount; k += 1) {
      this.where = `metadata entry #${k} of ${kvCount}`;
      this.what = 'key';
      const keyAt = this.pos;
      const key = this.string('key');
      this.where = `key ${key}`;
      if (metadata.has(key)) throw new GgufError('duplicate', `key ${key} appears twice (again at byte ${keyAt})`, keyAt);
      this.what = 'value type';
      const type = this.valueType('value type');
      this.what = type === 'array' ? 'array header' : type;
      metadata.set(key, this.value(type, type, 0));
    }

    const alignment = this.alignment(metadata);
    const tensors: GgufTensorInfo[] = [];
    const names = new Set<string>();
    for (let i = 0; BigInt(i) < tensorCount; i += 1) {
      this.where = `tensor info #${i} of ${tensorCount}`;
      this.what = 'name';
      const nameAt = this.pos;
      const name = this.string('name');
      this.where = `tensor #${i} '${name}'`;
      if (Buffer.byteLength(name) > GGUF_MAX_TENSOR_NAME_BYTES) {
        throw new GgufError('invalid-tensor', `${this.where}: name is ${Buffer.byteLength(name)} bytes, the limit is ${GGUF_MAX_TENSOR_NAME_BYTES}`, nameAt);
      }
      if (names.has(name)) throw new GgufError('duplicate', `${this.where}: a tensor with this name appears earlier`, nameAt);
      names.add(name);
      tensors.push(this.tensorInfo(name));
    }

    const dataOffset = alignUp(this.pos, alignment);
    let expected = 0;
    for (const t of tensors) {
      if (t.offset !== expected) {
        throw new GgufError(
          'invalid-tensor',
          `tensor '${t.name}': data offset is ${t.offset}, want ${expected} (tensors are stored in order, each padded to ${alignment} bytes)`,
        );
      }
      const end = dataOffset + t.offset + t.byteSize;
      if (end > this.fileSize) {
        throw new GgufError(
          'truncated',
          `tensor '${t.name}': its ${t.byteSize} bytes of data from byte ${dataOffset + t.offset} run past the end of the file at byte ${this.fileSize}`,
          dataOffset + t.offset,
        );
      }
      expected = alignUp(t.offset + t.byteSize, alignment);
    }
    // Nothing may follow the last tensor but its padding to the alignment: bytes appended
    // there would make a new file (a new hash, a new upload) out of the same model.
    const last = tensors[tensors.length - 1];
    const end = last ? dataOffset + last.offset + last.byteSize : this.pos;
    const limit = dataOffset + expected;
    if (this.fileSize > limit) {
      throw new GgufError(
        'trailing-bytes',
        `${this.fileSize - end} bytes follow the ${last ? `data of the last tensor '${last.name}'` : 'header'}, which ends at byte ${end}; ` +
          `only padding to the ${alignment}-byte alignment (to byte ${limit}) may follow`,
        end,
      );
    }
    return { version, metadata, tensors, alignment, dataOffset, fileSize: this.fileSize };
  }

  private alignment(metadata: ReadonlyMap<string, GgufValue>): number {
    const v = metadata.get('general.alignment');
    if (v === undefined) return GGUF_DEFAULT_ALIGNMENT;
    if (v.type !== 'u32') throw new GgufError('invalid-value', `key general.alignment: must be a u32, found ${v.type}`);
    if (v.value === 0 || (v.value & (v.value - 1)) !== 0) {
      throw new GgufError('invalid-value', `key general.alignment: ${v.value} is not a power of two`);
    }
    // Padding is free space a file may carry; llama.cpp writes 32, and no format needs pages larger than this.
    if (v.value > GGUF_MAX_ALIGNMENT) throw new GgufError('invalid-value', `key general.alignment: ${v.value} is larger than ${GGUF_MAX_ALIGNMENT}`);
    return v.value;
  }

  private tensorInfo(name: string): GgufTensorInfo {
    this.what = 'dimension count';
    const nDimsAt = this.pos;
    const nDims = this.u32('dimension count');
    if (nDims > GGUF_MAX_DIMS) throw new GgufError('invalid-tensor', `${this.where}: ${nDims} dimensions, the limit is ${GGUF_MAX_DIMS}`, nDimsAt);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d += 1) {
      this.what = `dimension ${d}`;
      const at = this.pos;
      const n = this.u64(`dimension ${d}`);
      if (n > INT64_MAX || n > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new GgufError('invalid-tensor', `${this.where}: dimension ${d} is ${n}, which no file can hold`, at);
      }
      dims.push(Number(n));
    }
    this.what = 'type';
    const typeAt = this.pos;
    const code = this.u32('type');
    const type = GGML_TYPES.get(code);
    if (type === undefined) throw new GgufError('invalid-tensor', `${this.where}: unknown ggml type ${code}`, typeAt);
    const elements = tensorElementCount(dims);
    if (elements === undefined) throw new GgufError('invalid-tensor', `${this.where}: shape [${dims.join(', ')}] has too many elements`, nDimsAt);
    if ((dims[0] ?? 1) % type.blockSize !== 0) {
      throw new GgufError('invalid-tensor', `${this.where}: first dimension ${dims[0] ?? 1} is not a multiple of ${type.name}'s block size ${type.blockSize}`, nDimsAt);
    }
    this.what = 'data offset';
    const offsetAt = this.pos;
    const offset = this.u64('data offset');
    if (offset > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufError('invalid-tensor', `${this.where}: data offset ${offset} is beyond any file`, offsetAt);
    return { name, dims, type, offset: Number(offset), byteSize: tensorByteSize(type, elements) };
  }

  private value(type: GgufValueType, item: string, depth: number): GgufValue {
    switch (type) {
      case 'u8': this.need(1, item); return { type, value: this.view.getUint8(this.pos++) };
      case 'i8': this.need(1, item); return { type, value: this.view.getInt8(this.pos++) };
      case 'u16': this.need(2, item); return { type, value: this.view.getUint16((this.pos += 2) - 2, true) };
      case 'i16': this.need(2, item); return { type, value: this.view.getInt16((this.pos += 2) - 2, true) };
      case 'u32': return { type, value: this.u32(item) };
      case 'i32': this.need(4, item); return { type, value: this.view.getInt32((this.pos += 4) - 4, true) };
      case 'f32': this.need(4, item); return { type, value: this.view.getFloat32((this.pos += 4) - 4, true) };
      case 'u64': return { type, value: this.u64(item) };
      case 'i64': this.need(8, item); return { type, value: this.view.getBigInt64((this.pos += 8) - 8, true) };
      case 'f64': this.need(8, item); return { type, value: this.view.getFloat64((this.pos += 8) - 8, true) };
      case 'bool': return { type, value: this.bool(item) };
      case 'string': return { type, value: this.string(item) };
      case 'array': return { type, value: this.array(item, depth) };
    }
  }

  private array(item: string, depth: number): GgufArray {
    if (depth >= MAX_NESTING) throw new GgufError('invalid-value', `${this.where}: arrays nest deeper than ${MAX_NESTING} levels at byte ${this.pos}`, this.pos);
    const label = depth === 0 ? 'item type' : `${item} item type`;
    const itemType = this.valueType(label);
    const nBig = this.u64(depth === 0 ? 'item count' : `${item} item count`);
    if (depth === 0) this.what = `array of ${nBig} ${PLURAL[itemType]}`;
    // Every item takes at least this many bytes: check the count before allocating for it.
    const minItem = BigInt(GGUF_SCALAR_SIZE[itemType] ?? (itemType === 'string' ? 8 : 12));
    if (BigInt(this.pos) + nBig * minItem > BigInt(this.bytes.length)) {
      throw new Short(this.pos, nBig * minItem, depth === 0 ? `its ${nBig} items` : `the ${nBig} items of ${item}`, true);
    }
    const n = Number(nBig);
    const v = this.view;
    const p = this.pos;
    switch (itemType) {
      case 'u8': this.pos += n; return { itemType, items: this.bytes.slice(p, p + n) };
      case 'i8': this.pos += n; return { itemType, items: new Int8Array(this.bytes.slice(p, p + n).buffer) };
      case 'u16': { const a = new Uint16Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getUint16(p + 2 * i, true); this.pos += 2 * n; return { itemType, items: a }; }
      case 'i16': { const a = new Int16Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getInt16(p + 2 * i, true); this.pos += 2 * n; return { itemType, items: a }; }
      case 'u32': { const a = new Uint32Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getUint32(p + 4 * i, true); this.pos += 4 * n; return { itemType, items: a }; }
      case 'i32': { const a = new Int32Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getInt32(p + 4 * i, true); this.pos += 4 * n; return { itemType, items: a }; }
      case 'f32': { const a = new Float32Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getFloat32(p + 4 * i, true); this.pos += 4 * n; return { itemType, items: a }; }
      case 'u64': { const a = new BigUint64Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getBigUint64(p + 8 * i, true); this.pos += 8 * n; return { itemType, items: a }; }
      case 'i64': { const a = new BigInt64Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getBigInt64(p + 8 * i, true); this.pos += 8 * n; return { itemType, items: a }; }
      case 'f64': { const a = new Float64Array(n); for (let i = 0; i < n; i += 1) a[i] = v.getFloat64(p + 8 * i, true); this.pos += 8 * n; return { itemType, items: a }; }
      case 'bool': { const a: boolean[] = new Array<boolean>(n); for (let i = 0; i < n; i += 1) a[i] = this.bool(`bool #${i}`); return { itemType, items: a }; }
      case 'string': { const a: string[] = new Array<string>(n); for (let i = 0; i < n; i += 1) a[i] = this.string(`string #${i}`); return { itemType, items: a }; }
      case 'array': { const a: GgufArray[] = new Array<GgufArray>(n); for (let i = 0; i < n; i += 1) a[i] = this.array(`array #${i}`, depth + 1); return { itemType, items: a }; }
    }
  }

  private need(n: number | bigint, item: string): void {
    if (BigInt(this.pos) + BigInt(n) > BigInt(this.bytes.length)) throw new Short(this.pos, BigInt(n), item);
  }

  private u32(item: string): number {
    this.need(4, item);
    this.pos += 4;
    return this.view.getUint32(this.pos - 4, true);
  }

  private u64(item: string): bigint {
    this.need(8, item);
    this.pos += 8;
    return this.view.getBigUint64(this.pos - 8, true);
  }

  private valueType(item: string): GgufValueType {
    const at = this.pos;
    const code = this.u32(item);
    const type = GGUF_VALUE_TYPES[code];
    if (type === undefined) throw new GgufError('invalid-value', `${this.where}: unknown value type ${code} at byte ${at}`, at);
    return type;
  }

  private bool(item: string): boolean {
    this.need(1, item);
    const b = this.bytes[this.pos]!;
    if (b > 1) throw new GgufError('invalid-value', `${this.where}: ${item} is ${b} at byte ${this.pos}, want 0 or 1`, this.pos);
    this.pos += 1;
    return b === 1;
  }

  private string(item: string): string {
    const len = this.u64(`${item} length`);
    this.need(len, item);
    const start = this.pos;
    const end = start + Number(len);
    let s: string;
    try {
      s = UTF8.decode(this.bytes.subarray(start, end));
    } catch {
      throw new GgufError('invalid-value', `${this.where}: ${item} at byte ${start} is not valid UTF-8`, start);
    }
    this.pos = end;
    return s;
  }
}
