// Writes GGUF files (version 3 by default, little-endian) that llama.cpp and readGguf accept:
// metadata of every value type, tensor infos packed in order, each tensor's data padded to the
// alignment. Used by the tests to build files in memory, and later by ModelFactory to write
// LoRA adapters. It must never write a file its own reader would reject: every value is range-
// checked (a DataView would silently wrap 256 into a u8) and every tensor's size is checked.
import { GgufError } from './errors.ts';
import {
  alignUp,
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_MAX_DIMS,
  GGUF_MAX_TENSOR_NAME_BYTES,
  GGUF_SCALAR_SIZE,
  GGUF_VALUE_TYPES,
  ggmlTypeByName,
  tensorByteSize,
  tensorElementCount,
  type GgmlType,
  type GgufArray,
  type GgufValue,
  type GgufValueType,
} from './types.ts';

export interface GgufTensorInput {
  readonly name: string;
  /** Innermost first. */
  readonly dims: readonly number[];
  /** A ggml type or its name ('F32', 'Q8_0', …). */
  readonly type: GgmlType | string;
  /** Exactly the tensor's byte size. */
  readonly data: Uint8Array;
}

export interface WriteGgufInput {
  readonly version?: 2 | 3;
  /** Written in iteration order. `general.alignment` (u32), when present, sets the alignment. */
  readonly metadata: Iterable<readonly [string, GgufValue]>;
  readonly tensors?: readonly GgufTensorInput[];
}

/** Serialises a GGUF file. Throws GgufError for a value out of its type's range or a bad tensor. */
export function writeGguf(input: WriteGgufInput): Uint8Array {
  const out = new ByteWriter();
  const metadata = [...input.metadata];
  const tensors = input.tensors ?? [];
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  for (const [key, v] of metadata) {
    if (key !== 'general.alignment') continue;
    if (v.type !== 'u32' || v.value === 0 || (v.value & (v.value - 1)) !== 0) {
      throw new GgufError('invalid-value', 'key general.alignment: must be a u32 power of two');
    }
    alignment = v.value;
  }

  out.u32(GGUF_MAGIC);
  out.u32(input.version ?? 3);
  out.u64(BigInt(tensors.length));
  out.u64(BigInt(metadata.length));
  const keys = new Set<string>();
  for (const [key, v] of metadata) {
    if (keys.has(key)) throw new GgufError('duplicate', `key ${key} is given twice`);
    keys.add(key);
    out.string(key);
    out.u32(typeCode(v.type));
    writeValue(out, v, `key ${key}`);
  }

  const resolved = tensors.map((t) => checkTensor(t));
  let offset = 0;
  for (const { t, type } of resolved) {
    out.string(t.name);
    out.u32(t.dims.length);
    for (const d of t.dims) out.u64(BigInt(d));
    out.u32(type.code);
    out.u64(BigInt(offset));
    offset = alignUp(offset + t.data.length, alignment);
  }
  if (resolved.length > 0) {
    out.pad(alignment);
    for (const { t } of resolved) {
      out.bytes(t.data);
      out.pad(alignment);
    }
  }
  return out.finish();
}

function checkTensor(t: GgufTensorInput): { t: GgufTensorInput; type: GgmlType } {
  const type = typeof t.type === 'string' ? ggmlTypeByName(t.type) : GGML_TYPES.get(t.type.code);
  if (type === undefined) throw new GgufError('invalid-tensor', `tensor '${t.name}': unknown ggml type ${String(typeof t.type === 'string' ? t.type : t.type.name)}`);
  if (Buffer.byteLength(t.name) > GGUF_MAX_TENSOR_NAME_BYTES) throw new GgufError('invalid-tensor', `tensor '${t.name}': name is longer than ${GGUF_MAX_TENSOR_NAME_BYTES} bytes`);
  if (t.dims.length > GGUF_MAX_DIMS) throw new GgufError('invalid-tensor', `tensor '${t.name}': ${t.dims.length} dimensions, the limit is ${GGUF_MAX_DIMS}`);
  if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new GgufError('invalid-tensor', `tensor '${t.name}': dimensions must be non-negative integers`);
  const elements = tensorElementCount(t.dims);
  if (elements === undefined || (t.dims[0] ?? 1) % type.blockSize !== 0) {
    throw new GgufError('invalid-tensor', `tensor '${t.name}': shape [${t.dims.join(', ')}] does not fit type ${type.name} (block size ${type.blockSize})`);
  }
  const size = tensorByteSize(type, elements);
  if (t.data.length !== size) throw new GgufError('invalid-tensor', `tensor '${t.name}': ${t.data.length} bytes of data, its shape and type need ${size}`);
  return { t, type };
}

