// The vocabulary of the GGUF format (llama.cpp's model container): metadata value types with
// their on-disk codes, how decoded values look in TypeScript, and the ggml tensor types with
// their block geometry. Shared by the reader and the writer so that they can never disagree.
// This module must never do I/O or depend on anything outside src/gguf/.

/** Metadata value types, in the order of their on-disk codes (GGUF_TYPE_UINT8 = 0 … FLOAT64 = 12). */
export const GGUF_VALUE_TYPES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'] as const;
export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];

/** How a scalar of each type is held once decoded. 64-bit integers stay exact as bigint. */
export interface GgufScalars {
  u8: number;
  i8: number;
  u16: number;
  i16: number;
  u32: number;
  i32: number;
  f32: number;
  bool: boolean;
  string: string;
  array: GgufArray;
  u64: bigint;
  i64: bigint;
  f64: number;
}

/** How the items of an array of each type are held: typed arrays for numbers, so that a 50k-entry
 * score or token-type array costs one allocation rather than 50k objects. */
export interface GgufArrayItems {
  u8: Uint8Array;
  i8: Int8Array;
  u16: Uint16Array;
  i16: Int16Array;
  u32: Uint32Array;
  i32: Int32Array;
  f32: Float32Array;
  bool: boolean[];
  string: string[];
  array: GgufArray[];
  u64: BigUint64Array;
  i64: BigInt64Array;
  f64: Float64Array;
}

/** A metadata value: `{ type: 'u32', value: 7 }`, `{ type: 'array', value: { itemType: 'string', items: [...] } }`. */
export type GgufValue = { [K in GgufValueType]: { readonly type: K; readonly value: GgufScalars[K] } }[GgufValueType];

/** An array value; arrays may nest (an array of arrays), each inner array with its own item type. */
export type GgufArray = { [K in GgufValueType]: { readonly itemType: K; readonly items: GgufArrayItems[K] } }[GgufValueType];

/** On-disk size of each fixed-size scalar; strings and arrays are variable. */
export const GGUF_SCALAR_SIZE: Readonly<Partial<Record<GgufValueType, number>>> = {
  u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8,
};

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** The largest `general.alignment` read: 64 KiB, the largest page size in use. */
export const GGUF_MAX_ALIGNMENT = 65536;
/** ggml's GGML_MAX_NAME is 64 including the terminating NUL. */
export const GGUF_MAX_TENSOR_NAME_BYTES = 63;
/** ggml's GGML_MAX_DIMS. */
export const GGUF_MAX_DIMS = 4;

/** A ggml tensor type: `blockSize` elements are stored in `typeSize` bytes. */
export interface GgmlType {
  readonly code: number;
  readonly name: string;
  readonly blockSize: number;
  readonly typeSize: number;
}

// Codes 4, 5, 31–33 and 36–38 were removed from ggml; files using them are rejected as llama.cpp does.
const TYPES: ReadonlyArray<readonly [number, string, number, number]> = [
  [0, 'F32', 1, 4], [1, 'F16', 1, 2], [2, 'Q4_0', 32, 18], [3, 'Q4_1', 32, 20],
  [6, 'Q5_0', 32, 22], [7, 'Q5_1', 32, 24], [8, 'Q8_0', 32, 34], [9, 'Q8_1', 32, 36],
  [10, 'Q2_K', 256, 84], [11, 'Q3_K', 256, 110], [12, 'Q4_K', 256, 144], [13, 'Q5_K', 256, 176],
  [14, 'Q6_K', 256, 210], [15, 'Q8_K', 256, 292], [16, 'IQ2_XXS', 256, 66], [17, 'IQ2_XS', 256, 74],
  [18, 'IQ3_XXS', 256, 98], [19, 'IQ1_S', 256, 50], [20, 'IQ4_NL', 32, 18], [21, 'IQ3_S', 256, 110],
  [22, 'IQ2_S', 256, 82], [23, 'IQ4_XS', 256, 136], [24, 'I8', 1, 1], [25, 'I16', 1, 2],
  [26, 'I32', 1, 4], [27, 'I64', 1, 8], [28, 'F64', 1, 8], [29, 'IQ1_M', 256, 56],
  [30, 'BF16', 1, 2], [34, 'TQ1_0', 256, 54], [35, 'TQ2_0', 256, 66], [39, 'MXFP4', 32, 17],
  [40, 'NVFP4', 64, 36], [41, 'Q1_0', 128, 18], [42, 'Q2_0', 64, 18],
];

export const GGML_TYPES: ReadonlyMap<number, GgmlType> = new Map(
  TYPES.map(([code, name, blockSize, typeSize]) => [code, { code, name, blockSize, typeSize }]),
);
const BY_NAME: ReadonlyMap<string, GgmlType> = new Map([...GGML_TYPES.values()].map((t) => [t.name, t]));

/** The ggml type with this name ('F32', 'Q4_K', …), or undefined. */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name);
}

/** Elements of a tensor of this shape, or undefined when the count is not a safe integer. */
export function tensorElementCount(dims: readonly number[]): number | undefined {
  let elements = 1;
  for (const d of dims) {
    elements *= d;
    if (!Number.isSafeInteger(elements)) return undefined;
  }
  return elements;
}

/** Bytes of a tensor of this type and element count; the count must be a multiple of the block size. */
export function tensorByteSize(type: GgmlType, elements: number): number {
  return (elements / type.blockSize) * type.typeSize;
}

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