function typeCode(type: GgufValueType): number {
  return GGUF_VALUE_TYPES.indexOf(type);
}

const INT_RANGE: Partial<Record<GgufValueType, readonly [number, number]>> = {
  u8: [0, 0xff], i8: [-0x80, 0x7f], u16: [0, 0xffff], i16: [-0x8000, 0x7fff], u32: [0, 0xffffffff], i32: [-0x80000000, 0x7fffffff],
};
const BIG_RANGE: Partial<Record<GgufValueType, readonly [bigint, bigint]>> = {
  u64: [0n, (1n << 64n) - 1n], i64: [-(1n << 63n), (1n << 63n) - 1n],
};

function checkScalar(type: GgufValueType, value: unknown, where: string): void {
  const int = INT_RANGE[type];
  if (int !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= int[0] && value <= int[1])) {
    throw new GgufError('invalid-value', `${where}: ${String(value)} does not fit type ${type}`);
  }
  const big = BIG_RANGE[type];
  if (big !== undefined && !(typeof value === 'bigint' && value >= big[0] && value <= big[1])) {
    throw new GgufError('invalid-value', `${where}: ${String(value)} does not fit type ${type}`);
  }
  const js = JS_TYPE[type];
  if (js !== undefined && typeof value !== js) throw new GgufError('invalid-value', `${where}: a value of type ${type} must be a JavaScript ${js}, got ${typeof value}`);
  // Buffer.from would silently turn a lone surrogate into U+FFFD, and the reader rejects invalid UTF-8.
  if (type === 'string' && LONE_SURROGATE.test(value as string)) throw new GgufError('invalid-value', `${where}: string holds a lone surrogate, which UTF-8 cannot encode`);
}

const JS_TYPE: Partial<Record<GgufValueType, string>> = { f32: 'number', f64: 'number', bool: 'boolean', string: 'string', array: 'object' };
const LONE_SURROGATE = /\p{Cs}/u;

function writeValue(out: ByteWriter, v: GgufValue, where: string): void {
  checkScalar(v.type, v.value, where);
  switch (v.type) {
    case 'string': out.string(v.value); return;
    case 'array': writeArray(out, v.value, where); return;
    case 'bool': out.u8(v.value ? 1 : 0); return;
    case 'u64': case 'i64': out.scalar(v.type, v.value); return;
    default: out.scalar(v.type, v.value);
  }
}

function writeArray(out: ByteWriter, a: GgufArray, where: string): void {
  out.u32(typeCode(a.itemType));
  out.u64(BigInt(a.items.length));
  const items: ArrayLike<unknown> = a.items;
  for (let i = 0; i < items.length; i += 1) {
    writeValue(out, { type: a.itemType, value: items[i] } as GgufValue, `${where} item #${i}`);
  }
}

/** A growable little-endian byte buffer. */
class ByteWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  private reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.len;
    this.len += n;
    return at;
  }

  // Each write reserves first: reserving may replace the buffer and its view.
  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }

  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
  }

  u64(v: bigint): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, v, true);
  }

  scalar(type: GgufValueType, v: number | bigint): void {
    const n = v as number;
    const at = this.reserve(GGUF_SCALAR_SIZE[type] ?? 0);
    const view = this.view;
    switch (type) {
      case 'u8': view.setUint8(at, n); return;
      case 'i8': view.setInt8(at, n); return;
      case 'u16': view.setUint16(at, n, true); return;
      case 'i16': view.setInt16(at, n, true); return;
      case 'u32': view.setUint32(at, n, true); return;
      case 'i32': view.setInt32(at, n, true); return;
      case 'f32': view.setFloat32(at, n, true); return;
      case 'f64': view.setFloat64(at, n, true); return;
      case 'u64': view.setBigUint64(at, v as bigint, true); return;
      case 'i64': view.setBigInt64(at, v as bigint, true); return;
      default: throw new Error(`not a numeric type: ${type}`);
    }
  }

  string(s: string): void {
    if (LONE_SURROGATE.test(s)) throw new GgufError('invalid-value', `string ${JSON.stringify(s)} holds a lone surrogate`);
    const b = Buffer.from(s, 'utf8');
    this.u64(BigInt(b.length));
    this.bytes(b);
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length);
    this.buf.set(b, at);
  }

  pad(alignment: number): void {
    this.reserve(alignUp(this.len, alignment) - this.len);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
